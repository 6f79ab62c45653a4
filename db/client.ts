import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres, { type Sql, type TransactionSql } from 'postgres';
import * as registry from './schema.js';
import * as notification from './notification-schema.js';
import * as recognition from './recognition-schema.js';
import * as tiering from './tiering-schema.js';

const schema = { ...registry, ...tiering, ...recognition, ...notification };

export type Db = PostgresJsDatabase<typeof schema>;
/** A drizzle transaction on Db: what code that writes inside the caller's transaction takes. */
export type DbTransaction = Parameters<Parameters<Db['transaction']>[0]>[0];


/** Drizzle's postgres-js database carries its postgres.js client, which COPY and set-based SQL need. */
export function postgresClientOf(db: Db): Sql {
  return (db as Db & { $client: Sql }).$client;
}

export interface Database {
  sql: Sql;
  db: Db;
  close(): Promise<void>;
}

export function connectDatabase(url: string, options: { max?: number } = {}): Database {
  // A server that does not take a connection within 10 s fails the query (503 at the API) rather
  // than holding it for the library's default 30 s.
  const sql = postgres(url, { max: options.max ?? 10, onnotice: () => {}, connect_timeout: 10 });
  guardTransactions(sql);
  return { sql, db: drizzle(sql, { schema }), close: () => sql.end({ timeout: 5 }) };
}

/**
 * Errors that say the connection itself is gone (closed, reset, refused, the server shutting
 * down or terminating the backend), as opposed to a statement's error on a live connection.
 */
const CONNECTION_LOST_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  // admin_shutdown, crash_shutdown, cannot_connect_now, connection_failure, connection_does_not_exist
  '57P01',
  '57P02',
  '57P03',
  '08006',
  '08003',
  '08001',
]);

/** Whether `err` (or its cause) says the database could not be reached or dropped the connection. */
export function isConnectionLost(err: unknown): boolean {
  for (let e = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_LOST_CODES.has(code)) return true;
  }
  return false;
}

class TransactionConnectionLostError extends Error {
  readonly code = 'CONNECTION_CLOSED';
  constructor(cause: unknown) {
    super('the transaction lost its connection: its work stopped and nothing of it was committed', { cause });
  }
}

/**
 * postgres.js 3.4 lets a transaction's callback go on after the transaction's connection closed:
 * `begin` rejects, but the callback's next statements — and the library's own ROLLBACK or COMMIT
 * once the callback settles — still go to that connection (the open issues of the library on
 * `begin` after a disconnect). Sent while it is closed, they throw `TypeError: Cannot read
 * properties of null (reading 'write')` from a timer, which ends the process; sent after the pool
 * reconnected it, they run outside any transaction, so a failed attempt's counter update lands.
 * Every transaction and savepoint of this pool (drizzle's too, which call `begin` and `savepoint`)
 * runs guarded instead: once its connection is known to be gone, no statement of it is sent any
 * more, and the callback's outcome is never handed back, so the library sends no ROLLBACK or
 * COMMIT to a dead connection; `begin` has already rejected with the connection's error.
 */
function guardTransactions(sql: Sql): void {
  const begin = sql.begin.bind(sql) as (mode: string, work: (tx: TransactionSql) => unknown) => Promise<unknown>;
  const guardedBegin = (modeOrWork: string | ((tx: TransactionSql) => unknown), maybeWork?: (tx: TransactionSql) => unknown) => {
    const mode = typeof modeOrWork === 'string' ? modeOrWork : '';
    const work = typeof modeOrWork === 'string' ? maybeWork! : modeOrWork;
    const lost: { error: unknown } = { error: null };
    const outcome = begin(mode, (tx) => runGuarded(tx, work, lost));
    // Whatever ended the transaction, work still running on its behalf stops at its next statement.
    outcome.catch((err: unknown) => {
      lost.error ??= err ?? new Error('transaction ended');
    });
    return outcome;
  };
  (sql as { begin: unknown }).begin = guardedBegin;
}

async function runGuarded<T>(tx: TransactionSql, work: (tx: TransactionSql) => T | Promise<T>, lost: { error: unknown }): Promise<T> {
  try {
    const result = await work(guardStatements(tx, lost));
    if (lost.error !== null) return never();
    return result;
  } catch (err) {
    if (isConnectionLost(err)) lost.error ??= err;
    if (lost.error !== null) return never();
    throw err;
  }
}

/** The transaction's statements, each refused once the transaction is lost; savepoints likewise. */
function guardStatements(tx: TransactionSql, lost: { error: unknown }): TransactionSql {
  const check = (): void => {
    if (lost.error !== null) throw new TransactionConnectionLostError(lost.error);
  };
  return new Proxy(tx, {
    apply(target, thisArg, args) {
      check();
      return Reflect.apply(target as unknown as (...a: unknown[]) => unknown, thisArg, args);
    },
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property === 'unsafe' || property === 'file') {
        return (...args: unknown[]) => {
          check();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (property === 'savepoint') {
        return (nameOrWork: unknown, maybeWork?: unknown) => {
          check();
          const named = typeof nameOrWork === 'string';
          const work = (named ? maybeWork : nameOrWork) as (tx: TransactionSql) => unknown;
          const inner = (savepointTx: TransactionSql) => runGuarded(savepointTx, work, lost);
          return named ? target.savepoint(nameOrWork, inner) : target.savepoint(inner);
        };
      }
      return value;
    },
  });
}

function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}

/**
 * The last line behind the guard above: the same library fault reached some other way (a write
 * scheduled on a connection just before it closed) is logged, not allowed to end the process.
 * Only that fault: a TypeError reading `write` of null thrown from postgres.js's connection code.
 * Anything else still ends the process as uncaught errors do.
 */
export function survivePostgresSocketFault(log: (message: string) => void = (m) => console.error(m)): void {
  process.on('uncaughtException', (err, origin) => {
    if (isPostgresSocketFault(err)) {
      log(`postgres.js wrote to a closed connection (${origin}); the connection is reopened on its next use: ${err.message}`);
      return;
    }
    // As Node would have: print and end.
    console.error(err);
    process.exit(1);
  });
}

function isPostgresSocketFault(err: unknown): err is TypeError {
  return (
    err instanceof TypeError &&
    /Cannot read properties of null \(reading 'write'\)/.test(err.message) &&
    /[/\\]postgres[/\\](src|cjs[/\\]src|cf[/\\]src)[/\\]connection\.js/.test(err.stack ?? '')
  );
}
