/**
 * The yearly tiering run's contract (T-RUN): what the API, the schedule and tests may import.
 * Never import the workflow body from outside the worker.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ChunkSpec, PreparedRun } from '../../activities/tiering-types.js';
import type { Actor } from '../../policy/actors.js';
import type { IsoDate } from '../../policy/dates.js';
import type { TierThresholds } from '../../policy/tiering.js';
import { type ChunkTally } from '../../policy/tiering-run.js';
import { INVALID_RUN_INPUT_ERROR, RUN_IN_PROGRESS_ERROR } from '../../policy/vocabulary.js';

export { TIERING_TASK_QUEUE } from '../task-queues.js';
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

export type { ChunkSpec, ChunkTally, PreparedRun };

