/**
 * On-demand tiering of one household (T-RUN: "a household established later is tiered on demand
 * with the same rules"; also after corrected data). Started and awaited by the API.
 */
import type { OnDemandOutcome, OnDemandThresholds } from '../../activities/tiering-types.js';
import type { Actor } from '../../policy/actors.js';
import type { IsoDate } from '../../policy/dates.js';
import type { ClauseResult, Tier } from '../../policy/tiering.js';

export const TIER_HOUSEHOLD_WORKFLOW_TYPE = 'tierHousehold';


export function tierHouseholdWorkflowId(uscc: string, unique: string): string {
  return `tier-household-${uscc}-${unique}`;
}

export interface TierHouseholdInput {
  uscc: string;
  /** The date the rules are evaluated on; absent, the CST date of the workflow's start. */
  asOf?: IsoDate;
  requestedBy: Actor;
  /** Why the household is tiered now (new registration, corrected data…), for the history. */
  reason?: string;
}

export interface TierHouseholdResult {
  uscc: string;
  districtCode: string;
  year: number;
  asOf: IsoDate;
  tier: Tier;
  previousTier: Tier | null;
  /** False when the household's current tier stands: a later year's, one decided as of a later date, an upheld objection's. */
  applied: boolean;
  /** Why it was not applied, and the decision that stands; null when applied. */
  notApplied: OnDemandOutcome['notApplied'];
  ruleVersion: string;
  /** The year's run in force's thresholds (`runId`), or the year's setting while it has none (`runId` null). */
  thresholds: OnDemandThresholds;
  /** "T-B1+ T-B2- …", as stored. */
  outcomes: string;
  /** The reasons that decided the tier (explainTier). */
  reasons: string[];
  trace: ClauseResult[];
  decidedBy: string;
  decidedAt: string;
}
