import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import type { Actor } from '../../policy/actors.js';
import { cstDateOf, yearOf } from '../../policy/dates.js';
import type { StoredTierTrace } from '../../policy/tier-trace.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { DEFAULT_TIER_THRESHOLDS } from '../../policy/tiering.js';
import { usccCheckCharacter } from '../../policy/uscc.js';
import { TIERING_RUN_WORKFLOW_TYPE, TIERING_TASK_QUEUE, tieringProgressQuery } from '../../workflows/tiering-run/contract.js';
import { createWorker } from '../../workflows/worker.js';
import { districtOffice, testDatabase, timeSkippingStack } from '../support/stack.js';
import {
  expectedCounts,
  expectedMoves,
  insertFixtureHouseholds,
  isolatedDatabase,
  type FixtureHousehold,
} from '../support/tiering-data.js';
import { untieredHousehold } from '../support/tiers.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'tiering-api-test-secret-with-at-least-32-bytes';
const CITY: Actor = { id: 'city-supervisor', role: 'city' };

const { env, database } = await timeSkippingStack({ ownDatabase: () => isolatedDatabase('api') });
let worker: Worker;
let workerRun: Promise<void>;
let app: FastifyInstance;
let now: number;
let fixtures: FixtureHousehold[];

beforeAll(async () => {
  fixtures = await insertFixtureHouseholds(database, { count: 64, years: [2024, 2025], prefix: 'TA' });
  worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    db: database.db,
    taskQueue: TIERING_TASK_QUEUE,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  workerRun = worker.run();
  now = await env.currentTimeMs();
  app = await buildApp({ database, temporal: env.client, authSecret: SECRET, caseSettings: DEFAULT_CASE_SETTINGS, now: () => now });
});

afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await workerRun;
});

const bearer = bearerFor(SECRET, () => now);
const post = (url: string, actor: Actor, payload?: unknown) =>
  app.inject({ method: 'POST', url, headers: bearer(actor), ...(payload === undefined ? {} : { payload: payload as object }) });
const get = (url: string, actor: Actor = CITY) => app.inject({ method: 'GET', url, headers: bearer(actor) });
const put = (url: string, actor: Actor, payload: unknown) => app.inject({ method: 'PUT', url, headers: bearer(actor), payload: payload as object });

async function startAndFinish(body: Record<string, unknown>): Promise<{ runId: number; workflowId: string }> {
  const response = await post('/tiering/runs', CITY, body);
  expect(response.statusCode, response.body).toBe(202);
  const started = response.json() as { runId: number; workflowId: string };
  await env.client.workflow.getHandle(started.workflowId).result();
  return started;
}

describe('thresholds per year (T-G1, T-D1)', () => {
  it('answers the shipped defaults, marked as such, for a year without a setting', async () => {
    const response = await get('/tiering/thresholds/2024');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ year: 2024, ...DEFAULT_TIER_THRESHOLDS, isDefault: true, updatedBy: null, updatedAt: null });
  });

  it('lets only the city office set them, positive and with T-D1 above T-G1, and audits the change', async () => {
    const stricter = { growthRevenueYuan: 150_000, developmentRevenueYuan: 1_500_000 };
    expect((await put('/tiering/thresholds/2024', districtOffice('120101'), stricter)).statusCode).toBe(403);
    const inverted = await put('/tiering/thresholds/2024', CITY, { growthRevenueYuan: 500_000, developmentRevenueYuan: 400_000 });
    expect(inverted.statusCode).toBe(422);
    expect(inverted.json().details).toEqual({ field: 'developmentRevenueYuan', clause: 'T-D1' });
    const negative = await put('/tiering/thresholds/2024', CITY, { growthRevenueYuan: -1, developmentRevenueYuan: 400_000 });
    expect(negative.json().details).toEqual({ field: 'growthRevenueYuan', clause: 'T-G1' });
    expect((await put('/tiering/thresholds/2024', CITY, { ...stricter, extra: 1 })).statusCode).toBe(400);
    expect((await put('/tiering/thresholds/1999', CITY, stricter)).statusCode).toBe(400);
    // Beyond what the stored amount (numeric(16,2)) holds.
    const huge = await put('/tiering/thresholds/2024', CITY, { growthRevenueYuan: 150_000, developmentRevenueYuan: 1e14 });
    expect(huge.statusCode).toBe(400);
    expect(huge.json().details).toMatchObject({ field: 'developmentRevenueYuan' });
    expect(await database.sql`select year from tier_thresholds`).toEqual([]);

    const set = await put('/tiering/thresholds/2024', CITY, stricter);
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ year: 2024, ...stricter, isDefault: false, updatedBy: CITY.id });
    expect((await get('/tiering/thresholds/2024', districtOffice('120101'))).json()).toMatchObject({ ...stricter, isDefault: false });
    const audit = await database.sql`select action, actor_id, details from case_events where case_id = 'tier-thresholds-2024'`;
    expect(audit).toEqual([
      { action: 'tier_thresholds_set', actor_id: CITY.id, details: { before: DEFAULT_TIER_THRESHOLDS, after: stricter } },
    ]);
  });

  it('refuses amounts with more than 2 decimals, naming the field, instead of rounding them', async () => {
    const fen = await put('/tiering/thresholds/2024', CITY, { growthRevenueYuan: 150_000.005, developmentRevenueYuan: 1_500_000 });
    expect(fen.statusCode).toBe(422);
    expect(fen.json().details).toEqual({ field: 'growthRevenueYuan', clause: 'T-G1' });
    const run = await post('/tiering/runs', CITY, {
      year: 2024,
      asOf: '2024-08-01',
      thresholds: { growthRevenueYuan: 150_000, developmentRevenueYuan: 1_500_000.125 },
    });
    expect(run.statusCode).toBe(422);
    expect(run.json().details).toEqual({ field: 'thresholds.developmentRevenueYuan', clause: 'T-D1' });
    // To the fen, as stored; no run of 2023 is in force to keep other thresholds.
    const cents = await put('/tiering/thresholds/2023', CITY, { growthRevenueYuan: 150_000.05, developmentRevenueYuan: 1_500_000 });
    expect(cents.statusCode).toBe(200);
    expect(cents.json()).toMatchObject({ growthRevenueYuan: 150_000.05, runInForce: null });
  });
});

describe('starting a run', () => {
  it.each([
    ['a date in the future', { year: 2099, asOf: '2099-08-01' }, 'asOf', /in the future/],
    ['a date outside the year', { year: 2025, asOf: '2024-08-01' }, 'asOf', /not in the run's year 2025/],
    [
      'thresholds with T-D1 not above T-G1',
      { year: 2025, asOf: '2025-08-01', thresholds: { growthRevenueYuan: 100, developmentRevenueYuan: 100 } },
      'thresholds.developmentRevenueYuan',
      /must be above/,
    ],
  ])('answers 422 naming the field for %s, and starts nothing', async (_case, body, field, message) => {
    const response = await post('/tiering/runs', CITY, body);
    expect(response.statusCode).toBe(422);
    expect(response.json().details.field).toBe(field);
    expect(response.json().message).toMatch(message);
  });

  it('answers 400 for a malformed body and 403 to anyone but the city office', async () => {
    expect((await post('/tiering/runs', CITY, { year: 2025 })).json().details.field).toBe('asOf');
    for (const asOf of ['2025-02-30', '1 August 2025']) {
      const malformed = await post('/tiering/runs', CITY, { year: 2025, asOf });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().details).toMatchObject({ field: 'asOf', rule: 'format' });
    }
    expect((await post('/tiering/runs', CITY, { year: 2025, asOf: '2025-08-01', chunkSize: 0 })).json().details.field).toBe('chunkSize');
    expect((await post('/tiering/runs', CITY, { year: 2025, asOf: '2025-08-01', concurrency: 99 })).json().details.field).toBe('concurrency');
    expect((await post('/tiering/runs', districtOffice('120101'), { year: 2025, asOf: '2025-08-01' })).statusCode).toBe(403);
    expect(await database.sql`select id from tiering_runs`).toHaveLength(0);
  });

  it("answers 422 naming the field when the worker's clock refuses what the API's allowed, and records no run", async () => {
    // The API's clock two days ahead of the workflow's: its today is still in the workflow's future.
    const workerNow = await env.currentTimeMs();
    const apiNow = workerNow + 2 * 86_400_000;
    const asOf = cstDateOf(apiNow);
    const year = yearOf(asOf);
    now = apiNow;
    try {
      const response = await post('/tiering/runs', CITY, { year, asOf });
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({ message: expect.stringMatching(/^asOf: .* is in the future/), details: { field: 'asOf', clause: 'T-RUN' } });
    } finally {
      now = workerNow;
    }
    expect(await database.sql`select id from tiering_runs where year = ${year}`).toHaveLength(0);
  });

  it('answers 409 while a run of the year is running', async () => {
    // Its workflow runs, with no worker to move it on.
    const held = await env.client.workflow.start(TIERING_RUN_WORKFLOW_TYPE, {
      taskQueue: `tiering-api-test-no-worker-${process.pid}`,
      workflowId: 'tiering-run-2023-held',
      args: [{ year: 2023, asOf: '2023-08-01', requestedBy: CITY }],
    });
    const [running] = await database.sql`
      insert into tiering_runs (year, version, as_of, thresholds, rule_version, status, workflow_id, requested_by, started_at)
      values (2023, 1, '2023-08-01', '{}', 'test', 'running', 'tiering-run-2023-held', 'test', now()) returning id`;
    try {
      const response = await post('/tiering/runs', CITY, { year: 2023, asOf: '2023-08-01' });
      expect(response.statusCode).toBe(409);
      expect(response.json().details).toEqual({ field: 'year', clause: 'T-RUN', runId: running!.id });
      // It cannot be put in force either; its progress is unknown without its workflow.
      expect((await post(`/tiering/runs/${running!.id}/in-force`, CITY)).statusCode).toBe(409);
      expect((await get(`/tiering/runs/${running!.id}`)).json()).toMatchObject({ status: 'running', progress: null });
    } finally {
      await held.terminate('test over');
      await database.sql`delete from tiering_runs where id = ${running!.id}`;
    }
  });
});

describe('runs, versions and the run in force', () => {
  let run2024: number;

  it('runs a year with its thresholds setting and reports it with counts, quota base and districts', async () => {
    const { runId, workflowId } = await startAndFinish({ year: 2024, asOf: '2024-08-01', chunkSize: 16, concurrency: 3 });
    run2024 = runId;
    const progress = await env.client.workflow.getHandle(workflowId).query(tieringProgressQuery);
    expect(progress).toMatchObject({ phase: 'completed', chunksTotal: fixtures.length / 16 });
    const response = await get(`/tiering/runs/${runId}`, districtOffice('120104'));
    expect(response.statusCode).toBe(200);
    const expected = expectedCounts(fixtures, 2024);
    expect(response.json()).toMatchObject({
      runId,
      year: 2024,
      version: 1,
      asOf: '2024-08-01',
      status: 'completed',
      inForce: true,
      households: fixtures.length,
      processed: fixtures.length,
      thresholds: { growthRevenueYuan: 150_000, developmentRevenueYuan: 1_500_000, source: 'year' },
      countsByTier: expected.byTier,
      countsByDistrict: expected.byDistrict,
      quotaBase: expected.byTier.growth + expected.byTier.development,
      movements: { previousRun: null, moves: {} },
      tiersAppliedAt: expect.any(String),
      progress: null,
    });
    const year = await get('/tiering/years/2024');
    expect(year.statusCode).toBe(200);
    expect(year.json()).toMatchObject({ runId, inForce: true, quotaBase: expected.byTier.growth + expected.byTier.development });
  });

  it("answers the public lookup of a household the run tiered from the run's result, which its current tier points at", async () => {
    const household = fixtures[0]!;
    const [current] = await database.sql`select tier, source, run_id, trace from household_tiers where uscc = ${household.uscc}`;
    expect(current).toMatchObject({ source: 'run', run_id: run2024, trace: null });
    const [result] = await database.sql`select tier, trace from tiering_results where run_id = ${run2024} and uscc = ${household.uscc}`;
    const response = await app.inject({ method: 'GET', url: `/public/households/${household.uscc}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      tier: result!.tier,
      year: 2024,
      asOf: '2024-08-01',
      source: 'run',
      clauses: (result!.trace as StoredTierTrace).outcomes,
      ruleVersionDrift: false,
    });
    expect(response.json().reasons.length).toBeGreaterThan(0);
  });

  it('answers 404 with a clear message for a year with no run, or none in force', async () => {
    const none = await get('/tiering/years/2019');
    expect(none.statusCode).toBe(404);
    expect(none.json().message).toBe('T-RUN: there is no tiering run for 2019; the city office starts one with POST /tiering/runs');
    expect(none.json().details).toMatchObject({ field: 'year', clause: 'T-RUN' });

    const { runId } = await startAndFinish({ year: 2025, asOf: '2025-08-01', makeInForce: false });
    const notInForce = await get('/tiering/years/2025');
    expect(notInForce.statusCode).toBe(404);
    expect(notInForce.json().message).toMatch(/no run of 2025 is in force \(versions 1 completed\)/);

    expect((await post(`/tiering/runs/${runId}/in-force`, districtOffice('120101'))).statusCode).toBe(403);
    const unknownRun = await post('/tiering/runs/999999/in-force', CITY);
    expect(unknownRun.statusCode).toBe(404);
    expect(unknownRun.json().details).toEqual({ field: 'runId' });
    expect((await get(`/tiering/runs/${runId}`)).json()).toMatchObject({ inForce: false, tiersAppliedAt: null, progress: null });
    const switched = await post(`/tiering/runs/${runId}/in-force`, CITY);
    expect(switched.statusCode).toBe(200);
    expect(switched.json()).toMatchObject({ runId, inForce: true, tiersAppliedAt: expect.any(String) });
    const year = await get('/tiering/years/2025');
    expect(year.json()).toMatchObject({
      runId,
      movements: { previousRun: { runId: run2024, year: 2024, version: 1 }, moves: expectedMoves(fixtures, 2024, 2025) },
    });
  });

  it('lists the versions of a year, newest first, saying which is in force', async () => {
    await startAndFinish({ year: 2025, asOf: '2025-08-02', makeInForce: false });
    const listed = await get('/tiering/runs?year=2025');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().map((r: { version: number; inForce: boolean }) => [r.version, r.inForce])).toEqual([
      [2, false],
      [1, true],
    ]);
    expect((await get('/tiering/runs')).json()).toHaveLength(3);
    expect((await get('/tiering/runs?year=abc')).statusCode).toBe(400);
    expect((await get('/tiering/runs/0')).statusCode).toBe(400);
    expect((await get('/tiering/runs/424242')).statusCode).toBe(404);
    const beyondInteger = await get('/tiering/runs/2147483648');
    expect(beyondInteger.statusCode).toBe(400);
    expect(beyondInteger.json().details).toMatchObject({ field: 'runId' });
    const inForceBeyondInteger = await post('/tiering/runs/2147483648/in-force', CITY);
    expect(inForceBeyondInteger.statusCode).toBe(400);
    expect(inForceBeyondInteger.json().details).toMatchObject({ field: 'runId' });
  });
});

describe('on-demand tiering of one household', () => {
  it('tiers it for its district office with the same rules and answers the tier with the explained trace', async () => {
    const household = fixtures.find((f) => f.tierIn[2025] === 'development')!;
    const office = districtOffice(household.districtCode);
    const response = await post(`/households/${household.uscc}/tiering`, office, { asOf: '2025-09-01', reason: 'new registration' });
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json();
    expect(result).toMatchObject({
      uscc: household.uscc,
      districtCode: household.districtCode,
      year: 2025,
      asOf: '2025-09-01',
      tier: 'development',
      applied: true,
      thresholds: { ...DEFAULT_TIER_THRESHOLDS, isDefault: true },
      decidedBy: office.id,
    });
    expect(result.outcomes).toMatch(/^T-B1\+ .* T-D1\+ /);
    expect(result.reasons.join('')).toContain('2000000');
    expect(result.trace.map((c: { clause: string }) => c.clause)).toContain('T-AGE');
    const [current] = await database.sql`select tier, source from household_tiers where uscc = ${household.uscc}`;
    expect(current).toEqual({ tier: 'development', source: 'on_demand' });
  });

  it("tiers with the thresholds of the year's run in force, which a new setting of the year leaves alone, and says so", async () => {
    const [inForce] = await database.sql`select id, version from tiering_runs where year = 2025 and in_force`;
    const raised = { growthRevenueYuan: 300_000, developmentRevenueYuan: 1_000_000 };
    const set = await put('/tiering/thresholds/2025', CITY, raised);
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({
      year: 2025,
      ...raised,
      runInForce: {
        runId: inForce!.id,
        version: inForce!.version,
        ...DEFAULT_TIER_THRESHOLDS,
        message: expect.stringMatching(/keeps its thresholds .* these apply to the next run of 2025$/),
      },
    });
    // 200,000 yuan of revenue: growth under the run's T-G1, survival under the new setting's.
    const household = fixtures.find((f) => f.tierIn[2025] === 'growth')!;
    const response = await post(`/households/${household.uscc}/tiering`, CITY, { asOf: '2025-09-02' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      tier: 'growth',
      applied: true,
      notApplied: null,
      thresholds: { ...DEFAULT_TIER_THRESHOLDS, isDefault: true, runId: inForce!.id },
    });
  });

  it('leaves a tier of the year decided as of a later date, and answers which decision stands', async () => {
    const household = fixtures.find((f) => f.tierIn[2025] === 'survival')!;
    const [before] = await database.sql`select tier, source, run_id, as_of::text as as_of from household_tiers where uscc = ${household.uscc}`;
    expect(before).toMatchObject({ tier: 'survival', source: 'run', as_of: '2025-08-01' });
    const response = await post(`/households/${household.uscc}/tiering`, CITY, { asOf: '2025-01-05' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      tier: 'unclassified',
      previousTier: 'survival',
      applied: false,
      notApplied: {
        reason: expect.stringMatching(/^T-RUN: its 2025 tier survival \(run, as of 2025-08-01\) stands/),
        standing: { year: 2025, tier: 'survival', source: 'run', asOf: '2025-08-01', runId: before!.run_id },
      },
    });
    expect((await database.sql`select tier, source, run_id, as_of::text as as_of from household_tiers where uscc = ${household.uscc}`)[0]).toEqual(before);
    const audit = await database.sql`select action, actor_id from case_events where case_id = ${`tier-on-demand-${household.uscc}`}`;
    expect(audit).toEqual([{ action: 'tier_on_demand_not_applied', actor_id: CITY.id }]);
  });

  it('refuses another district (403), an unknown household (404), a bad USCC (400) and a bad date (422)', async () => {
    const household = fixtures[0]!;
    const otherDistrict = household.districtCode === '120101' ? '120104' : '120101';
    expect((await post(`/households/${household.uscc}/tiering`, districtOffice(otherDistrict))).statusCode).toBe(403);
    const first17 = '92120101TY9999999';
    expect((await post(`/households/${first17}${usccCheckCharacter(first17)}/tiering`, CITY)).statusCode).toBe(404);
    expect((await post(`/households/${first17}0/tiering`, CITY)).json().details.field).toBe('uscc');
    const future = await post(`/households/${household.uscc}/tiering`, CITY, { asOf: '2999-01-01' });
    expect(future.statusCode).toBe(422);
    expect(future.json().details).toEqual({ field: 'asOf', clause: 'T-RUN' });
    const malformed = await post(`/households/${household.uscc}/tiering`, CITY, { asOf: '2025-13-01' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().details).toMatchObject({ field: 'asOf', rule: 'format' });
  });

  it('answers 404 when the household is gone by the time its workflow looks it up', async () => {
    // The route finds the household in the registry of this second API; the worker reads the
    // tiering database, which never held it, as if it were removed between the two.
    const registry = testDatabase();
    const elsewhere = await buildApp({ database: registry, temporal: env.client, authSecret: SECRET, caseSettings: DEFAULT_CASE_SETTINGS, now: () => now });
    try {
      const { uscc } = await untieredHousehold(registry, '120101');
      const response = await elsewhere.inject({ method: 'POST', url: `/households/${uscc}/tiering`, headers: bearer(CITY) });
      expect(response.statusCode, response.body).toBe(404);
      expect(response.json()).toMatchObject({ message: `no household ${uscc} in the registry`, details: { field: 'uscc' } });
    } finally {
      await elsewhere.close();
      await registry.close();
    }
  });

  it('is documented in the OpenAPI document with the run routes', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/tiering/runs',
        '/tiering/runs/{runId}',
        '/tiering/runs/{runId}/in-force',
        '/tiering/years/{year}',
        '/tiering/thresholds/{year}',
        '/households/{uscc}/tiering',
      ]),
    );
  });
});
