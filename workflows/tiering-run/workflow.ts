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
import type { FinalizedRun, TieringActivities } from '../../activities/tiering.js';
import { cstDateOf, yearOf } from '../../policy/dates.js';
import type { TierThresholds } from '../../policy/tiering.js';
import {
  DEFAULT_CHUNKS_PER_EXECUTION,
  DEFAULT_CHUNK_CONCURRENCY,
  DEFAULT_CHUNK_SIZE,
  INVALID_RUN_INPUT_ERROR,
  RUN_IN_PROGRESS_ERROR,
  awaitPreparedUpdate,
  tieringProgressQuery,
  validateRunRequest,
  type PreparedOutcome,
  type PreparedRun,
  type TieringRunInput,
  type TieringRunProgress,
} from './contract.js';

const { prepareTieringRun, finalizeTieringRun, failTieringRun } = proxyActivities<TieringActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

// A chunk whose worker died is retried once its heartbeat is 10 s overdue; a chunk that keeps
// failing fails the run (and frees the imports) instead of retrying forever.
const { tierChunk } = proxyActivities<TieringActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

/**
 * The yearly tiering run (T-RUN): prepares a versioned run, tiers every household in chunks
 * (bounded concurrency, each chunk idempotent and heartbeating, so a killed worker's chunk is
 * redone elsewhere and none is counted twice), then finalizes the counts, the quota base
 * (C-QUOTA) and the movements, and makes the run the one in force.
 */
export async function tieringRun(input: TieringRunInput): Promise<FinalizedRun> {
  const startedAt = Date.now();
  const today = cstDateOf(startedAt);
  const year = input.year ?? yearOf(today);
  const asOf = input.asOf ?? today;
  const chunkSize = input.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const concurrency = input.concurrency ?? DEFAULT_CHUNK_CONCURRENCY;
  const chunksPerExecution = input.chunksPerExecution ?? DEFAULT_CHUNKS_PER_EXECUTION;

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

  const refuse = async (errorType: string, message: string, runningRunId: number | null): Promise<never> => {
    progress.phase = 'refused';
    progress.message = message;
    preparedOutcome = { outcome: 'refused', errorType, message, runningRunId };
    await condition(allHandlersFinished);
    throw ApplicationFailure.nonRetryable(message, errorType);
  };

  let prepared: PreparedRun;
  if (input.resume) {
    prepared = input.resume.prepared;
  } else {
    const violation = validateRunRequest({ year, asOf, thresholds: input.thresholds }, today);
    if (violation) return refuse(INVALID_RUN_INPUT_ERROR, `${violation.field}: ${violation.message}`, null);
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
        return refuse(RUN_IN_PROGRESS_ERROR, cause.message, running?.runningRunId ?? null);
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
  Object.assign(progress, {
    phase: 'running',
    runId,
    year: prepared.year,
    version: prepared.version,
    asOf: prepared.asOf,
    households: prepared.households,
    processed: input.resume?.processed ?? 0,
    chunksDone: done.size,
    chunksTotal: prepared.chunks.length,
  } satisfies Partial<TieringRunProgress>);

  const failRun = async (err: unknown): Promise<never> => {
    progress.phase = 'failed';
    progress.message = err instanceof Error ? err.message : String(err);
    // Even when the run is cancelled: a run left 'running' would hold the imports back.
    await CancellationScope.nonCancellable(() =>
      failTieringRun({ runId, reason: `T-RUN: ${progress.message}`, failedAt: new Date(Date.now()).toISOString() }),
    );
    throw err;
  };

  const pending = prepared.chunks.filter((chunk) => !done.has(chunk.index));
  let next = 0;
  let started = 0;
  const mayStartAnother = (): boolean =>
    next < pending.length && started < chunksPerExecution && !workflowInfo().continueAsNewSuggested;
  const lane = async (): Promise<void> => {
    while (mayStartAnother()) {
      const chunk = pending[next++]!;
      started += 1;
      const result = await tierChunk({ runId, asOf: prepared.asOf, thresholds, chunk });
      done.add(chunk.index);
      progress.processed += result.households;
      progress.chunksDone += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } catch (err) {
    return failRun(err);
  }

  if (next < pending.length) {
    await condition(allHandlersFinished);
    return continueAsNew<typeof tieringRun>({
      ...input,
      year,
      asOf,
      chunkSize,
      concurrency,
      chunksPerExecution,
      resume: { prepared, doneChunks: [...done], processed: progress.processed },
    });
  }

  progress.phase = 'finalizing';
  let finalized: FinalizedRun;
  try {
    finalized = await finalizeTieringRun({
      runId,
      makeInForce: input.makeInForce ?? true,
      completedAt: new Date(Date.now()).toISOString(),
    });
  } catch (err) {
    return failRun(err);
  }
  progress.phase = 'completed';
  progress.processed = finalized.run.processed;
  await condition(allHandlersFinished);
  return finalized;
}
