import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTieringActivities } from '../../activities/tiering.js';
import { makeRunInForce } from '../../activities/tiering-queries.js';
import type { FinalizedRun } from '../../activities/tiering-types.js';
import type { Actor } from '../../policy/actors.js';
import { expandTrace, type CompactTierTrace, type StoredTierTrace } from '../../policy/tier-trace.js';
import { DEFAULT_TIER_THRESHOLDS, decideTier, type Tier } from '../../policy/tiering.js';
import { usccCheckCharacter } from '../../policy/uscc.js';
import {
  TIER_HOUSEHOLD_WORKFLOW_TYPE,
  tierHouseholdWorkflowId,
  type TierHouseholdInput,
  type TierHouseholdResult,
} from '../../workflows/tier-household/contract.js';
import { TIERING_RUN_WORKFLOW_TYPE, awaitPreparedUpdate, tieringProgressQuery, tieringRunWorkflowId, type TieringRunInput } from '../../workflows/tiering-run/contract.js';
import { createWorker } from '../../workflows/worker.js';
import { timeSkippingStack } from '../support/stack.js';
import {
  expectedCounts,
  expectedMoves,
  insertFixtureHouseholds,
  isolatedDatabase,
  type FixtureHousehold,
} from '../support/tiering-data.js';
import { INVALID_RUN_INPUT_ERROR, RUN_IN_PROGRESS_ERROR } from '../../policy/vocabulary.js';

const CITY: Actor = { id: 'city-supervisor', role: 'city' };
const HOUSEHOLDS = 320;

const { env, database } = await timeSkippingStack({ ownDatabase: () => isolatedDatabase('workflow') });
let worker: Worker;
let workerRun: Promise<void>;
let taskQueue: string;
let fixtures: FixtureHousehold[];

beforeAll(async () => {
  fixtures = await insertFixtureHouseholds(database, { count: HOUSEHOLDS, years: [2024, 2025], prefix: 'TW' });
  taskQueue = `tiering-${randomUUID()}`;
  worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    db: database.db,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  workerRun = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
});

function startRun(input: Omit<TieringRunInput, 'requestedBy'>) {
  return env.client.workflow.start(TIERING_RUN_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: tieringRunWorkflowId(input.year ?? 0, randomUUID()),
    args: [{ requestedBy: CITY, chunkSize: 50, ...input } satisfies TieringRunInput],
  });
}

async function run(input: Omit<TieringRunInput, 'requestedBy'>): Promise<FinalizedRun> {
  const handle = await startRun(input);
  return (await handle.result()) as FinalizedRun;
}

async function currentTiers(): Promise<Map<string, { tier: Tier; runId: number | null; source: string }>> {
  const rows = await database.sql`select uscc, tier, run_id, source from household_tiers`;
  return new Map(rows.map((r) => [r.uscc as string, { tier: r.tier as Tier, runId: r.run_id as number | null, source: r.source as string }]));
}


/** Tiers one household on demand (the tier-household workflow), as a correction or an objection does. */
async function tierHousehold(input: TierHouseholdInput): Promise<TierHouseholdResult> {
  return (await env.client.workflow.execute(TIER_HOUSEHOLD_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: tierHouseholdWorkflowId(input.uscc, randomUUID()),
    args: [input],
  })) as TierHouseholdResult;
}
describe('the yearly tiering run on the time-skipping server', () => {
  let run2024: FinalizedRun;
  let run2025: FinalizedRun;

  it('tiers every household once, in chunks across continued-as-new executions, and counts tiers, districts and the quota base', async () => {
    const handle = await startRun({ year: 2024, asOf: '2024-08-01', chunksPerExecution: 3 });
    const prepared = await handle.executeUpdate(awaitPreparedUpdate);
    expect(prepared).toMatchObject({ outcome: 'prepared', year: 2024, version: 1, asOf: '2024-08-01' });
    run2024 = (await handle.result()) as FinalizedRun;
    const expected = expectedCounts(fixtures, 2024);

    expect(run2024.run).toMatchObject({
      year: 2024,
      version: 1,
      status: 'completed',
      inForce: true,
      households: HOUSEHOLDS,
      processed: HOUSEHOLDS,
      countsByTier: expected.byTier,
      countsByDistrict: expected.byDistrict,
      quotaBase: expected.byTier.growth + expected.byTier.development,
      movements: { previousRun: null, moves: {} },
      thresholds: { ...DEFAULT_TIER_THRESHOLDS, source: 'default' },
    });
    expect(Object.values(expected.byTier)).toEqual([80, 80, 80, 80]);
    // 7 chunks of 50 at 3 per execution: the run continued as new twice and still finished.
    const progress = await handle.query(tieringProgressQuery);
    expect(progress).toMatchObject({ phase: 'completed', chunksDone: 7, chunksTotal: 7, processed: HOUSEHOLDS });

    const [{ rows, distinct }] = (await database.sql`
      select count(*)::int as rows, count(distinct uscc)::int as distinct
      from tiering_results where run_id = ${run2024.run.runId}`) as unknown as [{ rows: number; distinct: number }];
    expect({ rows, distinct }).toEqual({ rows: HOUSEHOLDS, distinct: HOUSEHOLDS });

    // Every household's current tier is the run's, with its history.
    const tiers = await currentTiers();
    expect(tiers.size).toBe(HOUSEHOLDS);
    for (const f of fixtures) expect(tiers.get(f.uscc)).toEqual({ tier: f.tierIn[2024], runId: run2024.run.runId, source: 'run' });
    expect(run2024.tierChanges).toBe(HOUSEHOLDS);
    // Neither the current tiers nor their history copy the trace: they point at the run's results.
    const [copies] = await database.sql`
      select (select count(*) from household_tiers where trace is not null)::int as current,
             (select count(*) from tier_history where trace is not null)::int as history`;
    expect(copies).toEqual({ current: 0, history: 0 });
  });

  it('applies once: a retried lane of the applying finds nothing left to change and writes nothing again', async () => {
    const history = async () => (await database.sql`select count(*)::int as rows from tier_history`)[0]!.rows as number;
    const before = await history();
    const activities = createTieringActivities({ db: database.db });
    const changes = await new MockActivityEnvironment().run(activities.applyRunTiers, {
      runId: run2024.run.runId,
      ranges: [{ from: null, to: null }],
      decidedBy: CITY.id,
      decidedAt: '2024-08-02T00:00:00.000Z',
    });
    expect(changes).toBe(0);
    expect(await history()).toBe(before);
    const recorded = await activities.recordTiersApplied({ runId: run2024.run.runId, tierChanges: 0, appliedAt: '2024-08-03T00:00:00.000Z' });
    expect(recorded.tiersAppliedAt).toBe(run2024.run.tiersAppliedAt);
  });

  it.each([
    ['changes its tier', 0, 'update household_tiers set tier = $1, decided_at = $2 where uscc = $3'],
    [
      'gives it its first tier',
      1,
      `insert into household_tiers (uscc, year, tier, source, as_of, rule_version, trace, decided_at)
       values ($3, 2024, $1, 'on_demand', '2024-07-01', 'test', '{}', $2)`,
    ],
  ] as const)("records the tier it replaced when another decision %s while the household's range is applied", async (what, fixture, decision) => {
    const household = fixtures[fixture]!;
    const ranTier = household.tierIn[2024];
    const decided: Tier = ranTier === 'development' ? 'growth' : 'development';
    // The household's tier came from elsewhere since, or it has none; another decision is being made, not yet committed.
    if (what === 'changes its tier') {
      await database.sql`
        update household_tiers set source = 'on_demand', run_id = null, trace = '{}', decided_at = '2024-09-01T00:00:00Z'
        where uscc = ${household.uscc}`;
    } else {
      await database.sql`delete from household_tiers where uscc = ${household.uscc}`;
    }
    const concurrent = await database.sql.reserve();
    try {
      await concurrent.unsafe('begin');
      await concurrent.unsafe(decision, [decided, '2024-09-02T00:00:00Z', household.uscc]);
      const applying = new MockActivityEnvironment().run(createTieringActivities({ db: database.db }).applyRunTiers, {
        runId: run2024.run.runId,
        ranges: [{ from: null, to: null }],
        decidedBy: CITY.id,
        decidedAt: '2024-09-03T00:00:00.000Z',
      });
      for (;;) {
        const [waiting] = await database.sql`
          select count(*)::int as backends from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
        if (waiting!.backends > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await concurrent.unsafe('commit');
      expect(await applying).toBe(1);
    } finally {
      concurrent.release();
    }
    const history = await database.sql`
      select previous_tier, tier from tier_history where uscc = ${household.uscc} and decided_at = '2024-09-03T00:00:00Z'`;
    expect(history).toEqual([{ previous_tier: decided, tier: ranTier }]);
    expect((await currentTiers()).get(household.uscc)).toEqual({ tier: ranTier, runId: run2024.run.runId, source: 'run' });
  });

  it('stores a trace from which the decision is re-derived: outcomes, the facts evaluated and the thresholds', async () => {
    const rows = await database.sql`
      select uscc, tier, trace from tiering_results where run_id = ${run2024.run.runId} order by uscc limit 40`;
    for (const row of rows) {
      const stored = row.trace as CompactTierTrace;
      // Stored compactly (the facts as positional arrays), read in the full form.
      expect(Array.isArray(stored.facts)).toBe(true);
      const trace = expandTrace(stored);
      expect(Object.keys(trace).sort()).toEqual(['facts', 'outcomes', 'thresholds']);
      expect(trace.facts.uscc).toBe(row.uscc);
      expect(trace.thresholds).toEqual(DEFAULT_TIER_THRESHOLDS);
      // Only what the rules read on the as-of date: last year's report, and the tax rows of last year
      // and of the latest year up to the as-of year (the current flags).
      expect(trace.facts.tax.map((t) => t.year)).toEqual([2023, 2024]);
      expect(trace.facts.annualReports.every((r) => r.year === 2023)).toBe(true);
      expect(decideTier(trace.facts, '2024-08-01', trace.thresholds).tier).toBe(row.tier);
      expect(trace.outcomes).toMatch(/^T-B1\+ T-B2[+-] T-B3\+ T-B4\+ T-B5\+ T-B6\+/);
    }
  });

  it("counts the movements against the previous year's run in force and updates the changed households' tiers", async () => {
    run2025 = await run({ year: 2025, asOf: '2025-08-01' });
    const expected = expectedCounts(fixtures, 2025);
    const moves = expectedMoves(fixtures, 2024, 2025);
    expect(Object.keys(moves)).toHaveLength(12);
    expect(run2025.run).toMatchObject({
      year: 2025,
      version: 1,
      inForce: true,
      countsByTier: expected.byTier,
      countsByDistrict: expected.byDistrict,
      movements: { previousRun: { runId: run2024.run.runId, year: 2024, version: 1 }, moves },
    });
    expect(run2025.run.movements!.moves['survival>growth']).toBe(20);

    const tiers = await currentTiers();
    for (const f of fixtures) expect(tiers.get(f.uscc)).toEqual({ tier: f.tierIn[2025], runId: run2025.run.runId, source: 'run' });
    const changed = fixtures.filter((f) => f.tierIn[2024] !== f.tierIn[2025]).length;
    expect(run2025.tierChanges).toBe(changed);
    const history = await database.sql`
      select previous_tier, tier, decided_by from tier_history where run_id = ${run2025.run.runId}`;
    expect(history).toHaveLength(changed);
    expect(history.every((h) => h.previous_tier !== h.tier && h.decided_by === CITY.id)).toBe(true);
  });

  it('makes a re-run a new version, in force only when asked, and switches the version in force atomically', async () => {
    // T-G1 raised above the growth fixtures' 200,000 yuan: they fall back to survival.
    const stricter = { growthRevenueYuan: 300_000, developmentRevenueYuan: 1_000_000 };
    const rerun = await run({ year: 2025, asOf: '2025-08-01', thresholds: stricter, makeInForce: false });
    const expected = expectedCounts(fixtures, 2025).byTier;
    expect(rerun.run).toMatchObject({
      version: 2,
      inForce: false,
      thresholds: { ...stricter, source: 'request' },
      countsByTier: { ...expected, growth: 0, survival: expected.survival + expected.growth },
      quotaBase: expected.development,
    });
    expect(rerun.tierChanges).toBe(0);
    const versions = await database.sql`select version, in_force from tiering_runs where year = 2025 order by version`;
    expect(versions.map((v) => [v.version, v.in_force])).toEqual([[1, true], [2, false]]);
    expect((await currentTiers()).get(fixtures.find((f) => f.tierIn[2025] === 'growth')!.uscc)!.tier).toBe('growth');

    const switched = await makeRunInForce(database.sql, rerun.run.runId, CITY, '2025-08-20T02:00:00.000Z');
    expect(switched).toMatchObject({ replacedRunId: run2025.run.runId, tierChanges: expected.growth, run: { inForce: true } });
    const after = await database.sql`select version, in_force from tiering_runs where year = 2025 order by version`;
    expect(after.map((v) => [v.version, v.in_force])).toEqual([[1, false], [2, true]]);
    const tiers = await currentTiers();
    for (const f of fixtures.filter((f) => f.tierIn[2025] === 'growth')) {
      expect(tiers.get(f.uscc)).toEqual({ tier: 'survival', runId: rerun.run.runId, source: 'run' });
    }
    // Doing it again changes nothing; the switch is on the run's audit trail.
    expect((await makeRunInForce(database.sql, rerun.run.runId, CITY, '2025-08-21T02:00:00.000Z')).tierChanges).toBe(0);
    const audit = await database.sql`
      select seq, action, actor_id from case_events where case_id = ${rerun.run.workflowId} order by seq`;
    expect(audit.map((a) => a.action)).toEqual(['tiering_run_started', 'tiering_run_completed', 'tiering_run_made_in_force']);
    // A completed run stays as it was.
    const [stored] = await database.sql`select counts_by_tier, completed_at from tiering_runs where id = ${rerun.run.runId}`;
    expect(stored!.counts_by_tier).toEqual(rerun.run.countsByTier);
  });

  it('refuses a second run of a year while one runs, and bad input, before writing anything', async () => {
    const first = await startRun({ year: 2024, asOf: '2024-08-01', chunkSize: 10 });
    expect(await first.executeUpdate(awaitPreparedUpdate)).toMatchObject({ outcome: 'prepared', version: 2 });
    const second = await startRun({ year: 2024, asOf: '2024-08-01' });
    const refused = await second.executeUpdate(awaitPreparedUpdate);
    expect(refused).toMatchObject({ outcome: 'refused', errorType: RUN_IN_PROGRESS_ERROR });
    await expect(second.result()).rejects.toThrow(WorkflowFailedError);
    const finished = (await first.result()) as FinalizedRun;
    expect(finished.run).toMatchObject({ version: 2, status: 'completed', processed: HOUSEHOLDS });

    const future = await startRun({ year: 2099, asOf: '2099-08-01' });
    expect(await future.executeUpdate(awaitPreparedUpdate)).toMatchObject({
      outcome: 'refused',
      errorType: INVALID_RUN_INPUT_ERROR,
      field: 'asOf',
      clause: 'T-RUN',
    });
    const failure = await future.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(((failure as WorkflowFailedError).cause as Error).message).toMatch(/asOf: asOf 2099-08-01 is in the future/);
    expect(await database.sql`select id from tiering_runs where year = 2099`).toHaveLength(0);
  });
});

describe('on-demand tiering of one household', () => {
  it('tiers a household with the same rules and the year thresholds, and records it as its current tier', async () => {
    const household = fixtures.find((f) => f.tierIn[2025] === 'survival')!;
    // Corrected data: its 2025 annual report now shows a development revenue.
    await database.sql`
      insert into annual_reports (uscc, year, filed_on, revenue) values (${household.uscc}, 2025, '2026-03-01', 5000000)
      on conflict (uscc, year) do update set revenue = excluded.revenue, filed_on = excluded.filed_on`;
    const office: Actor = { id: 'reviewer-120101', role: 'district', districtCode: household.districtCode };
    const input: TierHouseholdInput = { uscc: household.uscc, asOf: '2026-08-01', requestedBy: office, reason: 'corrected annual report' };
    const result = await tierHousehold(input);
    expect(result).toMatchObject({
      uscc: household.uscc,
      year: 2026,
      asOf: '2026-08-01',
      tier: 'development',
      applied: true,
      thresholds: { ...DEFAULT_TIER_THRESHOLDS, isDefault: true },
      decidedBy: office.id,
    });
    expect(result.outcomes).toContain('T-D1+');
    expect(result.reasons.join('')).toContain('5000000');

    const [current] = await database.sql`select tier, source, year, trace from household_tiers where uscc = ${household.uscc}`;
    expect(current).toMatchObject({ tier: 'development', source: 'on_demand', year: 2026 });
    expect((current!.trace as StoredTierTrace).outcomes).toBe(result.outcomes);
    const history = await database.sql`
      select source, decided_by, previous_tier, reason from tier_history
      where uscc = ${household.uscc} and source = 'on_demand'`;
    expect(history).toEqual([
      { source: 'on_demand', decided_by: office.id, previous_tier: 'survival', reason: 'T-RUN: tiered on demand as of 2026-08-01 (corrected annual report)' },
    ]);
  });

  it('loads only the facts that matter on the as-of date, and the latest older tax row when recent ones are missing', async () => {
    const first17 = '92120116TW9999990';
    const uscc = first17 + usccCheckCharacter(first17);
    const { sql } = database;
    await sql`
      insert into households (uscc, name, operator_id, operator_name, district_code, established_on, status)
      values (${uscc}, '事实加载测试户', 'op-facts', '测试', '120116', '2016-05-01', 'active')`;
    await sql`
      insert into tax_records (uscc, year, tax_registered_on, general_taxpayer, vat_paid, iit_paid, abnormal) values
        (${uscc}, 2018, '2016-06-01', false, 10, 0, false),
        (${uscc}, 2019, '2016-06-01', true, 20, 0, false),
        (${uscc}, 2026, '2016-06-01', false, 30, 0, true)`;
    await sql`insert into annual_reports (uscc, year, filed_on, revenue) values (${uscc}, 2023, '2024-03-01', 1), (${uscc}, 2024, '2025-03-01', 80000)`;
    await sql`insert into social_insurance (uscc, year, insured_count) values (${uscc}, 2023, 9), (${uscc}, 2024, 2)`;
    await sql`
      insert into ip_rights (kind, registration_no, uscc, holder, in_use) values
        ('trademark', 'TM-unused-' || ${uscc}, ${uscc}, 'household', false),
        ('trademark', 'TM-used-' || ${uscc}, ${uscc}, 'operator', true),
        ('patent', 'ZL-' || ${uscc}, ${uscc}, 'operator', false)`;
    await sql`
      insert into credit_events (uscc, kind, listed_on, cleared_on) values
        (${uscc}, 'penalty_fine', '2025-01-01', null),
        (${uscc}, 'abnormal_operation', '2023-01-01', '2023-06-01'),
        (${uscc}, 'serious_dishonesty', '2025-10-01', null)`;

    const { facts, districtCode } = await createTieringActivities({ db: database.db }).loadHouseholdToTier({ uscc, asOf: '2025-09-01' });
    expect(districtCode).toBe('120116');
    expect(facts).toEqual({
      uscc,
      establishedOn: '2016-05-01',
      status: 'active',
      seasonal: false,
      suspendedOn: null,
      annualReports: [{ year: 2024, filedOn: '2025-03-01', revenue: 80000 }],
      // Neither 2024 nor 2025 has a tax row: the latest before them carries the current flags; 2026 is after the as-of year.
      tax: [{ year: 2019, taxRegisteredOn: '2016-06-01', generalTaxpayer: true, vatPaid: 20, iitPaid: 0, abnormal: false }],
      socialInsurance: [{ year: 2024, insuredCount: 2 }],
      ipRights: [
        { kind: 'patent', registrationNo: `ZL-${uscc}`, holder: 'operator', inUse: false },
        { kind: 'trademark', registrationNo: `TM-used-${uscc}`, holder: 'operator', inUse: true },
      ],
      creditEvents: [{ kind: 'abnormal_operation', listedOn: '2023-01-01', clearedOn: '2023-06-01' }],
    });
  });

  it('writes once when the recording activity is retried, and keeps a later year from being replaced', async () => {
    const activities = createTieringActivities({ db: database.db });
    const household = fixtures.find((f) => f.tierIn[2025] === 'growth')!;
    const asOf = '2025-09-01';
    const loaded = await activities.loadHouseholdToTier({ uscc: household.uscc, asOf });
    const decision = decideTier(loaded.facts, asOf, DEFAULT_TIER_THRESHOLDS);
    const record = {
      uscc: household.uscc,
      year: 2025,
      asOf,
      tier: decision.tier,
      trace: { outcomes: '', facts: loaded.facts, thresholds: DEFAULT_TIER_THRESHOLDS },
      decidedBy: CITY,
      decidedAt: '2025-09-01T03:00:00.000Z',
      reason: 'retry test',
    };
    expect(await activities.recordOnDemandTier(record)).toEqual({ previousTier: 'survival', applied: true, notApplied: null });
    expect(await activities.recordOnDemandTier(record)).toEqual({ previousTier: 'survival', applied: true, notApplied: null });
    expect(await database.sql`select id from tier_history where uscc = ${household.uscc} and reason = 'retry test'`).toHaveLength(1);

    // An older year's decision is refused, once, with the reason on the household's trail.
    const older = { ...record, year: 2024, asOf: '2024-09-01', decidedAt: '2025-09-02T03:00:00.000Z' };
    const refused = {
      previousTier: decision.tier,
      applied: false,
      notApplied: {
        reason: `T-RUN: its 2025 tier ${decision.tier} (on_demand, as of 2025-09-01) stands: a decision on 2024, an earlier year, does not replace it`,
        standing: { year: 2025, tier: decision.tier, source: 'on_demand', asOf: '2025-09-01', runId: null },
      },
    };
    expect(await activities.recordOnDemandTier(older)).toEqual(refused);
    expect(await activities.recordOnDemandTier(older)).toEqual(refused);
    const audit = await database.sql`
      select seq, action, actor_id, reason, clauses from case_events where case_id = ${`tier-on-demand-${household.uscc}`}`;
    expect(audit).toEqual([
      { seq: 1, action: 'tier_on_demand_not_applied', actor_id: CITY.id, reason: refused.notApplied.reason, clauses: ['T-RUN'] },
    ]);
    await expect(activities.loadHouseholdToTier({ uscc: '92120101MA0000000X', asOf })).rejects.toThrow(/no household/);
  });

  it("leaves a tier of the year decided as of a later date, says which decision stands, and uses the run in force's thresholds", async () => {
    const household = fixtures.find((f) => f.tierIn[2025] === 'development')!;
    const [inForce] = await database.sql`select id from tiering_runs where year = 2025 and in_force`;
    const current = () => database.sql`
      select tier, source, run_id, as_of::text as as_of, decided_at from household_tiers where uscc = ${household.uscc}`;
    const before = await current();
    expect(before).toMatchObject([{ tier: 'development', source: 'run', run_id: inForce!.id, as_of: '2025-08-01' }]);
    // As of early January, last year's annual report was not filed yet (T-B2).
    const input: TierHouseholdInput = { uscc: household.uscc, asOf: '2025-01-05', requestedBy: CITY };
    const result = await tierHousehold(input);
    expect(result).toMatchObject({
      year: 2025,
      tier: 'unclassified',
      previousTier: 'development',
      applied: false,
      notApplied: {
        reason: 'T-RUN: its 2025 tier development (run, as of 2025-08-01) stands: a decision as of 2025-01-05, an earlier date, does not replace it',
        standing: { year: 2025, tier: 'development', source: 'run', asOf: '2025-08-01', runId: inForce!.id },
      },
      // The re-run in force for 2025 raised T-G1; the year has no setting of its own.
      thresholds: { growthRevenueYuan: 300_000, developmentRevenueYuan: 1_000_000, isDefault: false, runId: inForce!.id },
    });
    expect(await current()).toEqual(before);
    const audit = await database.sql`
      select action, from_status, to_status, details from case_events where case_id = ${`tier-on-demand-${household.uscc}`}`;
    expect(audit).toMatchObject([
      {
        action: 'tier_on_demand_not_applied',
        from_status: 'development',
        to_status: 'development',
        details: { year: 2025, asOf: '2025-01-05', tier: 'unclassified', outcome: { applied: false } },
      },
    ]);
  });
});

describe('what a run of a year leaves alone', () => {
  const stricter = { growthRevenueYuan: 300_000, developmentRevenueYuan: 1_000_000 };

  it("keeps an upheld objection's tier and a later on-demand tier of its year, against another run of the year and a run put in force again", async () => {
    const growth = fixtures.filter((f) => f.tierIn[2025] === 'growth');
    const [objected, laterOnDemand] = [growth[1]!, growth[2]!];
    await database.sql`
      update household_tiers set tier = 'development', source = 'objection', trace = '{}', decided_at = '2025-09-10T00:00:00Z'
      where uscc = ${objected.uscc}`;
    await database.sql`
      update household_tiers set source = 'on_demand', run_id = null, as_of = '2025-09-01', trace = '{}', decided_at = '2025-09-01T00:00:00Z'
      where uscc = ${laterOnDemand.uscc}`;
    const standingTiers = () => database.sql`
      select uscc, year, tier, source, run_id, as_of::text as as_of from household_tiers
      where uscc in ${database.sql(growth.map((f) => f.uscc))} and source <> 'run' order by uscc`;
    const standing = await standingTiers();
    expect(standing.map((row) => row.uscc)).toEqual(expect.arrayContaining([objected.uscc, laterOnDemand.uscc]));
    expect(standing.every((row) => row.year === 2025)).toBe(true);

    // Version 1 of 2025 (T-G1 at the default) put in force again: the other growth households return to growth.
    const [version1] = await database.sql`select id from tiering_runs where year = 2025 and version = 1`;
    const switched = await makeRunInForce(database.sql, version1!.id as number, CITY, '2025-09-20T00:00:00.000Z');
    expect(switched.tierChanges).toBe(growth.length - standing.length);
    expect(await standingTiers()).toEqual(standing);

    // A new version with T-G1 raised: the other growth households fall back to survival, and those
    // registered since version 1 get their first tier.
    const [{ untiered }] = (await database.sql`
      select count(*)::int as untiered from households where uscc not in (select uscc from household_tiers)`) as unknown as [{ untiered: number }];
    const rerun = await run({ year: 2025, asOf: '2025-08-01', thresholds: stricter });
    expect(rerun.run.countsByTier!.growth).toBe(0);
    expect(rerun.tierChanges).toBe(growth.length - standing.length + untiered);
    expect(await standingTiers()).toEqual(standing);
    const history = await database.sql`
      select uscc from tier_history where run_id = ${rerun.run.runId} and uscc in ${database.sql(standing.map((row) => row.uscc as string))}`;
    expect(history).toEqual([]);

    // Put in force again, it re-applies every range and finds nothing to change.
    expect((await makeRunInForce(database.sql, rerun.run.runId, CITY, '2025-09-21T00:00:00.000Z')).tierChanges).toBe(0);
    expect(await standingTiers()).toEqual(standing);
  });

  it('leaves out the households established after its as-of date: not tiered, not counted, not given a tier', async () => {
    const late = ['92120116TW9999991', '92120116TW9999992'].map((first17) => first17 + usccCheckCharacter(first17));
    await database.sql`
      insert into households (uscc, name, operator_id, operator_name, district_code, established_on, status) values
        (${late[0]!}, '新设测试户一', 'op-late-1', '测试', '120116', '2025-08-02', 'active'),
        (${late[1]!}, '新设测试户二', 'op-late-2', '测试', '120116', '2025-10-01', 'active')`;
    // The first was tiered on demand once established.
    await database.sql`
      insert into household_tiers (uscc, year, tier, source, as_of, rule_version, trace, decided_at)
      values (${late[0]!}, 2025, 'survival', 'on_demand', '2025-08-15', 'test', '{}', '2025-08-15T02:00:00Z')`;
    const [registry] = await database.sql`
      select count(*)::int as households, (count(*) filter (where established_on <= '2025-08-01'))::int as established from households`;
    expect(registry!.households).toBe(registry!.established + 2);

    const result = await run({ year: 2025, asOf: '2025-08-01', thresholds: stricter });
    const counted = Object.values(result.run.countsByTier!).reduce((sum, n) => sum + n, 0);
    expect({ households: result.run.households, processed: result.run.processed, counted }).toEqual({
      households: registry!.established,
      processed: registry!.established,
      counted: registry!.established,
    });
    expect(await database.sql`select uscc from tiering_results where run_id = ${result.run.runId} and uscc in ${database.sql(late)}`).toEqual([]);
    expect(result.tierChanges).toBe(0);
    const tiers = await currentTiers();
    expect(tiers.get(late[0]!)).toEqual({ tier: 'survival', runId: null, source: 'on_demand' });
    expect(tiers.has(late[1]!)).toBe(false);
  });
});
