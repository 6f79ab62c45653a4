/**
 * The tiering's reads and writes the API makes itself, outside any workflow: the per-year
 * thresholds (T-G1, T-D1), the runs and the one in force (T-RUN), the current tier's trace, and
 * the failing of runs whose workflow ended without finishing them.
 */
import { sql as drizzleSql, type SQL } from 'drizzle-orm';
import type { Sql } from 'postgres';
import { postgresClientOf, type Db } from '../db/client.js';
import { householdTiers, tieringResults } from '../db/tiering-schema.js';
import type { Actor } from '../policy/actors.js';
import { expandTrace, type CompactTierTrace, type StoredTierTrace } from '../policy/tier-trace.js';
import { DEFAULT_TIER_THRESHOLDS, type TierThresholds } from '../policy/tiering.js';
import {
  IN_FORCE_LOCK,
  applyTiers,
  auditNext,
  failRunningRun,
  isoTimestamp,
  pickThresholds,
  runColumns,
  switchInForce,
  toRunRecord,
  usccRanges,
  type Queryable,
} from './tiering-internals.js';
import type { ThresholdSetting, TieringRunRecord } from './tiering-types.js';

/** The year's T-G1 / T-D1 thresholds, or the shipped defaults (not policy) when none are set. */
export async function thresholdSetting(sql: Queryable, year: number): Promise<ThresholdSetting> {
  const [row] = await sql`
    select growth_revenue_yuan::float8 as growth, development_revenue_yuan::float8 as development, updated_by,
           ${isoTimestamp(sql, 'updated_at')}
    from tier_thresholds where year = ${year}`;
  if (!row) return { year, ...DEFAULT_TIER_THRESHOLDS, isDefault: true, updatedBy: null, updatedAt: null };
  return {
    year,
    growthRevenueYuan: row.growth as number,
    developmentRevenueYuan: row.development as number,
    isDefault: false,
    updatedBy: row.updated_by as string,
    updatedAt: row.updated_at as string,
  };
}

/** Sets a year's thresholds; the previous values stay in the audit trail (`tier-thresholds-{year}`). */
export async function setThresholds(
  sql: Sql,
  year: number,
  thresholds: TierThresholds,
  actor: Actor,
  at: string,
): Promise<ThresholdSetting> {
  return sql.begin(async (tx) => {
    const before = await thresholdSetting(tx, year);
    await tx`
      insert into tier_thresholds (year, growth_revenue_yuan, development_revenue_yuan, updated_by, updated_at)
      values (${year}, ${thresholds.growthRevenueYuan}, ${thresholds.developmentRevenueYuan}, ${actor.id}, ${at})
      on conflict (year) do update set
        growth_revenue_yuan = excluded.growth_revenue_yuan,
        development_revenue_yuan = excluded.development_revenue_yuan,
        updated_by = excluded.updated_by, updated_at = excluded.updated_at`;
    // The upsert holds the row lock, so the next sequence number is ours alone.
    await auditNext(tx, thresholdsAuditId(year), {
      at,
      actor,
      action: 'tier_thresholds_set',
      fromStatus: before.isDefault ? 'default' : 'set',
      toStatus: 'set',
      reason: `T-G1/T-D1 thresholds for ${year}: ${thresholds.growthRevenueYuan} / ${thresholds.developmentRevenueYuan} yuan`,
      clauses: ['T-G1', 'T-D1'],
      details: { before: pickThresholds(before), after: pickThresholds(thresholds) },
    });
    return thresholdSetting(tx, year);
  });
}

function thresholdsAuditId(year: number): string {
  return `tier-thresholds-${year}`;
}

export async function findRun(sql: Sql, runId: number): Promise<TieringRunRecord | null> {
  const [row] = await sql`select ${runColumns(sql)} from tiering_runs where id = ${runId}`;
  return row ? toRunRecord(row) : null;
}

export async function listRuns(sql: Sql, year: number | null): Promise<TieringRunRecord[]> {
  const rows = await sql`
    select ${runColumns(sql)} from tiering_runs
    where ${year === null ? sql`true` : sql`year = ${year}`}
    order by year desc, version desc`;
  return rows.map(toRunRecord);
}

export async function runInForce(sql: Sql, year: number): Promise<TieringRunRecord | null> {
  const [row] = await sql`select ${runColumns(sql)} from tiering_runs where year = ${year} and in_force`;
  return row ? toRunRecord(row) : null;
}

export async function runningRun(sql: Sql, year: number): Promise<TieringRunRecord | null> {
  const [row] = await sql`select ${runColumns(sql)} from tiering_runs where year = ${year} and status = 'running'`;
  return row ? toRunRecord(row) : null;
}

export class RunStateError extends Error {}

/**
 * Households per statement when the city office puts a run in force: each statement's part of
 * household_tiers stays in shared buffers, where one statement for a million households updates
 * pages in hash order and rereads and rewrites them (measured: twice as slow). The yearly run
 * applies its tiers in the ranges of its chunks.
 */
const APPLY_RANGE_HOUSEHOLDS = 50_000;

/**
 * Makes a completed run the one in force for its year (T-RUN), atomically with its results
 * becoming the current tier of its households. Doing it again changes nothing. Audited on the
 * run's trail.
 */
export async function makeRunInForce(
  sql: Sql,
  runId: number,
  actor: Actor,
  at: string,
): Promise<{ run: TieringRunRecord; replacedRunId: number | null; tierChanges: number }> {
  return sql.begin(async (tx) => {
    const [row] = await tx`select ${runColumns(tx)} from tiering_runs where id = ${runId}`;
    if (!row) throw new RunStateError(`no tiering run ${runId}`);
    await tx`select pg_advisory_xact_lock(${IN_FORCE_LOCK}, ${row.year as number})`;
    const [locked] = await tx`select ${runColumns(tx)} from tiering_runs where id = ${runId} for update`;
    const run = toRunRecord(locked!);
    if (run.status !== 'completed') {
      throw new RunStateError(`T-RUN: run ${runId} is ${run.status}; only a completed run can be in force`);
    }
    // Already in force, the switch only brings over tiers its run could not apply (a failed workflow).
    const replacedRunId = run.inForce ? null : await switchInForce(tx, run);
    await tx`analyze household_tiers`;
    const tierChanges = await applyTiers(tx, run, await usccRanges(tx, APPLY_RANGE_HOUSEHOLDS), actor.id, at);
    if (run.inForce && run.tiersAppliedAt !== null && tierChanges === 0) return { run, replacedRunId, tierChanges };
    const [applied] = await tx`
      update tiering_runs set tiers_applied_at = ${at} where id = ${runId} returning ${runColumns(tx)}`;
    await auditNext(tx, run.workflowId, {
      at,
      actor,
      action: 'tiering_run_made_in_force',
      fromStatus: 'completed',
      toStatus: 'completed',
      reason: `T-RUN: version ${run.version} is the run in force for ${run.year}`,
      clauses: ['T-RUN'],
      details: { runId, replacedRunId, tierChanges },
    });
    return { run: toRunRecord(applied!), replacedRunId, tierChanges };
  });
}

/**
 * The current tier's stored trace (policy/tier-trace.ts) in its full form, for a query that reads
 * household_tiers: a tier the yearly run set is its run's result (stored compactly); on-demand and
 * objection tiers carry their own.
 */
export function currentTierTrace(): SQL<StoredTierTrace | null> {
  return drizzleSql<StoredTierTrace | CompactTierTrace | null>`coalesce(${householdTiers.trace}, (
    select ${tieringResults.trace}::jsonb from ${tieringResults}
    where ${tieringResults.runId} = ${householdTiers.runId} and ${tieringResults.uscc} = ${householdTiers.uscc}))`.mapWith(
    (stored: StoredTierTrace | CompactTierTrace | null) => (stored === null ? null : expandTrace(stored)),
  );
}

/**
 * Fails the runs still marked running whose workflow has ended without saying so (terminated,
 * timed out, gone): left running, they would hold back every import and the year's next run.
 * `endedAs` answers how a workflow ended, or null while it runs.
 */
export async function failAbandonedRuns(db: Db, endedAs: (workflowId: string) => Promise<string | null>, at: string): Promise<number[]> {
  const sql = postgresClientOf(db);
  const running = await sql<{ id: number; workflow_id: string }[]>`select id, workflow_id from tiering_runs where status = 'running'`;
  const failed: number[] = [];
  for (const run of running) {
    const ending = await endedAs(run.workflow_id);
    if (ending === null) continue;
    await failRunningRun(sql, run.id, `T-RUN: its workflow ${run.workflow_id} ended (${ending}) without finishing the run`, at);
    failed.push(run.id);
  }
  return failed;
}
