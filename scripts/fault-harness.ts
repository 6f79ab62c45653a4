/**
 * The parts of the system as processes that faults can be done to: a PostgreSQL of its own that
 * can be restarted on the same port, a Temporal dev server on a SQLite file that can be restarted
 * with its history, and worker processes that can be stopped, killed and started again. Used by
 * the fault tests and by `npm run soak`; everything listens on 127.0.0.1 only.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import postgres from 'postgres';
import { freePort, startPostgres, type RunningPostgres } from './postgres.js';
import { endsWithThisProcess } from './children.js';
import { startTemporalDevServer, type TemporalDevServer } from './temporal-dev-server.js';
import { temporalCliPath } from './toolchain.js';

export interface RestartablePostgres {
  url: string;
  port: number;
  /** Fast shutdown (every backend told to terminate), a pause, and a start on the same data and port. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Terminates the backends whose current query matches `pattern` (ILIKE); answers how many. */
  terminateBackends(pattern: string): Promise<number>;
}

export async function restartablePostgres(dataDir: string, database: string): Promise<RestartablePostgres> {
  const port = await freePort();
  let server: RunningPostgres | null = await startPostgres({ dataDir, port, database });
  const url = server.url;
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const harness: RestartablePostgres = {
    url,
    port,
    async stop() {
      await server?.stop();
      server = null;
    },
    async start() {
      server ??= await startPostgres({ dataDir, port, database });
    },
    async restart(downMs = 1_000) {
      await harness.stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await harness.start();
    },
    async terminateBackends(pattern) {
      const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
      try {
        const rows = await admin`
          select pg_terminate_backend(pid) as terminated from pg_stat_activity
          where pid <> pg_backend_pid() and datname = ${database} and query ilike ${pattern} and state <> 'idle'`;
        return rows.filter((row) => row.terminated).length;
      } finally {
        await admin.end({ timeout: 1 });
      }
    },
  };
  return harness;
}

export interface RestartableTemporal {
  address: string;
  namespace: string;
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A Temporal dev server keeping its history in `dataDir`/temporal.sqlite, so that a restart loses nothing. */
export async function restartableTemporal(dataDir: string): Promise<RestartableTemporal> {
  mkdirSync(dataDir, { recursive: true });
  const namespace = 'default';
  const options = { port: await freePort(), namespace, logFile: join(dataDir, 'temporal.log'), dbFile: join(dataDir, 'temporal.sqlite') };
  let server: Promise<TemporalDevServer> | null = null;
  const start = async () => {
    server ??= startTemporalDevServer(options).catch((err: unknown) => {
      server = null;
      throw err;
    });
    await server;
  };
  const stop = async () => {
    const running = server;
    server = null;
    await (await running)?.stop();
  };
  await start();
  return {
    address: `127.0.0.1:${options.port}`,
    namespace,
    start,
    stop,
    async restart(downMs = 1_000) {
      await stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
  };
}

export interface WorkerProcess {
  child: ChildProcess;
  /** The last lines it wrote to standard error: why it failed, if it did. */
  errorOutput(): string;
  /** Whether it is still running; a worker must outlive every fault done to the database or Temporal. */
  alive(): boolean;
  /** SIGSTOP: it holds what it holds, doing nothing, until thawed (SIGCONT). */
  freeze(): void;
  thaw(): void;
  /** SIGTERM: the worker finishes its tasks and exits. */
  stop(): Promise<void>;
  /** SIGKILL. */
  kill(): Promise<void>;
}

/**
 * Starts `entry` (a worker script that prints `ready` once it polls, or a process whose
 * `readyLine` is null: not waited for) with `env` added, through `nodeOptions` (tsx unless given),
 * and waits until it is ready. Its standard error is kept (the activity failures the faults cause
 * are logged there), to show when it dies.
 */
export async function startWorkerProcess(
  entry: string,
  cwd: string,
  env: Record<string, string>,
  { nodeOptions = ['--import', 'tsx'], readyLine = 'ready' }: { nodeOptions?: string[]; readyLine?: string | null } = {},
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [...nodeOptions, entry], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  endsWithThisProcess(child);
  const errorLines: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    errorLines.push(line);
    if (errorLines.length > 200) errorLines.shift();
  });
  // Read whether or not a line is awaited, so that a full pipe never stalls the process.
  const output = createInterface({ input: child.stdout! });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (readyLine !== null) {
    await new Promise<void>((ready, failed) => {
      output.on('line', (line) => line === readyLine && ready());
      child.once('exit', (code, signal) => failed(new Error(`${entry} exited (${code ?? signal}) before it was ready:\n${errorLines.join('\n')}`)));
    });
  }
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    errorOutput: () => errorLines.join('\n'),
    alive,
    freeze: () => child.kill('SIGSTOP'),
    thaw: () => child.kill('SIGCONT'),
    async stop() {
      if (alive()) {
        child.kill('SIGTERM');
        // A frozen process would hold the SIGTERM until it is thawed.
        child.kill('SIGCONT');
      }
      await exited;
    },
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `condition` every 50 ms until it holds, or fails after `timeoutMs`. */
export async function waitUntil(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `promise`, or a failure naming `what` once `timeoutMs` passed: a fault test says which step never ended. */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s: ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What the Temporal server says of a workflow, asked by the CLI over a connection of its own (so
 * that a wedged connection of the caller's shows as a difference): its description (pending
 * workflow task, pending activities) and its history's last events. For a failed fault test's report.
 */
export async function temporalWorkflowReport(address: string, namespace: string, workflowId: string): Promise<string> {
  const cli = (...args: string[]) =>
    new Promise<string>((resolve) => {
      execFile(temporalCliPath(), ['workflow', ...args, '--workflow-id', workflowId, '--address', address, '--namespace', namespace], { timeout: 10_000 }, (error, stdout, stderr) =>
        resolve(error ? `${stdout}${stderr}(${error.message.split('\n')[0]})` : stdout),
      );
    });
  const [description, history] = await Promise.all([cli('describe'), cli('show')]);
  return `${workflowId}\n${description}\n${history.split('\n').slice(-40).join('\n')}`;
}
