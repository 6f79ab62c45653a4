import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ChunkTally, FinalizedRun, TieringActivities, TieringRunRecord } from '../../activities/tiering-types.js';
import type { UsccRange } from '../../activities/household-facts.js';
import { cstDateOf, yearOf } from '../../policy/dates.js';
import type { TierThresholds } from '../../policy/tiering.js';
import { DEFAULT_CHUNKS_PER_EXECUTION, DEFAULT_CHUNK_CONCURRENCY, DEFAULT_CHUNK_SIZE, awaitPreparedUpdate, tieringProgressQuery, type PreparedOutcome, type PreparedRun, type RunRefusal, type TieringRunInput, type TieringRunProgress } from './contract.js';
import { INVALID_RUN_INPUT_ERROR, RUN_IN_PROGRESS_ERROR } from '../../policy/vocabulary.js';
import { addTally, validateRunRequest } from '../../policy/tiering-run.js';

const { prepareTieringRun, finalizeTieringRun, recordTiersApplied, failTieringRun } = proxyActivities<TieringActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

// A chunk (or a lane of the tiers' applying) whose worker died is retried once its heartbeat is
// 10 s overdue; one that keeps failing fails the run (and frees the imports) instead of retrying forever.
const { tierChunk, applyRunTiers } = proxyActivities<TieringActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

/**
 * The yearly tiering run (T-RUN): prepares a versioned run, tiers every household in chunks
 * (bounded concurrency, each chunk idempotent and heartbeating, so that a killed worker's chunk is
 * redone elsewhere and no household is counted twice or skipped), then completes the run with its
 * counts, quota base (C-QUOTA) and movements, puts it in force and makes its tiers the households'
 * current tiers, range by range side by side, and records when they all are.
 */
export async function tieringRun(input: TieringRunInput): Promise<FinalizedRun> {
  const startedAt = Date.now();
  const today = cstDateOf(startedAt);
  const year = input.year ?? yearOf(today);
  const asOf = input.asOf ?? today;
  const chunkSize = input.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const concurrency = input.concurrency ?? DEFAULT_CHUNK_CONCURRENCY;
  const chunksPerExecution = input.chunksPerExecution ?? DEFAULT_CHUNKS_PER_EXECUTION;
  const makeInForce = input.makeInForce ?? true;

  const progress: TieringRunProgress = {
    phase: 'preparing',
    runId: null,
    year,
    version: null,
    asOf,
    households: 0,
    processed: 0,
    chunksDone: 0,
    chunksTotal: 0,
    message: null,
  };
  let preparedOutcome: PreparedOutcome | null = null;
  setHandler(tieringProgressQuery, () => progress);
  setHandler(awaitPreparedUpdate, async () => {
    await condition(() => preparedOutcome !== null);
    return preparedOutcome!;
  });

  const refuse = async (refusal: RunRefusal): Promise<never> => {
    progress.phase = 'refused';
    progress.message = refusal.message;
    preparedOutcome = { outcome: 'refused', ...refusal };
    await condition(allHandlersFinished);
    throw ApplicationFailure.nonRetryable(refusal.message, refusal.errorType);
  };

  let prepared: PreparedRun;
  if (input.resume) {
    prepared = input.resume.prepared;
  } else {
    const violation = validateRunRequest({ year, asOf, thresholds: input.thresholds }, today);
    if (violation) {
      const { field, clause } = violation;
      return refuse({ errorType: INVALID_RUN_INPUT_ERROR, message: `${field}: ${violation.message}`, field, clause });
    }
    for (const [field, value] of Object.entries({ chunkSize, concurrency, chunksPerExecution })) {
      if (!Number.isInteger(value) || value < 1) {
        // Tuning knobs, not policy: no clause to name.
        const message = `${field}: must be a positive integer, got ${value}`;
        return refuse({ errorType: INVALID_RUN_INPUT_ERROR, message, field, clause: null });
      }
    }
    try {
      prepared = await prepareTieringRun({
        workflowId: workflowInfo().workflowId,
        year,
        asOf,
        thresholds: input.thresholds ?? null,
        requestedBy: input.requestedBy,
        startedAt: new Date(startedAt).toISOString(),
        chunkSize,
      });
    } catch (err) {
      const cause = err instanceof ActivityFailure ? err.cause : null;
      if (cause instanceof ApplicationFailure && cause.type === RUN_IN_PROGRESS_ERROR) {
        const running = cause.details?.[0] as { runningRunId: number } | undefined;
        return refuse({ errorType: RUN_IN_PROGRESS_ERROR, message: cause.message, runningRunId: running?.runningRunId ?? null });
      }
      throw err;
    }
  }
  const { runId } = prepared;
  const thresholds: TierThresholds = {
    growthRevenueYuan: prepared.thresholds.growthRevenueYuan,
    developmentRevenueYuan: prepared.thresholds.developmentRevenueYuan,
  };
  preparedOutcome = { outcome: 'prepared', runId, year: prepared.year, version: prepared.version, asOf: prepared.asOf };
  const done = new Set(input.resume?.doneChunks ?? []);
  const tally: ChunkTally = input.resume?.tally ?? { households: 0, countsByDistrict: {}, moves: {} };
  Object.assign(progress, {
    phase: 'running',
    runId,
    year: prepared.year,
    version: prepared.version,
    asOf: prepared.asOf,
    households: prepared.households,
    processed: tally.households,
    chunksDone: done.size,
    chunksTotal: prepared.chunks.length,
  } satisfies Partial<TieringRunProgress>);

  const failRun = async (err: unknown): Promise<never> => {
    progress.phase = 'failed';
    progress.message = whyItFailed(err);
    // Even when the run is cancelled: a run left 'running' would hold the imports back.
    await CancellationScope.nonCancellable(() =>
      failTieringRun({ runId, reason: `T-RUN: ${progress.message}`, failedAt: new Date(Date.now()).toISOString() }),
    );
    throw err;
  };

  const pending = prepared.chunks.filter((chunk) => !done.has(chunk.index));
  let started = 0;
  try {
    await inLanes(concurrency, () => {
      if (started >= pending.length || started >= chunksPerExecution || workflowInfo().continueAsNewSuggested) return null;
      const chunk = pending[started++]!;
      return async () => {
        const chunkTally = await tierChunk({
          runId,
          asOf: prepared.asOf,
          thresholds,
          previousRunId: prepared.previousRun?.runId ?? null,
          chunk,
        });
        addTally(tally, chunkTally);
        done.add(chunk.index);
        progress.processed = tally.households;
        progress.chunksDone = done.size;
      };
    });
  } catch (err) {
    return failRun(err);
  }

  if (started < pending.length) {
    await condition(allHandlersFinished);
    return continueAsNew<typeof tieringRun>({
      ...input,
      year,
      asOf,
      chunkSize,
      concurrency,
      chunksPerExecution,
      resume: { prepared, doneChunks: [...done], tally },
    });
  }

  progress.phase = 'finalizing';
  const completedAt = new Date(Date.now()).toISOString();
  let run: TieringRunRecord;
  try {
    run = await finalizeTieringRun({ runId, chunks: prepared.chunks.length, previousRun: prepared.previousRun, makeInForce, completedAt });
  } catch (err) {
    return failRun(err);
  }

  // Complete and in force: the households' current tiers follow, one activity per lane of ranges.
  let tierChanges = 0;
  if (makeInForce) {
    progress.phase = 'applying';
    const decidedBy = run.requestedBy;
    try {
      const changes = await Promise.all(
        lanesOf(prepared.chunks, concurrency).map((ranges) => applyRunTiers({ runId, ranges, decidedBy, decidedAt: completedAt })),
      );
      tierChanges = changes.reduce((sum, households) => sum + households, 0);
      run = await recordTiersApplied({ runId, tierChanges, appliedAt: new Date(Date.now()).toISOString() });
    } catch (err) {
      return failRun(err);
    }
  }
  progress.phase = 'completed';
  await condition(allHandlersFinished);
  return { run, tierChanges };
}

/** Runs the tasks `next` hands out, `lanes` at a time, until it hands out none or one fails. */
async function inLanes(lanes: number, next: () => (() => Promise<void>) | null): Promise<void> {
  let failed = false;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let task = failed ? null : next(); task !== null; task = failed ? null : next()) {
        try {
          await task();
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    }),
  );
}

/** The chunks' USCC ranges in `count` lanes of neighbouring chunks, as even as whole chunks allow. */
function lanesOf(chunks: readonly UsccRange[], count: number): UsccRange[][] {
  const perLane = Math.ceil(chunks.length / count);
  const lanes: UsccRange[][] = [];
  for (let i = 0; i < chunks.length; i += perLane) lanes.push(chunks.slice(i, i + perLane).map(({ from, to }) => ({ from, to })));
  return lanes;
}

/**
 * The failure in words for the run's audit record: which activity, after how many attempts, and
 * the error that ended it — not the bare "Activity task failed" of the failure's own message.
 */
function whyItFailed(err: unknown): string {
  if (err instanceof ActivityFailure) {
    const causes: string[] = [];
    for (let cause: unknown = err.cause; cause instanceof Error; cause = cause.cause) {
      const type = cause instanceof ApplicationFailure && cause.type ? `${cause.type}: ` : '';
      causes.push(`${type}${cause.message}`);
    }
    const error = causes.join(' <- ') || err.message;
    return `activity ${err.activityType} failed (${err.retryState ?? 'no retry state'}): ${error}`;
  }
  return err instanceof Error ? err.message : String(err);
}
