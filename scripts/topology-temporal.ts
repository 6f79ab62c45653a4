/**
 * A Temporal server as production runs one: the server binary built from go.temporal.io/server
 * (scripts/setup.sh), persisting to PostgreSQL in databases of its own, its schema set up by
 * temporal-sql-tool — create the database, set up the versioning tables, update to the schema
 * embedded in the tool — as Temporal documents for PostgreSQL. Used by `npm run topology`.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { registerCaseSearchAttributes, unlessAlreadyExists } from './search-attributes.js';
import { msToTs } from '@temporalio/common/lib/time.js';
import postgres from 'postgres';
import { endsWithThisProcess } from './children.js';
import { freePort } from './postgres.js';

const run = promisify(execFile);

export interface PostgresServer {
  host: string;
  port: number;
  /** A superuser, to create the role Temporal connects as. */
  adminUrl: string;
}

export interface TemporalOnPostgres {
  address: string;
  namespace: string;
  historyShards: number;
  /** The databases it persists to, apart from the application's. */
  databases: { history: string; visibility: string };
  logFile: string;
  /** How long each step took, in milliseconds. */
  timings: { schemaMs: number; startMs: number };
  stop(): Promise<void>;
}

/** The role Temporal connects as: it owns its two databases and nothing of the application's. */
const TEMPORAL_ROLE = 'temporal';
const TEMPORAL_PASSWORD = 'temporal';
const DATABASES = { history: 'temporal', visibility: 'temporal_visibility' } as const;
// History shards are fixed when the cluster is first set up; 4 suits one machine (README: National scale on paper).
const HISTORY_SHARDS = 4;
const NAMESPACE = 'default';
const RETENTION_DAYS = 7;

export async function startTemporalOnPostgres(options: {
  server: string;
  sqlTool: string;
  postgres: PostgresServer;
  dataDir: string;
}): Promise<TemporalOnPostgres> {
  const { server, sqlTool, postgres: pg, dataDir } = options;
  mkdirSync(join(dataDir, 'config'), { recursive: true });

  const schemaStarted = Date.now();
  const admin = postgres(pg.adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [role] = await admin`select 1 from pg_roles where rolname = ${TEMPORAL_ROLE}`;
    if (!role) await admin.unsafe(`create role ${TEMPORAL_ROLE} login createdb password '${TEMPORAL_PASSWORD}'`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const connectFlags = ['--plugin', 'postgres12', '--endpoint', pg.host, '--port', String(pg.port), '--user', TEMPORAL_ROLE, '--password', TEMPORAL_PASSWORD];
  const sqlToolLog: string[] = [];
  const tool = async (database: string, ...command: string[]) => {
    try {
      const { stdout, stderr } = await run(sqlTool, [...connectFlags, '--database', database, ...command]);
      sqlToolLog.push(stdout, stderr);
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`temporal-sql-tool ${command.join(' ')} on ${database} failed:\n${stdout}${stderr}`, { cause: error });
    }
  };
  for (const [store, database] of [['temporal', DATABASES.history], ['visibility', DATABASES.visibility]] as const) {
    await tool(database, 'create-database');
    await tool(database, 'setup-schema', '--version', '0.0');
    await tool(database, 'update-schema', '--schema-name', `postgresql/v12/${store}`);
  }
  writeFileSync(join(dataDir, 'sql-tool.log'), sqlToolLog.join(''));
  const schemaMs = Date.now() - schemaStarted;

  const ports = {
    frontend: await freePort(),
    frontendHttp: await freePort(),
    frontendMembership: await freeMembershipPort(),
    history: await freePort(),
    historyMembership: await freeMembershipPort(),
    matching: await freePort(),
    matchingMembership: await freeMembershipPort(),
    worker: await freePort(),
    workerMembership: await freeMembershipPort(),
  };
  const address = `127.0.0.1:${ports.frontend}`;
  const logFile = join(dataDir, 'temporal.log');
  writeFileSync(join(dataDir, 'config', 'production.yaml'), serverConfig({ pg, ports, logFile }));

  const startStarted = Date.now();
  const output = openSync(join(dataDir, 'temporal.stdout.log'), 'a');
  const child = spawn(server, ['--root', dataDir, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'], {
    stdio: ['ignore', output, output],
  });
  closeSync(output);
  endsWithThisProcess(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await registerNamespace(address, () => child.exitCode !== null || child.signalCode !== null);
  } catch (error) {
    await stop();
    // The log is JSON lines with long stack traces; the messages and errors say why.
    const tail = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => /"level":"(error|fatal)"/.test(line))
      .slice(-5)
      .map((line) => {
        const { msg, error: why } = JSON.parse(line) as { msg?: string; error?: string };
        return `${msg ?? ''}: ${why ?? ''}`;
      })
      .join('\n');
    throw new Error(`the Temporal server did not come up (log ${logFile}):\n${tail}`, { cause: error });
  }
  return {
    address,
    namespace: NAMESPACE,
    historyShards: HISTORY_SHARDS,
    databases: DATABASES,
    logFile,
    timings: { schemaMs, startMs: Date.now() - startStarted },
    stop,
  };
}

/** The cluster membership table stores a service's membership port as a smallint: it must be below 32768. */
async function freeMembershipPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((answer) => {
      const probe = createServer();
      probe.once('error', () => answer(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => answer(true)));
    });
    if (free) return port;
  }
  throw new Error('found no free port below 32768 for the Temporal server\'s membership');
}

/**
 * The server does not make the namespace the application uses (auto-setup's script does, which
 * production does not run): it is registered once, and is ready when the frontend serves it;
 * the cases' search attributes are registered with it.
 */
async function registerNamespace(address: string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 120_000;
  let connection: Connection | null = null;
  let lastError: unknown;
  try {
    while (Date.now() < deadline) {
      if (exited()) throw new Error('the server exited');
      try {
        connection ??= await Connection.connect({ address, connectTimeout: 2_000 });
        await connection.workflowService.registerNamespace({
          namespace: NAMESPACE,
          workflowExecutionRetentionPeriod: msToTs(`${RETENTION_DAYS} days`),
        // A second attempt after one that timed out on its way back finds it made.
        }).catch(unlessAlreadyExists);
        // Served once the frontend's namespace cache has it (refreshed every 2 s).
        await connection.workflowService.countWorkflowExecutions({ namespace: NAMESPACE });
        await registerCaseSearchAttributes(connection, NAMESPACE);
        return;
      } catch (error) {
        lastError = error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    throw new Error('timed out registering the namespace', { cause: lastError });
  } finally {
    await connection?.close();
  }
}

function serverConfig({ pg, ports, logFile }: { pg: PostgresServer; ports: Record<string, number>; logFile: string }): string {
  const store = (database: string, maxConns: number) => `
      sql:
        pluginName: postgres12
        databaseName: ${database}
        connectAddr: "${pg.host}:${pg.port}"
        connectProtocol: tcp
        user: ${TEMPORAL_ROLE}
        password: ${TEMPORAL_PASSWORD}
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: 1h`;
  const service = (grpc: number, membership: number, http?: number) => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${http ? `\n      httpPort: ${http}` : ''}`;
  return `# Written by scripts/topology-temporal.ts: every service of the server in one process, on loopback.
log:
  stdout: false
  outputFile: ${JSON.stringify(logFile)}
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: ${HISTORY_SHARDS}
  datastores:
    default:${store(DATABASES.history, 20)}
    visibility:${store(DATABASES.visibility, 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:${service(ports.frontend!, ports.frontendMembership!, ports.frontendHttp)}
  history:${service(ports.history!, ports.historyMembership!)}
  matching:${service(ports.matching!, ports.matchingMembership!)}
  worker:${service(ports.worker!, ports.workerMembership!)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: "127.0.0.1:${ports.frontend}"
dcRedirectionPolicy:
  policy: noop
`;
}
