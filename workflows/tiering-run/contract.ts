/**
 * The yearly tiering run's contract (T-RUN): what the API, the schedule and tests may import.
 * Never import the workflow body from outside the worker.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ChunkSpec, ChunkTally, PreparedRun, TierCounts } from '../../activities/tiering.js';
import type { Actor } from '../../policy/actors.js';
import { isValidIsoDate, yearOf, type IsoDate } from '../../policy/dates.js';
import type { TierThresholds } from '../../policy/tiering.js';

/** Its own task queue and workers, so that a city-wide run never delays a reviewer waiting on a case. */
export const TIERING_TASK_QUEUE = 'tiering';
export const TIERING_RUN_WORKFLOW_TYPE = 'tieringRun';

/** Households per chunk activity: large enough for set-based I/O, small enough to redo quickly (`npm run bench`). */
export const DEFAULT_CHUNK_SIZE = 50_000;
/**
 * Chunk activities at a time, one evaluating in the worker while PostgreSQL writes the other; and
 * the lanes its tiers are applied in, one per core of PostgreSQL.
 */
export const DEFAULT_CHUNK_CONCURRENCY = 2;
/** Bounds of what the API accepts: a chunk's facts are held in the worker's memory, each lane takes database connections. */
export const MAX_CHUNK_SIZE = 200_000;
export const MAX_CHUNK_CONCURRENCY = 8;
/** Chunks one workflow execution runs before it continues as new, keeping its history short. */
export const DEFAULT_CHUNKS_PER_EXECUTION = 400;

/** Runs are versioned per year; the ID only has to be unique, the run's version lives in the database. */
export function tieringRunWorkflowId(year: number, unique: string): string {
  return `tiering-run-${year}-${unique}`;
}

export interface TieringRunInput {
  /** The run's year; absent (the yearly schedule), the CST year of the workflow's start. */
  year?: number;
  /** The date the rules are evaluated on; absent, the CST date of the workflow's start. Must fall in `year`. */
  asOf?: IsoDate;
  /** T-G1 / T-D1 thresholds; absent, the year's setting (tier_thresholds) or the shipped defaults. */
  thresholds?: TierThresholds;
  requestedBy: Actor;
  /** Make the run the one in force for its year when it completes (default true). */
  makeInForce?: boolean;
  chunkSize?: number;
  concurrency?: number;
  chunksPerExecution?: number;
  /** Set by the workflow itself when it continues as new: the prepared run and what is done. */
  resume?: TieringRunResume;
}

export interface TieringRunResume {
  prepared: PreparedRun;
  doneChunks: number[];
  tally: ChunkTally;
}

/** Adds a chunk's tally to the run's: the workflow's running count, and the finalizer's sum of the stored chunks. */
export function addTally(total: ChunkTally, chunk: ChunkTally): void {
  total.households += chunk.households;
  for (const [district, counts] of Object.entries(chunk.countsByDistrict)) {
    const sum = (total.countsByDistrict[district] ??= { unclassified: 0, survival: 0, growth: 0, development: 0 });
    for (const tier of Object.keys(counts) as (keyof TierCounts)[]) sum[tier] += counts[tier];
  }
  for (const [move, households] of Object.entries(chunk.moves)) total.moves[move] = (total.moves[move] ?? 0) + households;
}

/** `applying`: the run is complete and in force, and its tiers become the households' current tiers. */
export type TieringRunPhase = 'preparing' | 'running' | 'finalizing' | 'applying' | 'completed' | 'failed' | 'refused';

export interface TieringRunProgress {
  phase: TieringRunPhase;
  runId: number | null;
  year: number | null;
  version: number | null;
  asOf: IsoDate | null;
  households: number;
  processed: number;
  chunksDone: number;
  chunksTotal: number;
  /** Why the run was refused or failed. */
  message: string | null;
}

/** Why the workflow refused a run: bad input (the field at fault, and the clause where one applies), or another run of the year is running. */
export type RunRefusal =
  | { errorType: typeof INVALID_RUN_INPUT_ERROR; message: string; field: string; clause: string | null }
  | { errorType: typeof RUN_IN_PROGRESS_ERROR; message: string; runningRunId: number | null };

/** The run once prepared, or why it was refused. */
export type PreparedOutcome =
  | { outcome: 'prepared'; runId: number; year: number; version: number; asOf: IsoDate }
  | ({ outcome: 'refused' } & RunRefusal);

export const tieringProgressQuery = defineQuery<TieringRunProgress>('tieringProgress');
/** Answers as soon as the run is prepared (its run ID and version allocated) or refused. */
export const awaitPreparedUpdate = defineUpdate<PreparedOutcome>('awaitPrepared');

/** Failure types of the run's workflow and activities. */
export const INVALID_RUN_INPUT_ERROR = 'InvalidRunInput';
export const RUN_IN_PROGRESS_ERROR = 'RunInProgress';
/** The run is not in the state the step needs (a completed run is immutable). */
export const RUN_STATE_ERROR = 'RunState';

export type { ChunkSpec, ChunkTally, PreparedRun };

export interface RunRequestViolation {
  field: string;
  message: string;
  clause: string | null;
}

/**
 * Checks a run request on the CST date `today`: the API answers 422 with it, the workflow
 * refuses a start (from a client that bypassed the API) with the same message.
 */
export function validateRunRequest(
  request: { year: number; asOf: IsoDate; thresholds?: TierThresholds | null },
  today: IsoDate,
): RunRequestViolation | null {
  const { year, asOf, thresholds } = request;
  if (!Number.isInteger(year) || year < 2000 || year > 9999) {
    return { field: 'year', message: `year ${year} is not a year of the tiering (2000–9999)`, clause: 'T-RUN' };
  }
  if (!isValidIsoDate(asOf)) return { field: 'asOf', message: `asOf "${asOf}" is not a valid date (YYYY-MM-DD)`, clause: null };
  if (asOf > today) {
    return { field: 'asOf', message: `asOf ${asOf} is in the future (today is ${today}, CST): the facts of that day are not known yet`, clause: 'T-RUN' };
  }
  if (yearOf(asOf) !== year) {
    return { field: 'asOf', message: `asOf ${asOf} is not in the run's year ${year}: "last year" of the rules is the year before asOf`, clause: 'T-RUN' };
  }
  if (thresholds) return validateThresholds(thresholds, 'thresholds.');
  return null;
}

/**
 * T-G1's "certain amount" must stay below T-D1's "higher" revenue, both positive amounts in yuan
 * to the fen (2 decimals), as they are stored: an amount with more is refused, not rounded.
 */
export function validateThresholds(thresholds: TierThresholds, fieldPrefix = ''): RunRequestViolation | null {
  const { growthRevenueYuan: growth, developmentRevenueYuan: development } = thresholds;
  if (!(Number.isFinite(growth) && growth > 0)) {
    return { field: `${fieldPrefix}growthRevenueYuan`, message: `growthRevenueYuan must be a positive amount in yuan, got ${growth}`, clause: 'T-G1' };
  }
  if (!(Number.isFinite(development) && development > 0)) {
    return { field: `${fieldPrefix}developmentRevenueYuan`, message: `developmentRevenueYuan must be a positive amount in yuan, got ${development}`, clause: 'T-D1' };
  }
  if (!toTheFen(growth)) {
    return { field: `${fieldPrefix}growthRevenueYuan`, message: `growthRevenueYuan must be in yuan with at most 2 decimals, got ${growth}`, clause: 'T-G1' };
  }
  if (!toTheFen(development)) {
    return { field: `${fieldPrefix}developmentRevenueYuan`, message: `developmentRevenueYuan must be in yuan with at most 2 decimals, got ${development}`, clause: 'T-D1' };
  }
  if (development <= growth) {
    return {
      field: `${fieldPrefix}developmentRevenueYuan`,
      message: `developmentRevenueYuan (${development}) must be above growthRevenueYuan (${growth}): T-D1 asks for a higher revenue than T-G1`,
      clause: 'T-D1',
    };
  }
  return null;
}

/** Whether an amount has at most 2 decimals: its nearest 2-decimal value is the same number. */
function toTheFen(amount: number): boolean {
  return Number(amount.toFixed(2)) === amount;
}
