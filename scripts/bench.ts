/**
 * The benchmark of issue 3 — a script that prints figures, not a test:
 *
 *   npm run bench [-- --households 1000000 --seed 42 --as-of YYYY-MM-DD --chunk-size 50000 --concurrency 2]
 *
 * Writes a synthetic city of N households as the seven feed files (scripts/generate-city.ts) into
 * DATA_DIR/bench/cities, or reuses those of an earlier bench with the same households, seed and
 * as-of date. Then starts the system as it is deployed, each part on its own: PostgreSQL
 * (DATABASE_URL's server or an embedded one in DATA_DIR/bench/postgres, with a scratch database
 * dropped afterwards), a Temporal dev server, the worker (scripts/worker.ts) and the API
 * (api/server.ts) in processes of their own, their output in DATA_DIR/bench/*.log. Through the
 * API, as the city office would, it imports the seven files (`POST /imports` with a server-side
 * path) and runs the yearly tiering twice (`POST /tiering/runs`, followed at
 * `GET /tiering/runs/{id}`): for the year before the as-of date, when no household has a tier
 * yet, and for the as-of year, with its movements against the first.
 *
 * Before the import it loads the same files by plain COPY (scripts/bench/import-anchor.ts: the
 * anchor, and the same into logged copies of the feed tables), and prints the import against both.
 * Prints each feed's import time and rows/s; each run's time from its start until it is complete,
 * in force and its tiers are the households' current tiers, households/s and when each phase
 * began; the time of the last run's CSV export; and the peak resident memory (VmHWM) of the worker
 * and of the API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Connection } from '@temporalio/client';
import postgres from 'postgres';
import { connectDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { addYears, cstDateOf, isValidIsoDate, yearOf, type IsoDate } from '../policy/dates.js';
import { FEEDS, FEED_NAMES, type FeedName } from '../policy/feeds.js';
import type { TierThresholds } from '../policy/tiering.js';
import {
  DEFAULT_CHUNK_CONCURRENCY,
  DEFAULT_CHUNK_SIZE,
  MAX_CHUNK_CONCURRENCY,
  MAX_CHUNK_SIZE,
  TIERING_TASK_QUEUE,
} from '../workflows/tiering-run/contract.js';
import { copyAnchor, copyIntoFeedTables, importAgainstAnchor, type FeedSeconds } from './bench/import-anchor.js';
import { endsWithThisProcess } from './children.js';
import { loadConfig } from '../api/config.js';
import { defaultAsOf, writeCity } from './generate-city.js';
import { freePort, startPostgres, withDatabase } from './postgres.js';
import { startTemporalDevServer } from './temporal-dev-server.js';
import { benchApiLatency } from './bench/api-latency.js';
import { benchCaseThroughput } from './bench/case-throughput.js';
import { cpuBetween, cpuSnapshot, untilQuiet } from './bench/cpu-time.js';
import { CITY_OFFICE, apiCaller, count, tokenIssuer, type ApiCaller } from './bench/shared.js';
import { compareWithAnchor, tieringAnchor } from './bench/tiering-anchor.js';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const RUN_POLL_MS = 200;
const PROCESS_START_MS = 120_000;
const CITY_SUMMARY_FILE = 'city.json';
const NAMESPACE = 'default';
const UNLIMITED_PER_MINUTE = 100_000_000;

interface Options {
  households: number;
  seed: number;
  asOf: IsoDate;
  chunkSize: number;
  concurrency: number;
  cases: number;
  lanes: number;
  rate: number;
  latencySeconds: number;
}

interface RunRecord {
  runId: number;
  year: number;
  version: number;
  status: 'running' | 'completed' | 'failed';
  inForce: boolean;
  startedAt: string;
  tiersAppliedAt: string | null;
  processed: number;
  countsByTier: Record<string, number> | null;
  thresholds: TierThresholds;
  quotaBase: number | null;
  movements: { previousRun: unknown; moves: Record<string, number> } | null;
  progress: { phase: string; message: string | null } | null;
}

const stops: Array<() => Promise<unknown>> = [];

async function main(): Promise<void> {
  const options = parseOptions();
  const config = loadConfig();
  const benchDir = join(resolve(config.dataDir), 'bench');
  // The API reads imports from here only (IMPORT_DIR): the cities, not the database or the logs.
  const citiesDir = join(benchDir, 'cities');
  mkdirSync(citiesDir, { recursive: true });

  const cityDir = await cityFiles(citiesDir, options);

  const server = await startPostgres({ dataDir: join(benchDir, 'postgres'), port: await freePort(), database: 'postgres' });
  stops.push(server.stop);
  const scratchName = `bench_${process.pid}`;
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${scratchName}`);
  stops.push(async () => {
    await admin.unsafe(`drop database if exists ${scratchName} with (force)`);
    await admin.end();
  });
  const databaseUrl = withDatabase(server.url, scratchName);
  // Once here, so that neither process's start (nor its memory) includes the migrations' first run.
  const database = connectDatabase(databaseUrl, { max: 2 });
  stops.push(() => database.close());
  await migrateDatabase(database);

  const temporal = await startTemporal(benchDir);

  const authSecret = randomBytes(32).toString('hex');
  const apiPort = await freePort();
  const floorPort = await freePort();
  const processEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: NAMESPACE,
    AUTH_SECRET: authSecret,
    // The bench's own processes trust its own secret, whatever identity provider the shell names.
    AUTH_JWKS_URL: '',
    AUTH_ISSUER: '',
    AUTH_AUDIENCE: '',
    API_HOST: '127.0.0.1',
    API_PORT: String(apiPort),
    IMPORT_DIR: citiesDir,
    LOG_LEVEL: 'warn',
    BENCH_FLOOR_PORT: String(floorPort),
    // The cases are benched on whatever day it is, in or out of C-CYCLE's window.
    APPLICATION_WINDOW: 'year-round',
    // The limits are per client, and the bench is one client standing for a city's.
    RATE_LIMIT_PER_ACTOR: String(UNLIMITED_PER_MINUTE),
    RATE_LIMIT_ANONYMOUS_READS: String(UNLIMITED_PER_MINUTE),
  };
  const worker = startProcess('worker', 'scripts/worker.ts', processEnv, benchDir);
  const api = startProcess('api', 'scripts/bench/api-with-floor.ts', processEnv, benchDir);
  await Promise.all([
    until('the worker polls the tiering task queue', worker, () => workerPolls(temporal.connection)),
    until('the API answers', api, () => apiAnswers(apiPort)),
  ]);

  const token = tokenIssuer(authSecret);
  const apiBase = `http://127.0.0.1:${apiPort}`;
  const call = apiCaller(apiBase, token(CITY_OFFICE));

  const cityFile = Object.fromEntries(FEED_NAMES.map((feed) => [feed, join(cityDir, FEEDS[feed].fileName)])) as Record<FeedName, string>;
  const anchor = await copyAnchor(database.sql, cityFile);
  const intoFeedTables = await copyIntoFeedTables(database.sql, cityFile);
  const importSecondsByFeed = {} as FeedSeconds;

  console.log(`import of the seven feeds through POST /imports (server-side path), in order:`);
  const importStarted = performance.now();
  let rowsImported = 0;
  for (const feed of FEED_NAMES) {
    const started = performance.now();
    const report = await call<{ rowsRead: number; rowsAccepted: number; rowsRejected: number }>('POST', '/imports', {
      feed,
      path: relative(citiesDir, join(cityDir, FEEDS[feed].fileName)),
    });
    const elapsed = (performance.now() - started) / 1000;
    importSecondsByFeed[feed] = elapsed;
    rowsImported += report.rowsRead;
    console.log(
      `  ${FEEDS[feed].fileName.padEnd(22)} ${count(report.rowsRead).padStart(10)} rows ${elapsed.toFixed(1).padStart(6)} s ` +
        `${count(report.rowsRead / elapsed).padStart(9)} rows/s${report.rowsRejected > 0 ? `  (${count(report.rowsRejected)} rejected)` : ''}`,
    );
  }
  const importSeconds = (performance.now() - importStarted) / 1000;
  console.log(
    `  ${'all seven feeds'.padEnd(22)} ${count(rowsImported).padStart(10)} rows ${importSeconds.toFixed(1).padStart(6)} s ` +
      `${count(rowsImported / importSeconds).padStart(9)} rows/s`,
  );
  for (const line of importAgainstAnchor(importSecondsByFeed, anchor, intoFeedTables)) console.log(line);

  const { chunkSize, concurrency } = options;
  const runs = [
    { year: yearOf(options.asOf) - 1, asOf: addYears(options.asOf, -1), label: 'first run, no household tiered yet' },
    { year: yearOf(options.asOf), asOf: options.asOf, label: 'the following year, movements against the first' },
  ];
  let lastRunId = 0;
  for (const { label, ...run } of runs) {
    // The imports come weeks before the yearly run, and a year passes between two runs: autovacuum
    // has long caught up with what they wrote, so the run is not measured against it.
    const vacuumStarted = performance.now();
    await database.sql`vacuum (analyze)`;
    console.log(`vacuum (analyze), standing for the time before the run: ${seconds(vacuumStarted)}`);
    const measured = await tieringRun(call, { ...run, chunkSize, concurrency }, label);
    lastRunId = measured.runId;
    const anchor = await tieringAnchor(database.sql, run.asOf, measured.thresholds);
    for (const line of compareWithAnchor(measured, anchor)) console.log(line);
  }

  const exportStarted = performance.now();
  const exported = await call.download(`/tiering/runs/${lastRunId}/export.csv`);
  console.log(`export of the last run as CSV (GET /tiering/runs/${lastRunId}/export.csv): ${(exported / 1_048_576).toFixed(0)} MB in ${seconds(exportStarted)}`);

  const parts = { worker: worker.child.pid!, API: api.child.pid! };
  const beforeCases = cpuSnapshot(parts);
  const { caseIds, busiestDistrict } = await benchCaseThroughput({ sql: database.sql, token, apiBase, cases: options.cases, lanes: options.lanes });
  console.log(`  CPU time meanwhile: ${cpuBetween(beforeCases, cpuSnapshot(parts))}`);
  const quietAfterMs = await untilQuiet(parts, 'worker');
  console.log(`the worker was quiet (under 5% of a core) ${(quietAfterMs / 1000).toFixed(1)} s after the cases' last decision`);
  await benchApiLatency({
    sql: database.sql,
    token,
    apiBase,
    floorBase: `http://127.0.0.1:${floorPort}`,
    rate: options.rate,
    seconds: options.latencySeconds,
    caseIds,
    district: busiestDistrict,
    parts,
  });

  const [workerPeak, apiPeak] = [peakMemoryMb(worker), peakMemoryMb(api)];
  console.log(`peak resident memory (VmHWM): worker ${workerPeak} MB, API ${apiPeak} MB`);
}

/** The directory of the city's files for these options: written once, then reused by every bench with the same ones. */
async function cityFiles(citiesDir: string, options: Options): Promise<string> {
  const dir = join(citiesDir, `city-${options.households}-seed-${options.seed}-as-of-${options.asOf}`);
  const described = `${count(options.households)} households (seed ${options.seed}, as of ${options.asOf})`;
  // Its summary is written last: a directory without one was not finished.
  const summaryFile = join(dir, CITY_SUMMARY_FILE);
  if (existsSync(summaryFile)) {
    console.log(`city: ${described}, files reused from ${relative(repositoryRoot, dir)}`);
    return dir;
  }
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  const started = performance.now();
  const { households, seed, asOf } = options;
  const { files: _files, ...summary } = await writeCity({ households, seed, asOf, out: partial });
  writeFileSync(join(partial, CITY_SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  console.log(`city: ${described}, generated in ${seconds(started)} into ${relative(repositoryRoot, dir)}`);
  return dir;
}

/** Starts a run through the API and follows it until it is complete and its tiers are applied. */
async function tieringRun(
  call: ApiCaller,
  body: { year: number; asOf: IsoDate; chunkSize: number; concurrency: number },
  label: string,
): Promise<{ runId: number; seconds: number; countsByTier: Record<string, number> | null; thresholds: TierThresholds }> {
  const started = performance.now();
  const { runId } = await call<{ runId: number }>('POST', '/tiering/runs', body);
  const phases: string[] = [];
  let run: RunRecord;
  for (;;) {
    run = await call<RunRecord>('GET', `/tiering/runs/${runId}`);
    const phase = run.progress?.phase ?? run.status;
    if (phases.at(-1)?.startsWith(`${phase} `) !== true) phases.push(`${phase} from ${seconds(started)}`);
    if (run.status === 'failed' || run.progress?.phase === 'failed') {
      throw new Error(`tiering run ${runId} failed: ${run.progress?.message ?? 'see the worker log'}`);
    }
    if (run.status === 'completed' && run.tiersAppliedAt !== null) break;
    await new Promise((resolveWait) => setTimeout(resolveWait, RUN_POLL_MS));
  }
  // The workflow's own clock, from its start to its last range applied; the phases are as polled.
  const elapsed = (Date.parse(run.tiersAppliedAt) - Date.parse(run.startedAt)) / 1000;
  console.log(
    `tiering run ${body.year} as of ${body.asOf} (${label}): ${count(run.processed)} households in ${elapsed.toFixed(1)} s, ` +
      `${count(run.processed / elapsed)} households/s (chunks of ${count(body.chunkSize)}, ${body.concurrency} at a time)`,
  );
  console.log(`  phases (as polled): ${phases.join(', ')}`);
  console.log(`  tiers ${JSON.stringify(run.countsByTier)}, quota base ${count(run.quotaBase ?? 0)}`);
  if (run.movements?.previousRun) console.log(`  movements ${JSON.stringify(run.movements.moves)}`);
  return { runId, seconds: elapsed, countsByTier: run.countsByTier, thresholds: run.thresholds };
}

// ── The processes ─────────────────────────────────────────────────────────────────────────

interface BenchProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
}

function startProcess(name: string, entry: string, env: NodeJS.ProcessEnv, logDir: string): BenchProcess {
  const logFile = join(logDir, `${name}.log`);
  const log = openSync(logFile, 'w');
  // Node itself, not a wrapper, so that the PID's memory is the process's own.
  const child = spawn(process.execPath, ['--import', 'tsx', join(repositoryRoot, entry)], {
    cwd: repositoryRoot,
    env,
    stdio: ['ignore', log, log],
  });
  endsWithThisProcess(child);
  const exited = once(child, 'exit');
  stops.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  });
  return { name, child, logFile };
}

async function until(what: string, starting: BenchProcess, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + PROCESS_START_MS;
  while (!(await ready().catch(() => false))) {
    if (starting.child.exitCode !== null) {
      throw new Error(`the ${starting.name} process exited with code ${starting.child.exitCode}; see ${starting.logFile}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; see ${starting.logFile}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
}

/** A Temporal dev server in memory, its output in the bench's log rather than among the figures. */
async function startTemporal(logDir: string): Promise<{ address: string; connection: Connection }> {
  const server = await startTemporalDevServer({ port: await freePort(), namespace: NAMESPACE, logFile: join(logDir, 'temporal.log') });
  stops.push(server.stop);
  const connection = await Connection.connect({ address: server.address });
  stops.push(() => connection.close());
  return { address: server.address, connection };
}

async function workerPolls(connection: Connection): Promise<boolean> {
  const { pollers } = await connection.workflowService.describeTaskQueue({
    namespace: NAMESPACE,
    taskQueue: { name: TIERING_TASK_QUEUE },
  });
  return (pollers ?? []).length > 0;
}

async function apiAnswers(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/health`);
  return response.ok;
}

/** The high-water mark of the process's resident memory, from /proc: what it needed at its peak. */
function peakMemoryMb(measured: BenchProcess): string {
  const status = readFileSync(`/proc/${measured.child.pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmHWM line in /proc/${measured.child.pid}/status`);
  return count(Number(match[1]) / 1024);
}

// ── Options and output ────────────────────────────────────────────────────────────────────

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      households: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '42' },
      'as-of': { type: 'string' },
      'chunk-size': { type: 'string', default: String(DEFAULT_CHUNK_SIZE) },
      concurrency: { type: 'string', default: String(DEFAULT_CHUNK_CONCURRENCY) },
      cases: { type: 'string', default: '1000' },
      lanes: { type: 'string', default: '16' },
      rate: { type: 'string', default: '200' },
      'latency-seconds': { type: 'string', default: '10' },
    },
  });
  const today = cstDateOf(Date.now());
  const integer = (name: keyof typeof values, min: number, max: number): number => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new UsageError(`--${name} must be a whole number from ${count(min)} to ${count(max)}, got ${values[name]}`);
    }
    return value;
  };
  const asOf = values['as-of'] ?? defaultAsOf(today);
  if (!isValidIsoDate(asOf) || asOf > today) throw new UsageError(`--as-of must be a date YYYY-MM-DD not after today (${today}), got ${asOf}`);
  return {
    households: integer('households', 1, 10_000_000),
    seed: integer('seed', 0, 2 ** 32 - 1),
    asOf,
    chunkSize: integer('chunk-size', 1, MAX_CHUNK_SIZE),
    concurrency: integer('concurrency', 1, MAX_CHUNK_CONCURRENCY),
    cases: integer('cases', 1, 100_000),
    lanes: integer('lanes', 1, 1_000),
    rate: integer('rate', 1, 100_000),
    latencySeconds: integer('latency-seconds', 1, 3_600),
  };
}

class UsageError extends Error {}

const USAGE =
  'usage: npm run bench -- [--households N] [--seed N] [--as-of YYYY-MM-DD] [--chunk-size N] [--concurrency N] [--cases N] [--lanes N] [--rate N] [--latency-seconds N]';

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

let stopping: Promise<void> | undefined;
function stop(): Promise<void> {
  stopping ??= (async () => {
    for (const step of stops.reverse()) await step().catch((err: unknown) => console.error('while stopping:', err));
  })();
  return stopping;
}

process.on('SIGINT', () => void stop().then(() => process.exit(130)));
main().then(
  () => stop(),
  async (err: unknown) => {
    console.error(err instanceof UsageError ? `${err.message}\n${USAGE}` : err);
    await stop();
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
