/**
 * The tiering's I/O (RULES.md part 1): the yearly run's steps (T-RUN) — prepare, tier one chunk of
 * households, finalize, apply the tiers — on-demand tiering of one household, the per-year
 * thresholds, and the switch of the run in force. Every write is idempotent: a retried activity,
 * or one whose worker died after committing, leaves exactly what one successful attempt leaves.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import { sql as drizzleSql, type SQL } from 'drizzle-orm';
import type { ISql, Row, Sql, TransactionSql } from 'postgres';
import type { Db } from '../db/client.js';
import { copyIn } from '../db/copy-in.js';
import { householdTiers, tieringResults } from '../db/tiering-schema.js';
import { SYSTEM_ACTOR, type Actor } from '../policy/actors.js';
import { yearOf, type IsoDate } from '../policy/dates.js';
import { outcomesOf, type StoredTierTrace } from '../policy/tier-trace.js';
import {
  DEFAULT_TIER_THRESHOLDS,
  TIERS,
  TIER_RULES_VERSION,
  decideTier,
  type HouseholdFacts,
  type Tier,
  type TierThresholds,
} from '../policy/tiering.js';
import { addTally, type ChunkTally, type TierCounts } from '../policy/tiering-run.js';
import { HOUSEHOLD_NOT_FOUND_ERROR, RUN_IN_PROGRESS_ERROR, RUN_STATE_ERROR } from '../policy/vocabulary.js';
import type { AuditEvent } from './case-projection.js';
import { LineCursor, loadHousehold, loadHouseholdsInRange, usccRangeFilter, type UsccRange } from './household-facts.js';

export type { ChunkTally, TierCounts };

/** Where a run's thresholds came from: the request, the year's setting, or the shipped defaults. */
export type ThresholdsSource = 'request' | 'year' | 'default';
export interface RunThresholds extends TierThresholds {
  source: ThresholdsSource;
}

export interface ThresholdSetting {
  year: number;
  growthRevenueYuan: number;
  developmentRevenueYuan: number;
  /** True when the year has no setting and the shipped defaults (not policy) apply. */
  isDefault: boolean;
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface ChunkSpec extends UsccRange {
  index: number;
}

export interface RunRef {
  runId: number;
  year: number;
  version: number;
}

export interface PreparedRun {
  runId: number;
  year: number;
  version: number;
  asOf: IsoDate;
  ruleVersion: string;
  thresholds: RunThresholds;
  households: number;
  /** The previous year's run in force when this one started: what its movements are counted against. */
  previousRun: RunRef | null;
  chunks: ChunkSpec[];
}

export interface Movements {
  /** The previous year's run in force that this run is compared with; null when there is none. */
  previousRun: RunRef | null;
  /** Households per change of tier, "from>to"; "none>to" for those the previous run did not tier. */
  moves: Record<string, number>;
}

export type RunStatus = 'running' | 'completed' | 'failed';

export interface TieringRunRecord {
  runId: number;
  year: number;
  version: number;
  asOf: IsoDate;
  thresholds: RunThresholds;
  ruleVersion: string;
  status: RunStatus;
  workflowId: string;
  requestedBy: string;
  startedAt: string;
  completedAt: string | null;
  households: number;
  processed: number;
  countsByTier: TierCounts | null;
  countsByDistrict: Record<string, TierCounts> | null;
  /** Growth + development: the base of the recognition cap (C-QUOTA). */
  quotaBase: number | null;
  movements: Movements | null;
  inForce: boolean;
  /** When its tiers last became the households' current tiers; null while they are being applied, or if never in force. */
  tiersAppliedAt: string | null;
}

export interface FinalizedRun {
  run: TieringRunRecord;
  /** Households whose current tier (household_tiers) changed or was set for the first time. */
  tierChanges: number;
}

export interface HouseholdToTier {
  districtCode: string;
  facts: HouseholdFacts;
  thresholds: OnDemandThresholds;
}

/**
 * The thresholds an on-demand decision uses (T-RUN: "with the same rules"): those of its year's
 * run in force, or, while the year has none, the year's setting.
 */
export interface OnDemandThresholds extends TierThresholds {
  /** True when they are the shipped defaults, which are not policy. */
  isDefault: boolean;
  /** The year's run in force whose thresholds they are; null when the year has none and its setting applies. */
  runId: number | null;
}

export interface OnDemandRecord {
  uscc: string;
  year: number;
  asOf: IsoDate;
  tier: Tier;
  trace: StoredTierTrace;
  decidedBy: Actor;
  decidedAt: string;
  reason: string;
}

export interface OnDemandOutcome {
  previousTier: Tier | null;
  /** False when the household's current tier stands against the decision (REPLACES_CURRENT_TIER). */
  applied: boolean;
  /** Why it was not applied and which decision stands; null when applied. */
  notApplied: { reason: string; standing: StandingTier } | null;
}

/** A household's current tier, as it stands against a newer decision that does not replace it. */
export interface StandingTier {
  year: number;
  tier: Tier;
  source: string;
  asOf: IsoDate;
  runId: number | null;
}

export interface TieringActivities {
  prepareTieringRun(input: {
    workflowId: string;
    year: number;
    asOf: IsoDate;
    thresholds: TierThresholds | null;
    requestedBy: Actor;
    startedAt: string;
    chunkSize: number;
  }): Promise<PreparedRun>;
  tierChunk(input: {
    runId: number;
    asOf: IsoDate;
    thresholds: TierThresholds;
    previousRunId: number | null;
    chunk: ChunkSpec;
  }): Promise<ChunkTally>;
  /**
   * Checks that each of the run's `chunks` stored its results and every household was tiered once,
   * stores the counts summed from the chunks' rows, completes the run and, if asked, puts it in force.
   */
  finalizeTieringRun(input: {
    runId: number;
    chunks: number;
    previousRun: RunRef | null;
    makeInForce: boolean;
    completedAt: string;
  }): Promise<TieringRunRecord>;
  /**
   * Makes the results in `ranges` of a run in force the current tier of their households; answers
   * how many changed. Ranges of one run are applied side by side, each activity in its transaction.
   */
  applyRunTiers(input: { runId: number; ranges: UsccRange[]; decidedBy: string; decidedAt: string }): Promise<number>;
  /** Records that every range of a run in force was applied: its tiers are the households' current tiers. */
  recordTiersApplied(input: { runId: number; tierChanges: number; appliedAt: string }): Promise<TieringRunRecord>;
  failTieringRun(input: { runId: number; reason: string; failedAt: string }): Promise<void>;
  loadHouseholdToTier(input: { uscc: string; asOf: IsoDate }): Promise<HouseholdToTier>;
  recordOnDemandTier(input: OnDemandRecord): Promise<OnDemandOutcome>;
}

/** COPY lines per write, and decisions between two heartbeats and event-loop turns. */
const LINES_PER_COPY_WRITE = 1_000;
/** Serialises the start of runs of the same year (pg_advisory_xact_lock(key, year)). */
const RUN_START_LOCK = 2024_0901;
/** Orders a switch of the year's run in force (exclusive) after the applying of its tiers (shared). */
const IN_FORCE_LOCK = 2024_0902;
/**
 * Households per statement when the city office puts a run in force: each statement's part of
 * household_tiers stays in shared buffers, where one statement for a million households updates
 * pages in hash order and rereads and rewrites them (measured: twice as slow). The yearly run
 * applies its tiers in the ranges of its chunks.
 */
const APPLY_RANGE_HOUSEHOLDS = 50_000;
const UNIQUE_VIOLATION = '23505';

/**
 * The one precedence of tier decisions, applied by the yearly run's applying, on-demand tiering
 * and the objection decision alike: whether a new decision `decision` (year, as_of, source)
 * replaces the household's current tier `held` (its household_tiers row, all null when it has
 * none). A later year replaces; within a year, a decision as of the same or a later date
 * replaces, except that an upheld objection's tier yields only to another objection decision
 * (T-OBJ: the city office's correction stands for its year, against runs and on-demand tiering).
 * SQL text over those two aliases, so that the set-based applying decides it as a WHERE on the
 * existing row, and the postgres.js and drizzle statements embed the same text.
 */
export const REPLACES_CURRENT_TIER =
  '(held.year is null or decision.year > held.year or (decision.year = held.year and decision.as_of >= held.as_of ' +
  "and (held.source <> 'objection' or decision.source = 'objection')))";

/** A connection or a transaction: what the helpers below run their statements on. */
type Queryable = ISql;

/** Drizzle's postgres-js database carries its postgres.js client, which COPY and set-based SQL need. */
export function postgresClientOf(db: Db): Sql {
  return (db as Db & { $client: Sql }).$client;
}

export function createTieringActivities(deps: { db: Db }): TieringActivities {
  const sql = postgresClientOf(deps.db);
  return {
    async prepareTieringRun(input) {
      return sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(${RUN_START_LOCK}, ${input.year})`;
        let [row] = await tx`select ${runColumns(tx)} from tiering_runs where workflow_id = ${input.workflowId}`;
        if (!row) {
          const [running] = await tx`
            select id, workflow_id from tiering_runs where year = ${input.year} and status = 'running'`;
          if (running) {
            throw ApplicationFailure.nonRetryable(
              `T-RUN: run ${running.id} for ${input.year} is still running (workflow ${running.workflow_id}); ` +
                'one run per year at a time',
              RUN_IN_PROGRESS_ERROR,
              { runningRunId: running.id as number, workflowId: running.workflow_id as string },
            );
          }
          const thresholds: RunThresholds = input.thresholds
            ? { ...pickThresholds(input.thresholds), source: 'request' }
            : runThresholdsOf(await thresholdSetting(tx, input.year));
          [row] = await tx`
            insert into tiering_runs
              (year, version, as_of, thresholds, rule_version, status, workflow_id, requested_by, started_at, households)
            values (
              ${input.year},
              (select coalesce(max(version), 0) + 1 from tiering_runs where year = ${input.year}),
              ${input.asOf}, ${json(tx, thresholds)},
              ${TIER_RULES_VERSION}, 'running', ${input.workflowId}, ${input.requestedBy.id}, ${input.startedAt},
              -- T-RUN: a household established later is tiered on demand, not by this run.
              (select count(*) from households where established_on <= ${input.asOf})
            )
            returning ${runColumns(tx)}`;
          const run = toRunRecord(row!);
          await auditRun(tx, {
            workflowId: input.workflowId,
            seq: 1,
            at: input.startedAt,
            actor: input.requestedBy,
            action: 'tiering_run_started',
            fromStatus: null,
            toStatus: 'running',
            reason: `T-RUN: tiering of the ${run.households} households established by ${run.asOf} for ${run.year} (version ${run.version})`,
            details: { runId: run.runId, version: run.version, asOf: run.asOf, thresholds, ruleVersion: TIER_RULES_VERSION },
          });
        }
        const run = toRunRecord(row!);
        if (run.status !== 'running') {
          throw ApplicationFailure.nonRetryable(`run ${run.runId} is ${run.status}`, RUN_STATE_ERROR);
        }
        const [previous] = await tx`select id, year, version from tiering_runs where year = ${run.year - 1} and in_force`;
        return {
          runId: run.runId,
          year: run.year,
          version: run.version,
          asOf: run.asOf,
          ruleVersion: run.ruleVersion,
          thresholds: run.thresholds,
          households: run.households,
          previousRun: previous ? runRefOf(previous) : null,
          chunks: await chunksOf(tx, input.chunkSize),
        };
      });
    },

    async tierChunk({ runId, asOf, thresholds, previousRunId, chunk }) {
      const [households, previousTiers] = await Promise.all([
        loadHouseholdsInRange(sql, chunk, asOf),
        previousRunId === null ? null : tiersInRange(sql, previousRunId, chunk),
      ]);
      heartbeat();
      const tally: ChunkTally = { households: households.count, countsByDistrict: {}, moves: {} };
      const thresholdsJson = JSON.stringify(thresholds);

      // Decided while the COPY streams, so that only a batch of lines is ever held.
      async function* resultLines(): AsyncGenerator<string> {
        let batch = '';
        let lines = 0;
        for (const { districtCode, facts } of households) {
          const decision = decideTier(facts, asOf, thresholds);
          const { tier } = decision;
          (tally.countsByDistrict[districtCode] ??= zeroCounts())[tier] += 1;
          if (previousTiers !== null) {
            let before = 'none';
            previousTiers.forEach(facts.uscc, ([, previousTier]) => (before = previousTier!));
            if (before !== tier) tally.moves[`${before}>${tier}`] = (tally.moves[`${before}>${tier}`] ?? 0) + 1;
          }
          // The stored trace (policy/tier-trace.ts), without re-serialising the constant thresholds each time.
          const trace = `{"outcomes":"${outcomesOf(decision)}","facts":${JSON.stringify(facts)},"thresholds":${thresholdsJson}}`;
          batch += `${runId}\t${facts.uscc}\t${districtCode}\t${tier}\t${copyText(trace)}\n`;
          if (++lines % LINES_PER_COPY_WRITE === 0) {
            yield batch;
            batch = '';
            heartbeat();
            // Other activities of this worker get their turn between batches.
            await yieldToEventLoop();
          }
        }
        if (batch !== '') yield batch;
      }

      await sql.begin(async (tx) => {
        // A retry of this chunk replaces what an earlier attempt wrote: never twice, never missing.
        await tx`delete from tiering_results where ${resultsInRange(tx, runId, chunk)}`;
        await copyIn(tx, 'copy tiering_results (run_id, uscc, district_code, tier, trace) from stdin', resultLines());
        await tx`
          insert into tiering_run_chunks (run_id, chunk_index, households, counts_by_district, moves)
          values (${runId}, ${chunk.index}, ${tally.households}, ${json(tx, tally.countsByDistrict)}, ${json(tx, tally.moves)})
          on conflict (run_id, chunk_index) do update set
            households = excluded.households, counts_by_district = excluded.counts_by_district, moves = excluded.moves`;
        // The run's row, locked until this commits, orders the chunks' last statement: each sums the
        // chunk rows committed before it and its own, so the progress counter is always a count of rows.
        const [run] = await tx`select id from tiering_runs where id = ${runId} and status = 'running' for update`;
        // A completed run is immutable: an attempt that outlived its run writes nothing.
        if (!run) throw ApplicationFailure.nonRetryable(`run ${runId} is no longer running`, RUN_STATE_ERROR);
        await tx`
          update tiering_runs set processed = (select coalesce(sum(households), 0) from tiering_run_chunks where run_id = ${runId})
          where id = ${runId}`;
      });
      return tally;
    },

    async finalizeTieringRun({ runId, chunks, previousRun, makeInForce, completedAt }) {
      return sql.begin(async (tx) => {
        const [row] = await tx`select ${runColumns(tx)} from tiering_runs where id = ${runId} for update`;
        if (!row) throw ApplicationFailure.nonRetryable(`no tiering run ${runId}`, RUN_STATE_ERROR);
        const run = toRunRecord(row);
        if (run.status === 'completed') return run;
        if (run.status !== 'running') throw ApplicationFailure.nonRetryable(`run ${runId} is ${run.status}`, RUN_STATE_ERROR);

        // The counts come from the rows the chunks committed, each chunk's row once, whatever was retried.
        const tally = await storedTally(tx, runId);
        const [{ results }] = (await tx`select count(*)::int as results from tiering_results where run_id = ${runId}`) as unknown as [{ results: number }];
        const countsByTier = zeroCounts();
        for (const counts of Object.values(tally.countsByDistrict)) {
          for (const tier of TIERS) countsByTier[tier] += counts[tier];
        }
        const counted = TIERS.reduce((sum, tier) => sum + countsByTier[tier], 0);
        // Imports wait while a run is running, so the registry counted at its start is what the chunks tiered.
        if (tally.chunks !== chunks || results !== run.households || counted !== run.households || tally.households !== run.households) {
          throw ApplicationFailure.nonRetryable(
            `T-RUN: run ${runId} holds ${results} results from ${tally.chunks} of its ${chunks} chunks, which counted ${counted} households, ` +
              `but the registry held ${run.households} established by ${run.asOf} when it started`,
            RUN_STATE_ERROR,
          );
        }
        const quotaBase = countsByTier.growth + countsByTier.development;
        const movements: Movements = { previousRun, moves: sortedKeys(tally.moves) };
        await tx`
          update tiering_runs set
            status = 'completed', completed_at = ${completedAt}, processed = ${results},
            counts_by_tier = ${json(tx, countsByTier)}, counts_by_district = ${json(tx, sortedKeys(tally.countsByDistrict))},
            quota_base = ${quotaBase}, movements = ${json(tx, movements)}
          where id = ${runId}`;
        let replacedRunId: number | null = null;
        if (makeInForce) {
          await tx`select pg_advisory_xact_lock(${IN_FORCE_LOCK}, ${run.year})`;
          replacedRunId = await switchInForce(tx, run);
          // Its tiers are applied next: the planner must know how many households have one (a first
          // run adds a million at once), or it scans the whole table for every household it joins.
          await tx`analyze household_tiers`;
        }
        await auditRun(tx, {
          workflowId: run.workflowId,
          seq: 2,
          at: completedAt,
          actor: SYSTEM_ACTOR,
          action: 'tiering_run_completed',
          fromStatus: 'running',
          toStatus: 'completed',
          reason: `T-RUN: ${counted} households tiered; quota base (C-QUOTA) ${quotaBase}`,
          details: { runId, countsByTier, quotaBase, madeInForce: makeInForce, replacedRunId },
        });
        const [completed] = await tx`select ${runColumns(tx)} from tiering_runs where id = ${runId}`;
        return toRunRecord(completed!);
      });
    },

    async applyRunTiers({ runId, ranges, decidedBy, decidedAt }) {
      return sql.begin(async (tx) => {
        const [row] = await tx`select ${runColumns(tx)} from tiering_runs where id = ${runId}`;
        if (!row) throw ApplicationFailure.nonRetryable(`no tiering run ${runId}`, RUN_STATE_ERROR);
        const run = toRunRecord(row);
        await tx`select pg_advisory_xact_lock_shared(${IN_FORCE_LOCK}, ${run.year})`;
        const [inForce] = await tx`select in_force from tiering_runs where id = ${runId}`;
        // Another version was put in force meanwhile and brought its tiers with it.
        if (!inForce?.in_force) return 0;
        return applyTiers(tx, run, ranges, decidedBy, decidedAt, () => heartbeat());
      });
    },

    async recordTiersApplied({ runId, tierChanges, appliedAt }) {
      return sql.begin(async (tx) => {
        const [row] = await tx`select ${runColumns(tx)} from tiering_runs where id = ${runId}`;
        if (!row) throw ApplicationFailure.nonRetryable(`no tiering run ${runId}`, RUN_STATE_ERROR);
        await tx`select pg_advisory_xact_lock(${IN_FORCE_LOCK}, ${row.year as number})`;
        const [applied] = await tx`
          update tiering_runs set tiers_applied_at = ${appliedAt}
          where id = ${runId} and in_force and tiers_applied_at is null
          returning ${runColumns(tx)}`;
        if (!applied) {
          const [current] = await tx`select ${runColumns(tx)} from tiering_runs where id = ${runId}`;
          return toRunRecord(current!);
        }
        const run = toRunRecord(applied);
        await auditNext(tx, run.workflowId, {
          at: appliedAt,
          actor: SYSTEM_ACTOR,
          action: 'tiering_run_tiers_applied',
          fromStatus: 'completed',
          toStatus: 'completed',
          reason: `T-RUN: the tiers of version ${run.version} are the households' current tiers for ${run.year}`,
          clauses: ['T-RUN'],
          details: { runId, tierChanges },
        });
        return run;
      });
    },

    failTieringRun: ({ runId, reason, failedAt }) => failRunningRun(sql, runId, reason, failedAt),

    async loadHouseholdToTier({ uscc, asOf }) {
      const household = await loadHousehold(sql, uscc, asOf);
      if (!household) {
        throw ApplicationFailure.nonRetryable(`no household ${uscc} in the registry`, HOUSEHOLD_NOT_FOUND_ERROR);
      }
      return { ...household, thresholds: await onDemandThresholds(sql, yearOf(asOf)) };
    },

    async recordOnDemandTier(record) {
      return sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtext(${record.uscc}))`;
        const [done] = await tx`
          select previous_tier from tier_history
          where uscc = ${record.uscc} and source = 'on_demand' and decided_at = ${record.decidedAt}`;
        if (done) return { previousTier: done.previous_tier as Tier | null, applied: true, notApplied: null };
        const [refused] = await tx`
          select details from case_events
          where case_id = ${onDemandAuditId(record.uscc)} and action = 'tier_on_demand_not_applied' and at = ${record.decidedAt}`;
        if (refused) return refused.details.outcome as OnDemandOutcome;

        // The current tier, locked until this decision is recorded, and whether the decision replaces it.
        const [held] = await tx`
          select held.tier, held.year, held.as_of::text as as_of, held.source, held.run_id,
                 ${tx.unsafe(REPLACES_CURRENT_TIER)} as replaced
          from (select ${record.year}::int as year, ${record.asOf}::date as as_of, 'on_demand'::text as source) decision
          left join (select * from household_tiers where uscc = ${record.uscc} for update) held on true`;
        const previousTier = (held!.tier as Tier | null) ?? null;
        if (!held!.replaced) {
          const standing: StandingTier = {
            year: held!.year as number,
            tier: held!.tier as Tier,
            source: held!.source as string,
            asOf: held!.as_of as IsoDate,
            runId: held!.run_id as number | null,
          };
          const outcome: OnDemandOutcome = {
            previousTier,
            applied: false,
            notApplied: { reason: whyCurrentTierStands(standing, record), standing },
          };
          // The advisory lock on the household orders the writers of its trail.
          await auditNext(tx, onDemandAuditId(record.uscc), {
            at: record.decidedAt,
            actor: record.decidedBy,
            action: 'tier_on_demand_not_applied',
            fromStatus: standing.tier,
            toStatus: standing.tier,
            reason: outcome.notApplied!.reason,
            clauses: standing.source === 'objection' ? ['T-RUN', 'T-OBJ'] : ['T-RUN'],
            details: { year: record.year, asOf: record.asOf, tier: record.tier, requestReason: record.reason, trace: record.trace, outcome },
          });
          return outcome;
        }
        await tx`
          insert into tier_history
            (uscc, year, tier, previous_tier, source, decided_by, decided_at, reason, trace)
          values (${record.uscc}, ${record.year}, ${record.tier}, ${previousTier},
                  'on_demand', ${record.decidedBy.id}, ${record.decidedAt}, ${record.reason}, ${json(tx, record.trace)})`;
        await tx`
          insert into household_tiers (uscc, year, tier, source, run_id, as_of, rule_version, trace, decided_at)
          values (${record.uscc}, ${record.year}, ${record.tier}, 'on_demand', null, ${record.asOf},
                  ${TIER_RULES_VERSION}, ${json(tx, record.trace)}, ${record.decidedAt})
          on conflict (uscc) do update set
            year = excluded.year, tier = excluded.tier, source = excluded.source, run_id = null,
            as_of = excluded.as_of, rule_version = excluded.rule_version, trace = excluded.trace,
            decided_at = excluded.decided_at`;
        return { previousTier, applied: true, notApplied: null };
      });
    },
  };
}

// ── Shared with the API ───────────────────────────────────────────────────────────────────

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

/** The audit trail of a household's on-demand decisions that did not become its current tier. */
function onDemandAuditId(uscc: string): string {
  return `tier-on-demand-${uscc}`;
}

/** T-RUN "with the same rules": the thresholds of the year's run in force, or, while it has none, the year's setting. */
async function onDemandThresholds(sql: Sql, year: number): Promise<OnDemandThresholds> {
  const run = await runInForce(sql, year);
  if (run) return { ...pickThresholds(run.thresholds), isDefault: run.thresholds.source === 'default', runId: run.runId };
  const setting = await thresholdSetting(sql, year);
  return { ...pickThresholds(setting), isDefault: setting.isDefault, runId: null };
}

/** Says which decision stands against a newer one that REPLACES_CURRENT_TIER did not let replace it. */
function whyCurrentTierStands(standing: StandingTier, decision: { year: number; asOf: IsoDate }): string {
  const held = `its ${standing.year} tier ${standing.tier} (${standing.source}, as of ${standing.asOf})`;
  if (standing.year > decision.year) {
    return `T-RUN: ${held} stands: a decision on ${decision.year}, an earlier year, does not replace it`;
  }
  if (standing.source === 'objection') {
    return `T-OBJ: ${held} stands: the city office set it on an upheld objection, and only another objection decision replaces it for ${standing.year}`;
  }
  return `T-RUN: ${held} stands: a decision as of ${decision.asOf}, an earlier date, does not replace it`;
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

// ── Internals ─────────────────────────────────────────────────────────────────────────────

/** Makes `run` the one in force for its year, in the caller's transaction; the unique index allows one. */
async function switchInForce(tx: Queryable, run: TieringRunRecord): Promise<number | null> {
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
async function applyTiers(
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

/**
 * The current tier's stored trace (policy/tier-trace.ts), for a query that reads household_tiers:
 * a tier the yearly run set is its run's result; on-demand and objection tiers carry their own.
 */
export function currentTierTrace(): SQL<StoredTierTrace | null> {
  return drizzleSql<StoredTierTrace | null>`coalesce(${householdTiers.trace}, (
    select ${tieringResults.trace}::jsonb from ${tieringResults}
    where ${tieringResults.runId} = ${householdTiers.runId} and ${tieringResults.uscc} = ${householdTiers.uscc}))`;
}

/** The run's tally summed from its chunks' rows, and how many chunks stored theirs. */
async function storedTally(tx: Queryable, runId: number): Promise<ChunkTally & { chunks: number }> {
  const rows = await tx`select households, counts_by_district, moves from tiering_run_chunks where run_id = ${runId}`;
  const total: ChunkTally & { chunks: number } = { chunks: rows.length, households: 0, countsByDistrict: {}, moves: {} };
  for (const row of rows) {
    addTally(total, { households: row.households as number, countsByDistrict: row.counts_by_district as ChunkTally['countsByDistrict'], moves: row.moves as ChunkTally['moves'] });
  }
  return total;
}

/** The tiers a run gave the households of a range, as lines `uscc \t tier` in USCC byte order. */
async function tiersInRange(sql: Queryable, runId: number, range: UsccRange): Promise<LineCursor> {
  const [[text]] = (await sql`
    select string_agg(uscc || ${'\t'} || tier, ${'\n'} order by uscc collate "C")
    from tiering_results where ${resultsInRange(sql, runId, range)}`.values()) as unknown as [[string | null]];
  return new LineCursor(text, 2, 'tiering_results');
}

/** The results of a run in a USCC range: a range of the primary key (run_id, uscc). */
function resultsInRange(sql: Queryable, runId: number, range: UsccRange) {
  return sql`run_id = ${runId} and ${usccRangeFilter(sql, range)}`;
}

/** Cuts the registry into USCC ranges of `size` households; the ends stay open so no USCC falls outside. */
async function chunksOf(tx: Queryable, size: number): Promise<ChunkSpec[]> {
  const ranges = await usccRanges(tx, size);
  return ranges.map((range, index) => ({ index, ...range }));
}

async function usccRanges(tx: Queryable, size: number): Promise<UsccRange[]> {
  const starts = await tx`
    select uscc from (select uscc, row_number() over (order by uscc) - 1 as position from households) numbered
    where position % ${size} = 0 order by uscc`;
  return starts.map((row, index) => ({
    from: index === 0 ? null : (row.uscc as string),
    to: index + 1 < starts.length ? (starts[index + 1]!.uscc as string) : null,
  }));
}

async function auditRun(
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
async function auditNext(
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

function runColumns(sql: Queryable) {
  return sql`
    id, year, version, as_of::text as as_of, thresholds, rule_version, status, workflow_id, requested_by,
    ${isoTimestamp(sql, 'started_at')}, ${isoTimestamp(sql, 'completed_at')}, households, processed, counts_by_tier, counts_by_district, quota_base, movements, in_force,
    ${isoTimestamp(sql, 'tiers_applied_at')}`;
}

/**
 * A timestamptz column as an ISO string in UTC, whatever parsers the client has (drizzle makes
 * postgres.js hand timestamps over as PostgreSQL text).
 */
function isoTimestamp(sql: Queryable, column: string) {
  return sql`to_char(${sql(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ${sql(column)}`;
}

function toRunRecord(row: Row): TieringRunRecord {
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

function runRefOf(row: Row): RunRef {
  return { runId: row.id as number, year: row.year as number, version: row.version as number };
}

/** Keys in order, so that the stored JSON reads the same whatever order the chunks finished in. */
function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function runThresholdsOf(setting: ThresholdSetting): RunThresholds {
  return { ...pickThresholds(setting), source: setting.isDefault ? 'default' : 'year' };
}

function pickThresholds(thresholds: TierThresholds): TierThresholds {
  return { growthRevenueYuan: thresholds.growthRevenueYuan, developmentRevenueYuan: thresholds.developmentRevenueYuan };
}

function zeroCounts(): TierCounts {
  return { unclassified: 0, survival: 0, growth: 0, development: 0 };
}

/** A jsonb parameter. Drizzle turns the client's own JSON serializer off, so the text goes as it is. */
function json(sql: Queryable, value: unknown) {
  return sql`${JSON.stringify(value)}::jsonb`;
}

/** COPY's text format reads a backslash as an escape; JSON.stringify leaves no raw tab or newline. */
function copyText(json: string): string {
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

/** Marks a running run failed, once, with the audit event that says why. */
async function failRunningRun(sql: Sql, runId: number, reason: string, failedAt: string): Promise<void> {
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
