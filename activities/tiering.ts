/**
 * The tiering activities (RULES.md part 1): the yearly run's steps (T-RUN) — prepare, tier one
 * chunk of households, finalize, apply the tiers — and on-demand tiering of one household. Every
 * write is idempotent: a retried activity, or one whose worker died after committing, leaves
 * exactly what one successful attempt leaves. Their types are in activities/tiering-types.ts,
 * what the API reads and writes itself in activities/tiering-queries.ts.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ApplicationFailure, heartbeat } from '@temporalio/activity';
import type { Sql } from 'postgres';
import { postgresClientOf, type Db } from '../db/client.js';
import { copyIn } from '../db/copy-in.js';
import { SYSTEM_ACTOR } from '../policy/actors.js';
import { yearOf, type IsoDate } from '../policy/dates.js';
import { compactThresholdsJson, compactTraceJson } from '../policy/tier-trace.js';
import { whyCurrentTierStands, type TierSource } from '../policy/tiering-run.js';
import { TIERS, TIER_RULES_VERSION, decideTier, type Tier } from '../policy/tiering.js';
import { HOUSEHOLD_NOT_FOUND_ERROR, RUN_IN_PROGRESS_ERROR, RUN_STATE_ERROR } from '../policy/vocabulary.js';
import { loadHousehold, loadHouseholdsInRange } from './household-facts.js';
import {
  IN_FORCE_LOCK,
  REPLACES_CURRENT_TIER,
  applyTiers,
  auditNext,
  auditRun,
  chunksOf,
  copyText,
  failRunningRun,
  json,
  pickThresholds,
  resultsInRange,
  runColumns,
  runRefOf,
  runThresholdsOf,
  sortedKeys,
  storedTally,
  switchInForce,
  tiersInRange,
  toRunRecord,
  zeroCounts,
} from './tiering-internals.js';
import { runInForce, thresholdSetting } from './tiering-queries.js';
import type { ChunkTally, Movements, OnDemandOutcome, OnDemandThresholds, RunThresholds, StandingTier, TieringActivities } from './tiering-types.js';


/** COPY lines per write, and decisions between two heartbeats and event-loop turns. */
const LINES_PER_COPY_WRITE = 1_000;

/** Serialises the start of runs of the same year (pg_advisory_xact_lock(key, year)). */
const RUN_START_LOCK = 2024_0901;

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
      const thresholdsJson = compactThresholdsJson(thresholds);

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
          // The stored trace in its compact form (policy/tier-trace.ts), the constant thresholds serialised once.
          const trace = compactTraceJson(decision, facts, thresholdsJson);
          batch += `${runId}\t${facts.uscc}\t${districtCode}\t${tier}\t${trace}\n`;
          if (++lines % LINES_PER_COPY_WRITE === 0) {
            // Escaped a batch at a time: only a trace can hold a backslash (USCCs, codes and tiers hold none).
            yield copyText(batch);
            batch = '';
            heartbeat();
            // Other activities of this worker get their turn between batches.
            await yieldToEventLoop();
          }
        }
        if (batch !== '') yield copyText(batch);
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
            source: held!.source as TierSource,
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
