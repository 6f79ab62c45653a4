import { describe, expect, it } from 'vitest';
import { outcomesOf, storedTrace } from '../../policy/tier-trace.js';
import { DEFAULT_TIER_THRESHOLDS, decideTier, explainTier, type HouseholdFacts } from '../../policy/tiering.js';

const AS_OF = '2025-08-01';

function household(overrides: Partial<HouseholdFacts> = {}): HouseholdFacts {
  return {
    uscc: '92120104MA05N8Q4XQ',
    establishedOn: '2020-05-01',
    status: 'active',
    seasonal: false,
    suspendedOn: null,
    annualReports: [{ year: 2024, filedOn: '2025-03-01', revenue: 150_000 }],
    tax: [{ year: 2024, taxRegisteredOn: '2020-06-01', generalTaxpayer: false, vatPaid: 0, iitPaid: 0, abnormal: false }],
    socialInsurance: [],
    ipRights: [],
    creditEvents: [],
    ...overrides,
  };
}

describe('the stored tier trace', () => {
  it('lists every clause evaluated, in order, + held and - failed', () => {
    const decision = decideTier(household(), AS_OF, DEFAULT_TIER_THRESHOLDS);
    expect(decision.tier).toBe('growth');
    expect(outcomesOf(decision)).toBe('T-B1+ T-B2+ T-B3+ T-B4+ T-B5+ T-B6+ T-AGE+ T-D1- T-D2- T-D3- T-D4- T-D5- T-G1+ T-G2- T-G3-');
  });

  it('stops at the base standard for an unclassified household, as the decision does', () => {
    const decision = decideTier(household({ status: 'revoked', annualReports: [] }), AS_OF, DEFAULT_TIER_THRESHOLDS);
    expect(outcomesOf(decision)).toBe('T-B1- T-B2- T-B3+ T-B4+ T-B5+ T-B6+');
  });

  it('holds the facts and thresholds from which the same decision and reasons are re-derived, through JSON', () => {
    const facts = household();
    const thresholds = { growthRevenueYuan: 120_000, developmentRevenueYuan: 900_000 };
    const decision = decideTier(facts, AS_OF, thresholds);
    const stored = JSON.parse(JSON.stringify(storedTrace(decision, facts, thresholds))) as ReturnType<typeof storedTrace>;
    expect(Object.keys(stored)).toEqual(['outcomes', 'facts', 'thresholds']);
    const rederived = decideTier(stored.facts, AS_OF, stored.thresholds);
    // As published: with the sentences, which a decision words when they are read.
    expect(JSON.parse(JSON.stringify(rederived))).toEqual(JSON.parse(JSON.stringify(decision)));
    expect(outcomesOf(rederived)).toBe(stored.outcomes);
    expect(explainTier(rederived)).toEqual(explainTier(decision));
  });
});
