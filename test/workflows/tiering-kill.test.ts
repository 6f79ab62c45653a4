// On the real dev server: a tiering run survives its worker being killed, and the yearly schedule.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FinalizedRun } from '../../activities/tiering-types.js';
import type { Actor } from '../../policy/actors.js';
import { cstDateOf } from '../../policy/dates.js';
import {
  TIERING_RUN_WORKFLOW_TYPE,
  TIERING_TASK_QUEUE,
  awaitPreparedUpdate,
  tieringProgressQuery,
  tieringRunWorkflowId,
  type TieringRunInput,
} from '../../workflows/tiering-run/contract.js';
import { TIERING_SCHEDULE_ACTOR, TIERING_SCHEDULE_ID, ensureTieringSchedule } from '../../workflows/tiering-run/schedule.js';
import { expectedCounts, insertFixtureHouseholds, isolatedDatabase, type FixtureHousehold, type IsolatedDatabase } from '../support/tiering-data.js';
import { createDevServerEnv } from '../support/temporal.js';

const CITY: Actor = { id: 'city-supervisor', role: 'city' };
const HOUSEHOLDS = 3_000;
const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const workerEntry = fileURLToPath(new URL('../support/tiering-worker.ts', import.meta.url));

let env: TestWorkflowEnvironment;
let isolated: IsolatedDatabase;
let fixtures: FixtureHousehold[];
const children = new Set<ChildProcess>();

beforeAll(async () => {
  [env, isolated] = await Promise.all([createDevServerEnv(), isolatedDatabase('kill')]);
  fixtures = await insertFixtureHouseholds(isolated.database, { count: HOUSEHOLDS, years: [2025], prefix: 'TK' });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await env?.teardown();
  await isolated?.drop();
});

async function startWorkerProcess(taskQueue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', workerEntry], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      DATABASE_URL: isolated.url,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((ready, failed) => {
    lines.on('line', (line) => line === 'ready' && ready());
    child.once('exit', (code, signal) => failed(new Error(`the worker process exited (${code ?? signal}) before it was ready`)));
  });
  return child;
}

async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the tiering run on the dev server', () => {
  it('survives its worker being killed mid-run: resumes, and tiers every household exactly once', { timeout: 180_000 }, async () => {
    const { sql } = isolated.database;
    const taskQueue = `tiering-kill-${randomUUID()}`;
    const first = await startWorkerProcess(taskQueue);
    // Small chunks, so that the run takes long enough to be interrupted.
    const input: TieringRunInput = { year: 2025, asOf: '2025-08-01', requestedBy: CITY, chunkSize: 25, concurrency: 2 };
    const handle = await env.client.workflow.start(TIERING_RUN_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: tieringRunWorkflowId(2025, randomUUID()),
      args: [input],
    });
    const prepared = await handle.executeUpdate(awaitPreparedUpdate);
    if (prepared.outcome !== 'prepared') throw new Error(`the run was refused: ${prepared.message}`);
    const processed = async () => {
      const [run] = await sql`select processed from tiering_runs where id = ${prepared.runId}`;
      return run!.processed as number;
    };

    // Killed while a chunk is being tiered, after several have been stored.
    await waitUntil('some chunks are stored and another is running', async () => {
      if ((await processed()) < 500) return false;
      const { raw } = await handle.describe();
      return (raw.pendingActivities ?? []).some((activity) => activity.activityType?.name === 'tierChunk');
    });
    const progress = await handle.query(tieringProgressQuery);
    expect(progress).toMatchObject({ phase: 'running', runId: prepared.runId, households: HOUSEHOLDS, chunksTotal: HOUSEHOLDS / 25 });
    expect(progress.processed).toBeGreaterThanOrEqual(500);
    first.kill('SIGKILL');
    await once(first, 'exit');
    const atKill = await processed();
    expect(atKill).toBeGreaterThanOrEqual(500);
    expect(atKill).toBeLessThan(HOUSEHOLDS);

    await startWorkerProcess(taskQueue);
    const { run } = (await handle.result()) as FinalizedRun;

    expect(run).toMatchObject({ status: 'completed', households: HOUSEHOLDS, processed: HOUSEHOLDS, inForce: true });
    const [stored] = await sql`
      select count(*)::int as rows, count(distinct uscc)::int as households from tiering_results where run_id = ${run.runId}`;
    expect(stored).toEqual({ rows: HOUSEHOLDS, households: HOUSEHOLDS });
    const [missing] = await sql`
      select count(*)::int as households from households h
      where not exists (select 1 from tiering_results r where r.run_id = ${run.runId} and r.uscc = h.uscc)`;
    expect(missing!.households).toBe(0);
    const expected = expectedCounts(fixtures, 2025);
    expect(run.countsByTier).toEqual(expected.byTier);
    expect(run.countsByDistrict).toEqual(expected.byDistrict);
    const [current] = await sql`select count(*)::int as households from household_tiers where run_id = ${run.runId}`;
    expect(current!.households).toBe(HOUSEHOLDS);

    // The interrupted chunk was tiered again by the second worker, and counted once.
    const history = await handle.fetchHistory();
    const retried = (history.events ?? []).filter(
      (event) =>
        event.activityTaskStartedEventAttributes && (event.activityTaskStartedEventAttributes.attempt ?? 1) > 1,
    );
    expect(retried.length).toBeGreaterThanOrEqual(1);
  });
});

describe('the yearly schedule', () => {
  it('starts a run every 1 August at 00:00 in Asia/Shanghai, is set up idempotently, and runs when triggered', { timeout: 120_000 }, async () => {
    await ensureTieringSchedule(env.client, { month: 8, day: 5, timeZone: 'Asia/Shanghai' });
    // Again, with the default time: the existing schedule is brought to it, not duplicated.
    await ensureTieringSchedule(env.client);
    const schedule = env.client.schedule.getHandle(TIERING_SCHEDULE_ID);
    const description = await schedule.describe();
    expect(description.spec.timezone).toBe('Asia/Shanghai');
    expect(description.spec.calendars).toEqual([
      expect.objectContaining({
        month: [{ start: 'AUGUST', end: 'AUGUST', step: 1 }],
        dayOfMonth: [{ start: 1, end: 1, step: 1 }],
        hour: [{ start: 0, end: 0, step: 1 }],
        minute: [{ start: 0, end: 0, step: 1 }],
      }),
    ]);
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: TIERING_RUN_WORKFLOW_TYPE, taskQueue: TIERING_TASK_QUEUE });
    expect(description.policies.overlap).toBe('SKIP');
    // 00:00 in Tianjin is 16:00 UTC the day before.
    expect(description.info.nextActionTimes[0]!.toISOString()).toMatch(/^\d{4}-07-31T16:00:00\.000Z$/);

    await startWorkerProcess(TIERING_TASK_QUEUE);
    await schedule.trigger();
    let workflowId = '';
    await waitUntil('the schedule has started a run', async () => {
      const [action] = (await schedule.describe()).info.recentActions;
      workflowId = action?.action.workflow.workflowId ?? '';
      return workflowId !== '';
    });
    const { run } = (await env.client.workflow.getHandle(workflowId).result()) as FinalizedRun;
    // Without a year or an as-of date, the run takes both from its start, in CST.
    const today = cstDateOf(Date.now());
    expect(run).toMatchObject({
      year: Number(today.slice(0, 4)),
      asOf: today,
      status: 'completed',
      households: HOUSEHOLDS,
      requestedBy: TIERING_SCHEDULE_ACTOR.id,
      thresholds: { source: 'default' },
    });
  });
});
