/**
 * Fuzzes the running API with schemathesis against its own OpenAPI document (/docs/json): once
 * per role with a real demo actor's token and once without a token, every check on. The API
 * runs on a real Temporal dev server and a PostgreSQL database of its own, loaded with the demo
 * city and tiered by a real yearly run, so that what the fuzzer does stays out of the other test
 * files' data. Any server error, undocumented status or answer that breaks its schema fails.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { connectDatabase, type Database } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import type { Actor } from '../../policy/actors.js';
import { cstDateOf } from '../../policy/dates.js';
import { YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { DEMO_HOUSEHOLDS, ensureDemoTiering, seedDemoData } from '../../scripts/demo-data.js';
import { schemathesisPath } from '../../scripts/toolchain.js';
import { createWorkers } from '../../workflows/worker.js';
import { createDevServerEnv } from '../support/temporal.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'fuzzing-test-secret-with-at-least-32-bytes';
/** Per run: the examples each operation gets in the fuzzing phase, and the time the run may take. */
const MAX_EXAMPLES = 12;
const MAX_SECONDS = 25;
const reportDir = fileURLToPath(new URL(`../../.data/fuzz-${process.pid}/`, import.meta.url));

const household = DEMO_HOUSEHOLDS[1];
const ACTORS: Array<[string, Actor | null]> = [
  ['household', { id: household.uscc, role: 'household', uscc: household.uscc }],
  ['district', { id: `reviewer-${household.districtCode}`, role: 'district', districtCode: household.districtCode }],
  ['department', { id: 'commerce-officer', role: 'department', department: 'commerce', districtCode: household.districtCode }],
  ['city', { id: 'city-supervisor', role: 'city' }],
  ['no token', null],
];

let admin: postgres.Sql;
let databaseName: string;
let database: Database;
let env: TestWorkflowEnvironment;
let workers: Worker[];
let workerRuns: Promise<unknown>;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  // A database of its own: the fuzzer's writes (runs, imports, cases) stay out of the shared one.
  const shared = new URL(inject('databaseUrl'));
  admin = postgres(shared.toString(), { max: 1, onnotice: () => {} });
  databaseName = `fuzz_${process.pid}_${Date.now()}`;
  await admin.unsafe(`create database ${databaseName}`);
  shared.pathname = `/${databaseName}`;
  database = connectDatabase(shared.toString(), { max: 10 });
  await migrateDatabase(database);

  env = await createDevServerEnv();
  workers = await createWorkers({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    db: database.db,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  workerRuns = Promise.all(workers.map((worker) => worker.run()));
  const today = cstDateOf(Date.now());
  await seedDemoData(database, today);
  await ensureDemoTiering(database, env.client, today);

  app = await buildApp({
    database,
    temporal: env.client,
    authSecret: SECRET,
    caseSettings: DEFAULT_CASE_SETTINGS,
    eligibilitySettings: YEAR_ROUND_ELIGIBILITY_SETTINGS,
    // The fuzzer tests the routes, not the limiter (test/api/http-guards.test.ts does): it may send as fast as it can.
    rateLimits: { perActorPerMinute: 1_000_000, anonymousReadsPerMinute: 1_000_000, anonymousWritesPerMinute: 1_000_000 },
  });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  mkdirSync(reportDir, { recursive: true });
}, 180_000);

afterAll(async () => {
  await app?.close();
  for (const worker of workers ?? []) if (worker.getState() === 'RUNNING') worker.shutdown();
  await workerRuns;
  await database?.close();
  await env?.teardown();
  if (databaseName) await admin.unsafe(`drop database if exists ${databaseName} with (force)`);
  await admin?.end();
});

interface FuzzRun {
  status: number | null;
  output: string;
}

function schemathesis(name: string, actor: Actor | null): Promise<FuzzRun> {
  const args = [
    '--config-file',
    fileURLToPath(new URL('./schemathesis.toml', import.meta.url)),
    'run',
    `${baseUrl}/docs/json`,
    '--url',
    baseUrl,
    '--checks',
    'all',
    '--max-examples',
    String(MAX_EXAMPLES),
    '--max-time',
    String(MAX_SECONDS),
    // One worker: schemathesis's schema compilation is not safe across threads on Python 3.11 (SystemError: AST constructor recursion depth mismatch).
    '--workers',
    '1',
    '--seed',
    '20261205',
    '--request-timeout',
    '10',
    '--max-response-time',
    '5',
    '--suppress-health-check',
    'all',
    '--no-color',
    '--generation-database',
    'none',
    '--report',
    'junit',
    '--report-junit-path',
    `${reportDir}${name.replace(/\W+/g, '-')}.xml`,
    ...(actor ? ['--header', `Authorization: ${bearerFor(SECRET)(actor).authorization}`] : []),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(schemathesisPath(), args, { cwd: reportDir, env: { ...process.env, SCHEMATHESIS_HOOKS: fileURLToPath(new URL('./hooks.py', import.meta.url)), NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

/** schemathesis's closing lines: the test phases, the failures by check and the totals. */
function summary(output: string): string {
  const start = output.search(/^=+ SUMMARY =+$/m);
  return start < 0 ? output.slice(-4000) : output.slice(start);
}

describe('schemathesis over the OpenAPI document, every check on', () => {
  it.each(ACTORS)('finds no server error, undocumented status or schema mismatch as %s', async (name, actor) => {
    const run = await schemathesis(name, actor);
    console.log(`schemathesis as ${name}:\n${summary(run.output)}`);
    expect(run.status, run.output.slice(-20_000)).toBe(0);
  }, 120_000);
});
