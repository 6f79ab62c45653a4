/**
 * What the tiering activities (activities/tiering.ts) and the queries the API calls
 * (activities/tiering-queries.ts) share: the SQL of runs, results and current tiers, the
 * applying of a run's tiers, the audit rows. Not for use outside activities/.
 */
import type { ISql, Row, Sql, TransactionSql } from 'postgres';
import { SYSTEM_ACTOR, type Actor } from '../policy/actors.js';
import type { IsoDate } from '../policy/dates.js';
import { addTally, type ChunkTally, type TierCounts } from '../policy/tiering-run.js';
import type { TierThresholds } from '../policy/tiering.js';
import type { AuditEvent } from './case-projection.js';
import { LineCursor, usccRangeFilter, type UsccRange } from './household-facts.js';
import type { ChunkSpec, Movements, RunRef, RunStatus, RunThresholds, ThresholdSetting, TieringRunRecord } from './tiering-types.js';

/** Orders a switch of the year's run in force (exclusive) after the applying of its tiers (shared). */
export const IN_FORCE_LOCK = 2024_0902;

const UNIQUE_VIOLATION = '23505';

/**
 * The precedence of tier decisions (policy/tiering-run.ts, replacesCurrentTier) in SQL, for the
 * yearly run's applying, on-demand tiering and the objection decision alike: whether a new
 * decision `decision` (year, as_of, source) replaces the household's current tier `held` (its
 * household_tiers row, all null when it has none). SQL text over those two aliases, so that the
 * set-based applying decides it as a WHERE on the existing row, and the postgres.js and drizzle
 * statements embed the same text; test/db/tier-precedence.test.ts requires the same answers as
 * the function's.
 */
export const REPLACES_CURRENT_TIER =
  '(held.year is null or decision.year > held.year or (decision.year = held.year and decision.as_of >= held.as_of ' +
  "and (held.source <> 'objection' or decision.source = 'objection')))";

/** A connection or a transaction: what the helpers below run their statements on. */
export type Queryable = ISql;

/** Makes `run` the one in force for its year, in the caller's transaction; the unique index allows one. */
export async function switchInForce(tx: Queryable, run: TieringRunRecord): Promise<number | null> {
  const [replaced] = await tx`
    update tiering_runs set in_force = false where year = ${run.year} and in_force and id <> ${run.runId} returning id`;
  await tx`update tiering_runs set in_force = true where id = ${run.runId}`;
  return (replaced?.id as number | undefined) ?? null;
}

/**
 * Makes the run's results the current tier of their households, in the caller's transaction, one
 * USCC range after the other, except where the current tier stands against the run
 * (REPLACES_CURRENT_TIER: a later year's, one decided as of a later date, an upheld objection's);
 * each change of tier (or first tier) goes to tier_history. Neither copies the trace: both rows point at the
 * run's result (run_id, uscc). Idempotent: done again, it finds nothing to change. Answers how
 * many households' tier changed.
 */
export async function applyTiers(
  tx: TransactionSql,
  run: TieringRunRecord,
  ranges: readonly UsccRange[],
  decidedBy: string,
  at: string,
  onRangeApplied: () => void = () => {},
): Promise<number> {
  // The applying changes the statistics it is planned with (a first run inserts every row, and an
  // autovacuum may sample the table halfway): planned for a near-empty range, a nested loop would
  // scan a range once per household in it. Hash and merge joins stay linear whatever the estimate.
  await tx`set local enable_nestloop = off`;
  await tx`set local plan_cache_mode = force_custom_plan`;
  let tierChanges = 0;
  for (const range of ranges) {
    // A household whose current tier another decision (on-demand tiering, an upheld objection)
    // changed after the statement read it is left to another pass, and one it gave a first tier
    // fails the statement, which is done again (cheaper than "on conflict", by a third): the
    // previous tier the history records is always the one replaced.
    for (let missed = -1; missed !== 0; ) {
      try {
        const [applied] = await tx.savepoint((savepoint) => applyRange(savepoint, run, range, decidedBy, at));
        missed = applied!.missed as number;
        tierChanges += applied!.tier_changes as number;
      } catch (err) {
        if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      }
    }
    onRangeApplied();
  }
  return tierChanges;
}

/**
 * One range of applyTiers, one statement: the range on every side, so that each scan reads the
 * range of its table, not all of it. Answers how many households it left for another pass
 * (`missed`) and how many changed tier.
 */
function applyRange(sql: Queryable, run: TieringRunRecord, range: UsccRange, decidedBy: string, at: string) {
  const reason = `T-RUN: tiering run ${run.year} version ${run.version} as of ${run.asOf}`;
  return sql`
    with changes as materialized (
      select result.uscc, result.tier, held.tier as previous_tier, held.decided_at as previous_decided_at
      from tiering_results result
      cross join (select ${run.year}::int as year, ${run.asOf}::date as as_of, 'run'::text as source) decision
      left join household_tiers held on held.uscc = result.uscc and ${usccRangeFilter(sql, range, 'held.uscc')}
      where result.run_id = ${run.runId} and ${usccRangeFilter(sql, range, 'result.uscc')}
        and held.run_id is distinct from ${run.runId} and ${sql.unsafe(REPLACES_CURRENT_TIER)}
    ), updated as (
      update household_tiers target set
        year = ${run.year}, tier = change.tier, source = 'run', run_id = ${run.runId}, as_of = ${run.asOf},
        rule_version = ${run.ruleVersion}, trace = null, decided_at = ${at}
      from changes change
      where target.uscc = change.uscc and ${usccRangeFilter(sql, range, 'target.uscc')}
        and target.tier = change.previous_tier and target.decided_at = change.previous_decided_at
      returning target.uscc, target.tier, change.previous_tier
    ), inserted as (
      insert into household_tiers (uscc, year, tier, source, run_id, as_of, rule_version, trace, decided_at)
      select uscc, ${run.year}, tier, 'run', ${run.runId}, ${run.asOf}, ${run.ruleVersion}, null, ${at}
      from changes where previous_tier is null
      returning uscc, tier, null::text as previous_tier
    ), history as (
      insert into tier_history (uscc, year, tier, previous_tier, source, run_id, decided_by, decided_at, reason, trace)
      select uscc, ${run.year}, tier, previous_tier, 'run', ${run.runId}, ${decidedBy}, ${at}, ${reason}, null
      from (select * from updated union all select * from inserted) applied
      where previous_tier is distinct from tier
      returning 1
    )
    select (select count(*) from changes)::int - (select count(*) from updated)::int - (select count(*) from inserted)::int as missed,
           (select count(*) from history)::int as tier_changes`;
}

/** The run's tally summed from its chunks' rows, and how many chunks stored theirs. */
export async function storedTally(tx: Queryable, runId: number): Promise<ChunkTally & { chunks: number }> {
  const rows = await tx`select households, counts_by_district, moves from tiering_run_chunks where run_id = ${runId}`;
  const total: ChunkTally & { chunks: number } = { chunks: rows.length, households: 0, countsByDistrict: {}, moves: {} };
  for (const row of rows) {
    addTally(total, { households: row.households as number, countsByDistrict: row.counts_by_district as ChunkTally['countsByDistrict'], moves: row.moves as ChunkTally['moves'] });
  }
  return total;
}

/** The tiers a run gave the households of a range, as lines `uscc \t tier` in USCC byte order. */
export async function tiersInRange(sql: Queryable, runId: number, range: UsccRange): Promise<LineCursor> {
  const [[text]] = (await sql`
    select string_agg(uscc || ${'\t'} || tier, ${'\n'} order by uscc collate "C")
    from tiering_results where ${resultsInRange(sql, runId, range)}`.values()) as unknown as [[string | null]];
  return new LineCursor(text, 2, 'tiering_results');
}

/** The results of a run in a USCC range: a range of the primary key (run_id, uscc). */
export function resultsInRange(sql: Queryable, runId: number, range: UsccRange) {
  return sql`run_id = ${runId} and ${usccRangeFilter(sql, range)}`;
}

/** Cuts the registry into USCC ranges of `size` households; the ends stay open so no USCC falls outside. */
export async function chunksOf(tx: Queryable, size: number): Promise<ChunkSpec[]> {
  const ranges = await usccRanges(tx, size);
  return ranges.map((range, index) => ({ index, ...range }));
}

export async function usccRanges(tx: Queryable, size: number): Promise<UsccRange[]> {
  const starts = await tx`
    select uscc from (select uscc, row_number() over (order by uscc) - 1 as position from households) numbered
    where position % ${size} = 0 order by uscc`;
  return starts.map((row, index) => ({
    from: index === 0 ? null : (row.uscc as string),
    to: index + 1 < starts.length ? (starts[index + 1]!.uscc as string) : null,
  }));
}

export async function auditRun(
  tx: Queryable,
  event: {
    workflowId: string;
    seq: number;
    at: string;
    actor: Actor;
    action: string;
    fromStatus: string | null;
    toStatus: string;
    reason: string;
    details: Record<string, unknown>;
  },
): Promise<void> {
  await tx`
    insert into case_events (case_id, seq, at, actor_id, actor_role, action, from_status, to_status, reason, clauses, details)
    values (${event.workflowId}, ${event.seq}, ${event.at}, ${event.actor.id}, ${event.actor.role}, ${event.action},
            ${event.fromStatus}, ${event.toStatus}, ${event.reason}, ${['T-RUN']},
            ${json(tx, event.details)})
    on conflict do nothing`;
}

/**
 * Appends an event to an audit trail after whatever it holds. The caller holds the lock that
 * orders the trail's writers (the in-force lock for a run, the household's or the thresholds' row).
 */
export async function auditNext(
  tx: Queryable,
  trailId: string,
  event: Omit<AuditEvent, 'seq'>,
): Promise<void> {
  await tx`
    insert into case_events (case_id, seq, at, actor_id, actor_role, action, from_status, to_status, reason, clauses, details)
    select ${trailId}, coalesce(max(seq), 0) + 1, ${event.at}, ${event.actor.id}, ${event.actor.role}, ${event.action},
           ${event.fromStatus}, ${event.toStatus}, ${event.reason}, ${event.clauses}, ${json(tx, event.details)}
    from case_events where case_id = ${trailId}`;
}

export function runColumns(sql: Queryable) {
  return sql`
    id, year, version, as_of::text as as_of, thresholds, rule_version, status, workflow_id, requested_by,
    ${isoTimestamp(sql, 'started_at')}, ${isoTimestamp(sql, 'completed_at')}, households, processed, counts_by_tier, counts_by_district, quota_base, movements, in_force,
    ${isoTimestamp(sql, 'tiers_applied_at')}`;
}

/**
 * A timestamptz column as an ISO string in UTC, whatever parsers the client has (drizzle makes
 * postgres.js hand timestamps over as PostgreSQL text).
 */
export function isoTimestamp(sql: Queryable, column: string) {
  return sql`to_char(${sql(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ${sql(column)}`;
}

export function toRunRecord(row: Row): TieringRunRecord {
  return {
    runId: row.id as number,
    year: row.year as number,
    version: row.version as number,
    asOf: row.as_of as IsoDate,
    thresholds: row.thresholds as RunThresholds,
    ruleVersion: row.rule_version as string,
    status: row.status as RunStatus,
    workflowId: row.workflow_id as string,
    requestedBy: row.requested_by as string,
    startedAt: row.started_at as string,
    completedAt: row.completed_at as string | null,
    households: row.households as number,
    processed: row.processed as number,
    countsByTier: row.counts_by_tier as TierCounts | null,
    countsByDistrict: row.counts_by_district as Record<string, TierCounts> | null,
    quotaBase: row.quota_base as number | null,
    movements: row.movements as Movements | null,
    inForce: row.in_force as boolean,
    tiersAppliedAt: row.tiers_applied_at as string | null,
  };
}

export function runRefOf(row: Row): RunRef {
  return { runId: row.id as number, year: row.year as number, version: row.version as number };
}

/** Keys in order, so that the stored JSON reads the same whatever order the chunks finished in. */
export function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function runThresholdsOf(setting: ThresholdSetting): RunThresholds {
  return { ...pickThresholds(setting), source: setting.isDefault ? 'default' : 'year' };
}

export function pickThresholds(thresholds: TierThresholds): TierThresholds {
  return { growthRevenueYuan: thresholds.growthRevenueYuan, developmentRevenueYuan: thresholds.developmentRevenueYuan };
}

export function zeroCounts(): TierCounts {
  return { unclassified: 0, survival: 0, growth: 0, development: 0 };
}

/** A jsonb parameter. Drizzle turns the client's own JSON serializer off, so the text goes as it is. */
export function json(sql: Queryable, value: unknown) {
  return sql`${JSON.stringify(value)}::jsonb`;
}

/** COPY's text format reads a backslash as an escape; JSON.stringify leaves no raw tab or newline. */
export function copyText(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/** Marks a running run failed, once, with the audit event that says why. */
export async function failRunningRun(sql: Sql, runId: number, reason: string, failedAt: string): Promise<void> {
  await sql.begin(async (tx) => {
    const [row] = await tx`
      update tiering_runs set status = 'failed', completed_at = ${failedAt}
      where id = ${runId} and status = 'running' returning workflow_id`;
    if (!row) return;
    await auditRun(tx, {
      workflowId: row.workflow_id as string,
      seq: 2,
      at: failedAt,
      actor: SYSTEM_ACTOR,
      action: 'tiering_run_failed',
      fromStatus: 'running',
      toStatus: 'failed',
      reason,
      details: { runId },
    });
  });
}
