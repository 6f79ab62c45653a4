import { proxyActivities } from '@temporalio/workflow';
import type { TieringActivities } from '../../activities/tiering-types.js';
import { cstDateOf, yearOf } from '../../policy/dates.js';
import { storedTrace } from '../../policy/tier-trace.js';
import { TIER_RULES_VERSION, decideTier, explainTier, type TierThresholds } from '../../policy/tiering.js';
import type { TierHouseholdInput, TierHouseholdResult } from './contract.js';

const { loadHouseholdToTier, recordOnDemandTier } = proxyActivities<TieringActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

/**
 * Tiers one household as the yearly run would, with the thresholds of the year's run in force (the
 * year's setting while it has none), and records it as its current tier unless the current one stands.
 */
export async function tierHousehold(input: TierHouseholdInput): Promise<TierHouseholdResult> {
  const decidedAt = new Date(Date.now()).toISOString();
  const asOf = input.asOf ?? cstDateOf(Date.now());
  const year = yearOf(asOf);
  const { districtCode, facts, thresholds: setting } = await loadHouseholdToTier({ uscc: input.uscc, asOf });
  const thresholds: TierThresholds = {
    growthRevenueYuan: setting.growthRevenueYuan,
    developmentRevenueYuan: setting.developmentRevenueYuan,
  };
  const decision = decideTier(facts, asOf, thresholds);
  const trace = storedTrace(decision, facts, thresholds);
  const { previousTier, applied, notApplied } = await recordOnDemandTier({
    uscc: input.uscc,
    year,
    asOf,
    tier: decision.tier,
    trace,
    decidedBy: input.requestedBy,
    decidedAt,
    reason: `T-RUN: tiered on demand as of ${asOf}${input.reason ? ` (${input.reason})` : ''}`,
  });
  return {
    uscc: input.uscc,
    districtCode,
    year,
    asOf,
    tier: decision.tier,
    previousTier,
    applied,
    notApplied,
    ruleVersion: TIER_RULES_VERSION,
    thresholds: setting,
    outcomes: trace.outcomes,
    reasons: explainTier(decision),
    trace: decision.trace,
    decidedBy: input.requestedBy.id,
    decidedAt,
  };
}
