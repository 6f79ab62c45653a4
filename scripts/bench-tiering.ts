/**
 * Benchmark of the yearly tiering run (T-RUN) — a script that prints figures, not a test.
 *
 *   npx tsx scripts/bench-tiering.ts [--households 1000000] [--chunk-size 50000] [--concurrency 2]
 *
 * Fills a scratch database with synthetic households and their feeds (the registrations by COPY,
 * the other feeds set-based from them), starts a Temporal dev server and a real worker in a
 * process of its own, and runs the tiering workflow for two years: 2024, when no household has a
 * tier yet, and — after a VACUUM ANALYZE standing for the year in between — 2025, the steady
 * state: movements against 2024, and every household's current tier replaced. Prints the run
 * times with the moment each phase began, households per second, and the worker's peak resident
 * memory and CPU time. PostgreSQL is
 * DATABASE_URL's server (a scratch database is created there and dropped afterwards) or an
 * embedded one in DATA_DIR/postgres-bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, bundleWorkflowCode } from '@temporalio/worker';
import postgres from 'postgres';
import type { FinalizedRun } from '../activities/tiering.js';
import { connectDatabase, type Database } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { TIANJIN_DISTRICTS } from '../policy/districts.js';
import { usccCheckCharacter } from '../policy/uscc.js';
import {
  DEFAULT_CHUNK_CONCURRENCY,
  DEFAULT_CHUNK_SIZE,
  TIERING_RUN_WORKFLOW_TYPE,
  TIERING_TASK_QUEUE,
  tieringProgressQuery,
  tieringRunWorkflowId,
  type TieringRunInput,
} from '../workflows/tiering-run/contract.js';
import { WORKFLOWS_PATH, createWorker } from '../workflows/worker.js';
import { loadConfig } from './config.js';
import { freePort, startPostgres } from './postgres.js';
import { temporalCliPath } from './toolchain.js';

const { values: options } = parseArgs({
  options: {
    households: { type: 'string', default: '1000000' },
    'chunk-size': { type: 'string', default: String(DEFAULT_CHUNK_SIZE) },
    concurrency: { type: 'string', default: String(DEFAULT_CHUNK_CONCURRENCY) },
    worker: { type: 'boolean', default: false },
  },
});

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

if (options.worker) await runWorker();
else await main();

async function main(): Promise<void> {
  const households = positive('households');
  const chunkSize = positive('chunk-size');
  const concurrency = positive('concurrency');
  const config = loadConfig();
  const server = await startPostgres({
    dataDir: join(resolve(config.dataDir), 'postgres-bench'),
    port: await freePort(),
    database: 'postgres',
  });
  const scratchName = `tiering_bench_${process.pid}`;
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${scratchName}`);
  const url = new URL(server.url);
  url.pathname = `/${scratchName}`;
  const database = connectDatabase(url.toString(), { max: 4 });
  let env: TestWorkflowEnvironment | undefined;
  let worker: ChildProcess | undefined;
  // Bundled here, so that the worker's peak memory is the run's, not webpack's.
  const bundleDir = mkdtempSync(join(tmpdir(), 'tiering-bench-'));
  const bundlePath = join(bundleDir, 'workflows.js');
  try {
    writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger })).code);
    await migrateDatabase(database);
    let started = performance.now();
    await fillHouseholds(database, households);
    console.log(`filled ${households.toLocaleString('en')} households and their feeds in ${seconds(started)}`);

    env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: temporalCliPath() }, ui: false },
    });
    const address = env.address;
    worker = await startWorkerProcess(url.toString(), address, bundlePath);

    const years = [
      { year: 2024, label: 'first run, 2024 (no household tiered yet)' },
      { year: 2025, label: 'yearly run, 2025 (movements against 2024, every current tier replaced)' },
    ];
    for (const { year, label } of years) {
      if (year === 2025) await database.sql`vacuum analyze`;
      started = performance.now();
      const handle = await env.client.workflow.start(TIERING_RUN_WORKFLOW_TYPE, {
        taskQueue: TIERING_TASK_QUEUE,
        workflowId: tieringRunWorkflowId(year, randomUUID()),
        args: [
          { year, asOf: `${year}-08-01`, requestedBy: { id: 'bench', role: 'city' }, chunkSize, concurrency } satisfies TieringRunInput,
        ],
      });
      // Each phase's start, from the workflow's own progress query.
      const phases: string[] = [];
      const ticker = setInterval(() => {
        handle
          .query(tieringProgressQuery)
          .then((p) => {
            if (phases.at(-1)?.startsWith(p.phase) !== true) phases.push(`${p.phase} from ${seconds(started)}`);
          })
          .catch(() => {});
      }, 250);
      const result = (await handle.result()) as FinalizedRun;
      clearInterval(ticker);
      const elapsed = (performance.now() - started) / 1000;
      console.log(
        `${label}: ${result.run.processed.toLocaleString('en')} households in ${elapsed.toFixed(1)} s ` +
          `(${Math.round(result.run.processed / elapsed).toLocaleString('en')} households/s), ` +
          `chunks of ${chunkSize.toLocaleString('en')}, ${concurrency} at a time; ${result.tierChanges.toLocaleString('en')} tier changes`,
      );
      console.log(`  phases: ${phases.join(', ')}; done at ${elapsed.toFixed(1)} s`);
      console.log(`  counts ${JSON.stringify(result.run.countsByTier)}, quota base ${result.run.quotaBase}`);
      if (result.run.movements?.previousRun) console.log(`  movements ${JSON.stringify(result.run.movements.moves)}`);
    }
    const usage = await stopWorkerProcess(worker);
    worker = undefined;
    console.log(`worker: peak RSS ${(usage.maxRssKb / 1024).toFixed(0)} MB, ${usage.cpuSeconds.toFixed(1)} s CPU over both runs`);
  } finally {
    worker?.kill('SIGKILL');
    await env?.teardown();
    await database.close();
    await admin.unsafe(`drop database if exists ${scratchName} with (force)`);
    await admin.end();
    await server.stop();
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

/** The worker as a deployment runs it: all task queues' activities, here serving the tiering queue. */
async function runWorker(): Promise<void> {
  const database = connectDatabase(requiredEnv('DATABASE_URL'));
  const connection = await NativeConnection.connect({ address: requiredEnv('TEMPORAL_ADDRESS') });
  const worker = await createWorker({
    connection,
    namespace: 'default',
    db: database.db,
    taskQueue: TIERING_TASK_QUEUE,
    workflowBundle: { codePath: requiredEnv('WORKFLOW_BUNDLE_PATH') },
  });
  console.log('ready');
  console.error(`worker ready, RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
  await worker.run();
  await Promise.all([connection.close(), database.close()]);
  const usage = process.resourceUsage();
  console.log(JSON.stringify({ maxRssKb: usage.maxRSS, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6 }));
}

async function startWorkerProcess(databaseUrl: string, temporalAddress: string, bundlePath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, WORKFLOW_BUNDLE_PATH: bundlePath },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((ready, failed) => {
    lines.on('line', (line) => line === 'ready' && ready());
    child.once('exit', (code) => failed(new Error(`the worker exited with code ${code}`)));
  });
  return child;
}

async function stopWorkerProcess(child: ChildProcess): Promise<{ maxRssKb: number; cpuSeconds: number }> {
  const lines = createInterface({ input: child.stdout! });
  const report = new Promise<{ maxRssKb: number; cpuSeconds: number }>((answer) => {
    lines.on('line', (line) => {
      if (line.startsWith('{')) answer(JSON.parse(line) as { maxRssKb: number; cpuSeconds: number });
    });
  });
  child.kill('SIGTERM');
  return report;
}

/**
 * Synthetic households spread over the 16 districts and the years since 2000, and feeds derived
 * from a hash of each USCC so that every clause passes and fails somewhere: unfiled reports,
 * revenue from nothing to millions, general taxpayers, tax paid, abnormal tax households,
 * employees insured, trademarks and patents, abnormal-operation listings (some cleared),
 * suspensions, and households younger than two years.
 */
async function fillHouseholds(database: Database, count: number): Promise<void> {
  const { sql } = database;
  const districts = Object.keys(TIANJIN_DISTRICTS);
  function* registrations(): Generator<string> {
    let batch = '';
    for (let i = 0; i < count; i++) {
      const district = districts[i % districts.length]!;
      const first17 = `92${district}B${String(i).padStart(8, '0')}`;
      const status = i % 40 === 0 ? 'revoked' : 'active';
      const establishedDay = (i * 7919) % 9_300;
      const suspended = i % 100 === 7 ? '2024-06-01' : '\\N';
      batch += `${first17}${usccCheckCharacter(first17)}\t个体户${i}\top-${i}\t经营者\t${district}\t${establishedDay}\t${status}\t${i % 3 === 0}\t${suspended}\n`;
      if (i % 10_000 === 9_999) {
        yield batch;
        batch = '';
      }
    }
    if (batch !== '') yield batch;
  }
  // One connection: the temporary tables are its own.
  await sql.begin(async (tx) => {
    await tx`create temporary table bench_registrations (
      uscc text, name text, operator_id text, operator_name text, district_code text,
      established_day int, status text, seasonal boolean, suspended_on date)`.simple();
    await pipeline(Readable.from(registrations()), await tx`copy bench_registrations from stdin`.writable());
    await tx`
      insert into households (uscc, name, operator_id, operator_name, district_code, established_on, status, seasonal, suspended_on)
      select uscc, name, operator_id, operator_name, district_code,
             date '2000-01-01' + established_day, status, seasonal, suspended_on
      from bench_registrations`;
    await tx`create temporary table bench_seed as
      select uscc, established_on, abs(hashtext(uscc)) as h from households`;
    await tx`
      insert into annual_reports (uscc, year, filed_on, revenue)
      select uscc, year, make_date(year + 1, 3 + h % 4, 1 + h % 28), round(power((h / 7) % 1000, 2) * 1.2)
      from bench_seed, generate_series(2023, 2024) as year
      where h % 20 <> 0 and established_on < make_date(year + 1, 1, 1)`;
    await tx`
      insert into tax_records (uscc, year, tax_registered_on, general_taxpayer, vat_paid, iit_paid, abnormal)
      select uscc, year, established_on + 20, h % 33 = 0, case when h % 3 = 0 then 1200 else 0 end, 0, h % 97 = 0
      from bench_seed, generate_series(2023, 2024) as year`;
    await tx`
      insert into social_insurance (uscc, year, insured_count)
      select uscc, 2024, 1 + (h / 11) % 6 from bench_seed where h % 4 = 0`;
    await tx`
      insert into ip_rights (kind, registration_no, uscc, holder, in_use)
      select 'trademark', 'TM' || uscc, uscc, 'household', h % 100 = 0 from bench_seed where h % 50 = 0
      union all
      select 'patent', 'ZL' || uscc, uscc, 'operator', false from bench_seed where h % 200 = 1`;
    await tx`
      insert into credit_events (uscc, kind, listed_on, cleared_on)
      select uscc, 'abnormal_operation', date '2023-05-01', case when h % 120 = 0 then date '2024-01-10' end
      from bench_seed where h % 60 = 0`;
  });
  await sql`analyze`;
}

function positive(name: 'households' | 'chunk-size' | 'concurrency'): number {
  const value = Number(options[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${options[name]}`);
  return value;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}
