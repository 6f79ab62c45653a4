// Faults done to the real parts while they work: a PostgreSQL of this file's own restarted under a
// running worker and a running tiering run, backends terminated in the middle of a chunk, the
// worker stopped between a decision's send and its answer, and the Temporal dev server restarted.
// Each asserts that nothing was lost, nothing counted twice, and which answers the API gave.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FinalizedRun } from '../../activities/tiering-types.js';
import { buildApp } from '../../api/app.js';
import { connectDatabase, type Database } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import type { Actor } from '../../policy/actors.js';
import { cstDateOf } from '../../policy/dates.js';
import { YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import {
  restartablePostgres,
  restartableTemporal,
  startWorkerProcess,
  temporalWorkflowReport,
  waitUntil,
  within,
  type RestartablePostgres,
  type RestartableTemporal,
  type WorkerProcess,
} from '../../scripts/fault-harness.js';
import { TIERING_RUN_WORKFLOW_TYPE, awaitPreparedUpdate, tieringRunWorkflowId, type TieringRunInput } from '../../workflows/tiering-run/contract.js';
import { districtOffice, registerHousehold } from '../support/stack.js';
import { expectedCounts, insertFixtureHouseholds, type FixtureHousehold } from '../support/tiering-data.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'faults-test-secret-with-at-least-32-bytes';
const CITY: Actor = { id: 'city-supervisor', role: 'city' };
const HOUSEHOLDS = 600;
const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const workerEntry = fileURLToPath(new URL('../support/tiering-worker.ts', import.meta.url));
const dataDir = fileURLToPath(new URL(`../../.data/faults-${process.pid}/`, import.meta.url));
const taskQueue = `faults-${randomUUID()}`;
/** How long a stopped worker may take before it exits whatever it holds (production: 45 s). */
const STOP_DEADLINE_MS = 5_000;

let pg: RestartablePostgres;
let temporal: RestartableTemporal;
let database: Database;
let client: Client;
let app: FastifyInstance;
let fixtures: FixtureHousehold[];
let worker: WorkerProcess;
const workers: WorkerProcess[] = [];
/** The workflows the current test started, described in its report if it fails. */
let testWorkflows: string[] = [];

async function startWorker(env: Record<string, string> = {}): Promise<WorkerProcess> {
  const started = await startWorkerProcess(workerEntry, repositoryRoot, {
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TASK_QUEUE: taskQueue,
    WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
    WORKER_STOP_DEADLINE_MS: String(STOP_DEADLINE_MS),
    ...env,
  });
  workers.push(started);
  return started;
}

beforeAll(async () => {
  [pg, temporal] = await Promise.all([restartablePostgres(`${dataDir}pg`, 'faults'), restartableTemporal(`${dataDir}temporal`)]);
  database = connectDatabase(pg.url, { max: 4 });
  await migrateDatabase(database);
  fixtures = await insertFixtureHouseholds(database, { count: HOUSEHOLDS, years: [2025], prefix: 'FT' });
  client = new Client({ connection: await Connection.connect({ address: temporal.address }), namespace: temporal.namespace });
  app = await buildApp({
    database,
    temporal: client,
    authSecret: SECRET,
    caseSettings: DEFAULT_CASE_SETTINGS,
    eligibilitySettings: YEAR_ROUND_ELIGIBILITY_SETTINGS,
    taskQueue,
  });
  worker = await startWorker();
}, 180_000);

// What the workers and the Temporal server said, and what the server holds of the test's
// workflows, kept where a failed test's report shows it (the data directory goes with afterAll).
afterEach(async ({ task }) => {
  const started = testWorkflows;
  testWorkflows = [];
  if (task.result?.state !== 'fail') return;
  const temporalLog = `${dataDir}temporal/temporal.log`;
  const lastLines = (text: string) => text.split('\n').slice(-60).join('\n');
  console.error(`the workers' last lines:\n${workers.map((w) => `${w.alive() ? 'alive' : `exited ${w.child.exitCode ?? w.child.signalCode}`}\n${lastLines(w.errorOutput())}`).join('\n---\n')}`);
  if (existsSync(temporalLog)) console.error(`the Temporal server's last lines:\n${lastLines(readFileSync(temporalLog, 'utf8'))}`);
  const reports = await Promise.all(started.map((workflowId) => temporalWorkflowReport(temporal.address, temporal.namespace, workflowId)));
  console.error(`the test's workflows, as the Temporal server holds them:\n${reports.join('\n---\n')}`);
}, 30_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  await app?.close();
  await client?.connection.close();
  await database?.close();
  await temporal?.stop();
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const bearer = bearerFor(SECRET);

/** Starts a 2025 run in chunks of `chunkSize`, small enough for a fault to strike mid-run; answers its handle and ID. */
async function startRun(chunkSize: number): Promise<{ handle: WorkflowHandle; runId: number }> {
  const input: TieringRunInput = { year: 2025, asOf: '2025-08-01', requestedBy: CITY, chunkSize, concurrency: 2 };
  const handle = await client.workflow.start(TIERING_RUN_WORKFLOW_TYPE, { taskQueue, workflowId: tieringRunWorkflowId(2025, randomUUID()), args: [input] });
  testWorkflows.push(handle.workflowId);
  const prepared = await within('the run is prepared', handle.executeUpdate(awaitPreparedUpdate));
  if (prepared.outcome !== 'prepared') throw new Error(`the run was refused: ${prepared.message}`);
  return { handle, runId: prepared.runId };
}

/** What a completed run must be: every household once, the counts of the fixtures, no chunk row twice. */
async function expectExactRun(runId: number, run: FinalizedRun['run'], chunkSize: number): Promise<void> {
  const expected = expectedCounts(fixtures, 2025);
  expect(run).toMatchObject({ runId, status: 'completed', households: HOUSEHOLDS, processed: HOUSEHOLDS, countsByTier: expected.byTier, countsByDistrict: expected.byDistrict });
  const [stored] = await database.sql`
    select (select count(*)::int from tiering_results where run_id = ${runId}) as results,
           (select count(*)::int from tiering_run_chunks where run_id = ${runId}) as chunks,
           (select sum(households)::int from tiering_run_chunks where run_id = ${runId}) as chunked`;
  expect(stored).toEqual({ results: HOUSEHOLDS, chunks: HOUSEHOLDS / chunkSize, chunked: HOUSEHOLDS });
  const [current] = await database.sql`select count(*)::int as households from household_tiers where run_id = ${runId}`;
  expect(current!.households).toBe(HOUSEHOLDS);
}

async function processedOf(runId: number): Promise<number> {
  const [row] = await database.sql`select processed from tiering_runs where id = ${runId}`;
  return row!.processed as number;
}

/** A household of `district` applies; answers once its review has its due date, with the reviewer and a reader of the case. */
/** Whether a transaction of the worker's waits on a lock another holds (the tests hold one to catch a save mid-way). */
async function aSaveWaitsOnALock(): Promise<boolean> {
  const [row] = await database.sql`select count(*)::int as waiting from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`;
  return row!.waiting > 0;
}

async function caseUnderReview(district: string) {
  const { uscc, actor: household } = await registerHousehold(database, district);
  const reviewer = districtOffice(district);
  const applied = await app.inject({ method: 'POST', url: '/applications', headers: bearer(household), payload: { uscc, category: 'quality', claimedCriteria: ['Q1'] } });
  const caseId = applied.json().caseId as string;
  testWorkflows.push(caseId);
  const read = (path = '') => app.inject({ method: 'GET', url: `/cases/${caseId}${path}`, headers: bearer(reviewer) });
  await waitUntil('the review has its due date', async () => (await read()).json().deadline !== null);
  return { caseId, reviewer, read };
}

describe('a transaction whose connection is lost', () => {
  it('stops: nothing of it is committed, the process lives, and the pool answers on fresh connections', async () => {
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    await admin`create table if not exists fault_probe (x int)`;
    await admin`truncate fault_probe`;
    const { sql } = database;
    const terminate = (pid: number) => admin`select pg_terminate_backend(${pid})`.then(() => undefined);

    // Terminated during a statement: postgres.js's own ROLLBACK would have gone to the closed connection.
    const duringStatement = sql.begin(async (tx) => {
      const [{ pid }] = (await tx`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
      setTimeout(() => void terminate(pid), 100);
      await tx`insert into fault_probe values (1)`;
      await tx`select pg_sleep(2)`;
    });
    await expect(duringStatement).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });

    // Terminated between statements, and the pool reconnects the connection before the callback goes on.
    const betweenStatements = sql.begin(async (tx) => {
      const [{ pid }] = (await tx`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
      await terminate(pid);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await Promise.all([sql`select 1`, sql`select 2`, sql`select 3`, sql`select 4`]);
      await tx`insert into fault_probe values (2)`;
    });
    await expect(betweenStatements).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });

    // Terminated in the middle of a COPY.
    const duringCopy = sql.begin(async (tx) => {
      const [{ pid }] = (await tx`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
      const copy = await tx`copy fault_probe (x) from stdin`.writable();
      async function* lines() {
        for (let i = 0; i < 100; i++) {
          if (i === 20) void terminate(pid);
          yield `${i}\n`;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
      await pipeline(Readable.from(lines()), copy);
      await tx`insert into fault_probe values (3)`;
    });
    await expect(duringCopy).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });

    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await admin`select count(*)::int as rows from fault_probe`).toEqual([{ rows: 0 }]);
    for (let i = 0; i < 20; i++) expect(await sql`select ${i}::int as i`).toEqual([{ i }]);
    await admin`drop table fault_probe`;
    await admin.end();
  });
});

describe('a tiering run', () => {
  it('completes with exact counts when the backends of its chunks are terminated mid-chunk', { timeout: 300_000 }, async () => {
    const { handle, runId } = await startRun(10);
    let terminated = 0;
    while (terminated < 3) {
      const result = await Promise.race([handle.result().then(() => 'done' as const), new Promise((r) => setTimeout(r, 150))]);
      if (result === 'done') break;
      terminated += await pg.terminateBackends('copy tiering_results%');
    }
    const { run } = (await within('the run completes after the restart', handle.result(), 180_000)) as FinalizedRun;
    expect(terminated).toBeGreaterThanOrEqual(3);
    await expectExactRun(runId, run, 10);
    // The chunks whose backends were terminated were tiered again within their attempts, and counted once.
    expect(worker.errorOutput()).toMatch(/tierChunk: PostgreSQL connection lost .*trying again/);
    expect(worker.alive(), worker.errorOutput()).toBe(true);
  });

  it('that cannot finish says why in its audit record: which activity, which error', { timeout: 60_000 }, async () => {
    const { handle, runId } = await startRun(100);
    await waitUntil('some chunks are stored', async () => (await processedOf(runId)) >= 100);
    // A result lost behind the run's back: finalizing finds fewer results than households, a data error not retried.
    await database.sql`delete from tiering_results where uscc = (select min(uscc) from tiering_results where run_id = ${runId}) and run_id = ${runId}`;
    await expect(handle.result()).rejects.toThrow();
    const [failed] = await database.sql`
      select e.action, e.reason from case_events e join tiering_runs r on r.workflow_id = e.case_id
      where r.id = ${runId} and e.action = 'tiering_run_failed'`;
    expect(failed!.reason).toMatch(/^T-RUN: activity finalizeTieringRun failed \(NON_RETRYABLE_FAILURE\): .*holds 599 results/);
    expect(await database.sql`select status from tiering_runs where id = ${runId}`).toEqual([{ status: 'failed' }]);
  });

  it('completes with exact counts when PostgreSQL restarts under it, and the API answers 503 with Retry-After meanwhile', { timeout: 300_000 }, async () => {
    const runsUrl = '/tiering/runs?year=2025';
    const readRuns = () => app.inject({ method: 'GET', url: runsUrl, headers: bearer(CITY) });
    const { handle, runId } = await startRun(10);
    await waitUntil('some chunks are stored', async () => (await processedOf(runId)) >= 60);
    await pg.stop();
    // The restart strikes while the run runs.
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const during = await readRuns();
    expect(during.statusCode).toBe(503);
    expect(during.headers['retry-after']).toBe('5');
    expect(during.json()).toMatchObject({ error: 'Service Unavailable', details: { unavailable: 'database' } });
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.headers['retry-after']).toBe('5');
    expect(health.json()).toEqual({ status: 'degraded', database: 'down', temporal: 'up' });
    await pg.start();

    const { run } = (await within('the run completes after the restart', handle.result(), 180_000)) as FinalizedRun;
    await expectExactRun(runId, run, 10);
    expect(worker.alive(), worker.errorOutput()).toBe(true);
    // The pool's connections broken by the restart are not handed out again.
    for (let i = 0; i < 30; i++) {
      const read = await readRuns();
      expect(read.statusCode, read.body).toBe(200);
    }
  });
});

describe('a decision', () => {
  it('with no worker to take it answers 503 within its time limit, is not applied later, and is taken once when sent again', { timeout: 300_000 }, async () => {
    const { caseId, reviewer, read } = await caseUnderReview('120110');

    await within('the worker stops', worker.stop());
    // Reads come from the records while no worker runs.
    const startedRead = Date.now();
    const stored = await read();
    expect(stored.statusCode).toBe(200);
    expect(stored.headers['x-view-source']).toBe('record');
    expect(stored.json()).toMatchObject({ caseId, status: 'under_review' });
    expect((await read('/events')).statusCode).toBe(200);
    expect(Date.now() - startedRead).toBeLessThan(3_000);

    const sentAt = Date.now();
    const unanswered = await within(
      'the decision sent with no worker answers',
      app.inject({
        method: 'POST',
        url: `/cases/${caseId}/review`,
        headers: { ...bearer(reviewer), 'idempotency-key': 'fault-first-try' },
        payload: { decision: 'accept', reason: 'Q1 certificate checked' },
      }),
    );
    expect(unanswered.statusCode, unanswered.body).toBe(503);
    expect(Date.now() - sentAt).toBeLessThan(30_000);
    expect(unanswered.headers['retry-after']).toBe('5');
    expect(unanswered.json().details).toMatchObject({ applied: false, idempotencyKey: 'fault-first-try' });

    worker = await within('a new worker is ready', startWorker());
    // The update the server may still hold reaches the new worker, whose validator refuses it as late.
    const handle = client.workflow.getHandle(caseId);
    await waitUntil('the case has no workflow task pending', async () => !(await within('the case is described', handle.describe(), 10_000)).raw.pendingWorkflowTask);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const trail = async () => ((await read('/events')).json() as Array<{ action: string }>).map((e) => e.action);
    expect(await trail()).not.toContain('review_accepted');
    expect((await read()).json()).toMatchObject({ status: 'under_review' });

    const resend = () =>
      app.inject({
        method: 'POST',
        url: `/cases/${caseId}/review`,
        headers: { ...bearer(reviewer), 'idempotency-key': 'fault-second-try' },
        payload: { decision: 'accept', reason: 'Q1 certificate checked' },
      });
    const taken = await within('the decision sent again answers', resend());
    expect(taken.statusCode, taken.body).toBe(200);
    expect(taken.json()).toMatchObject({ status: 'on_site_verification' });
    const again = await within('the decision sent a third time answers', resend());
    expect(again.statusCode).toBe(200);
    expect(again.json().seq).toBe(taken.json().seq);
    expect((await trail()).filter((action) => action === 'review_accepted')).toHaveLength(1);
  });
});

describe('a worker stopped while a decision waits on a lock in PostgreSQL', () => {
  it('exits within its stop deadline, saying what it held; the next worker takes the decision once', { timeout: 300_000 }, async () => {
    const { caseId, reviewer, read } = await caseUnderReview('120111');
    const review = (idempotencyKey: string) =>
      app.inject({
        method: 'POST',
        url: `/cases/${caseId}/review`,
        headers: { ...bearer(reviewer), 'idempotency-key': idempotencyKey },
        payload: { decision: 'accept', reason: 'Q1 certificate checked' },
      });

    // The decision's record waits on the case's row, which another transaction holds.
    const holder = postgres(pg.url, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const holding = holder.begin(async (tx) => {
      await tx`select 1 from cases where case_id = ${caseId} for update`;
      await released;
    });
    const pending = review('stop-while-locked');
    await waitUntil('the decision waits on the lock', aSaveWaitsOnALock);

    const stopped = worker;
    const stoppedAt = Date.now();
    await stopped.stop();
    const took = Date.now() - stoppedAt;
    expect(took).toBeGreaterThanOrEqual(STOP_DEADLINE_MS - 500);
    expect(took).toBeLessThan(STOP_DEADLINE_MS + 10_000);
    expect(stopped.child.exitCode).toBe(1);
    expect(stopped.errorOutput()).toMatch(/did not stop within 5 s of SIGTERM; exiting with what they still hold/);
    release();
    await holding;
    await holder.end();
    expect((await within('the decision cut short answers', pending)).statusCode).toBe(503);

    worker = await startWorker();
    const taken = await within('the decision sent again answers', review('stop-while-locked-again'));
    expect(taken.statusCode, taken.body).toBe(200);
    expect(taken.json()).toMatchObject({ status: 'on_site_verification' });
    const trail = (await read('/events')).json() as Array<{ action: string }>;
    expect(trail.filter((event) => event.action === 'review_accepted')).toHaveLength(1);
  });
});

describe('a stopped worker', () => {
  it('whose close never ends once its workers have stopped, exits at its stop deadline, naming what kept it alive', { timeout: 60_000 }, async () => {
    const stuck = await startWorker({ WORKER_CLOSE_NEVER_ENDS: '1' });
    const stoppedAt = Date.now();
    await within('the worker exits', stuck.stop(), STOP_DEADLINE_MS + 10_000);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(STOP_DEADLINE_MS - 500);
    expect(stuck.child.exitCode).toBe(1);
    expect(stuck.errorOutput()).toMatch(/the workers stopped, but their connections did not close within 5 s of SIGTERM/);
    expect(stuck.errorOutput()).toMatch(/active resources: .*Timeout/);
  });
});

describe('a case read while the case\'s first save waits on a lock in PostgreSQL', () => {
  /** A household's application whose first save will wait on its first audit row, held uncommitted by `holder` until let go. */
  async function applicationWithItsFirstSaveHeld(district: string) {
    const { uscc, actor: household } = await registerHousehold(database, district);
    const caseId = `recognition-${uscc}-${cstDateOf(Date.now()).slice(0, 4)}`;
    testWorkflows.push(caseId);
    const holder = await database.sql.reserve();
    await holder`begin`;
    await holder`insert into case_events (case_id, seq, at, actor_id, actor_role, action, to_status) values (${caseId}, 1, now(), 'holder', 'system', 'held', 'held')`;
    const applied = await app.inject({ method: 'POST', url: '/applications', headers: bearer(household), payload: { uscc, category: 'quality', claimedCriteria: ['Q1'] } });
    expect(applied.statusCode, applied.body).toBe(201);
    expect(applied.json().caseId).toBe(caseId);
    const readTrail = () => app.inject({ method: 'GET', url: `/cases/${caseId}/events`, headers: bearer(household) });
    return { holder, readTrail };
  }

  const trailActions = (trail: { json(): unknown }) => (trail.json() as Array<{ action: string }>).map((event) => event.action);

  it('waits for the workflow, beyond the brief wait of a read whose record may be behind, and answers its trail', { timeout: 60_000 }, async () => {
    const { holder, readTrail } = await applicationWithItsFirstSaveHeld('120113');
    try {
      await waitUntil('the first save waits on the lock', aSaveWaitsOnALock);
      const heldMs = 4_000;
      setTimeout(() => void holder`rollback`.execute(), heldMs);
      const startedAt = Date.now();
      const trail = await within('the trail is read', readTrail());
      expect(trail.statusCode, trail.body).toBe(200);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(heldMs - 500);
      // The application and the review's due date, saved together once the lock was let go.
      expect(trailActions(trail)).toEqual(['submitted', 'deadline_set']);
    } finally {
      holder.release();
    }
  });

  it('sent before any worker took the case\'s first task, answers the trail once that task\'s save is recorded, not the empty record', { timeout: 120_000 }, async () => {
    await within('the worker stops', worker.stop());
    const { holder, readTrail } = await applicationWithItsFirstSaveHeld('120114');
    try {
      const reading = readTrail();
      worker = await startWorker();
      await waitUntil('the first save waits on the lock', aSaveWaitsOnALock);
      const heldMs = 2_000;
      const releasedAt = Date.now() + heldMs;
      setTimeout(() => void holder`rollback`.execute(), heldMs);
      const trail = await within('the trail is read', reading);
      expect(trail.statusCode, trail.body).toBe(200);
      expect(Date.now() - releasedAt, 'ms after the save was let go').toBeGreaterThanOrEqual(-500);
      expect(trailActions(trail)).toEqual(['submitted', 'deadline_set']);
    } finally {
      holder.release();
    }
  });
});

describe('the Temporal dev server restarting', () => {
  it('loses no run and no case: the worker lives on, decisions answer 503 while it is down and are taken after', { timeout: 300_000 }, async () => {
    const { caseId, reviewer, read } = await caseUnderReview('120116');
    const review = () =>
      app.inject({
        method: 'POST',
        url: `/cases/${caseId}/review`,
        headers: { ...bearer(reviewer), 'idempotency-key': `temporal-restart-${caseId}` },
        payload: { decision: 'accept', reason: 'Q1 certificate checked' },
      });

    const { handle, runId } = await startRun(10);
    await waitUntil('some chunks are stored', async () => (await processedOf(runId)) >= 60);
    await temporal.stop();
    // The restart strikes while the run runs.
    expect(await database.sql`select status from tiering_runs where id = ${runId}`).toEqual([{ status: 'running' }]);
    const sentAt = Date.now();
    const unanswered = await within('the decision sent while Temporal is down answers', review());
    expect(unanswered.statusCode, unanswered.body).toBe(503);
    expect(unanswered.headers['retry-after']).toBeDefined();
    expect(Date.now() - sentAt).toBeLessThan(30_000);
    // The record still answers.
    expect((await read()).statusCode).toBe(200);
    await temporal.start();

    const { run } = (await within('the run completes after the restart', handle.result(), 180_000)) as FinalizedRun;
    // The households registered for the cases are in this run too.
    const [registry] = await database.sql`select count(*)::int as households from households`;
    expect(run).toMatchObject({ status: 'completed', households: registry!.households, processed: registry!.households });
    const [stored] = await database.sql`select count(*)::int as results from tiering_results where run_id = ${runId}`;
    expect(stored!.results).toBe(registry!.households);
    expect(worker.alive(), worker.errorOutput()).toBe(true);

    const taken = await within('the decision after the restart answers', review());
    expect(taken.statusCode, taken.body).toBe(200);
    expect(taken.json()).toMatchObject({ status: 'on_site_verification' });
    const events = (await app.inject({ method: 'GET', url: `/cases/${caseId}/events`, headers: bearer(reviewer) })).json() as Array<{ action: string }>;
    expect(events.filter((e) => e.action === 'review_accepted')).toHaveLength(1);
  });
});
