/**
 * The trace stored with every tiering decision (a run's in tiering_results, which the current tier
 * and the history point at; on-demand and objection decisions' in household_tiers and tier_history):
 * which clauses held, on which facts, with which thresholds. The plain-language reasons are not
 * stored — a million households would carry a million copies of the same sentences — but
 * re-derived on read with `decideTier(facts, asOf, thresholds)` and `explainTier`, under the same
 * rule version, which the run or the household's tier records alongside.
 */
import type { HouseholdFacts, TierDecision, TierThresholds } from './tiering.js';

export interface StoredTierTrace {
  /** Every clause evaluated, in order, `+` held or `-` failed: "T-B1+ T-B2- …". Also the export's `clauses`. */
  outcomes: string;
  facts: HouseholdFacts;
  thresholds: TierThresholds;
}

export function outcomesOf(decision: TierDecision): string {
  let outcomes = '';
  for (const result of decision.trace) {
    if (outcomes !== '') outcomes += ' ';
    outcomes += result.passed ? `${result.clause}+` : `${result.clause}-`;
  }
  return outcomes;
}

export function storedTrace(decision: TierDecision, facts: HouseholdFacts, thresholds: TierThresholds): StoredTierTrace {
  return { outcomes: outcomesOf(decision), facts, thresholds };
}
