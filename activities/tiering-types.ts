/**
 * The tiering activities' types (RULES.md part 1, T-RUN): what the activities take and answer, and
 * the records of runs and thresholds the API reads. Types only, so that workflows take them with
 * `import type` and their bundle holds none of the activities' code.
 */
import type { Actor } from '../policy/actors.js';
import type { IsoDate } from '../policy/dates.js';
import type { StoredTierTrace } from '../policy/tier-trace.js';
import type { ChunkTally, TierCounts, TierSource } from '../policy/tiering-run.js';
import type { HouseholdFacts, Tier, TierThresholds } from '../policy/tiering.js';
import type { UsccRange } from './household-facts.js';

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
  source: TierSource;
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
