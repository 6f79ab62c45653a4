import { describe, expect, it } from 'vitest';
import { compactThresholdsJson, compactTraceJson, expandTrace, outcomesOf, storedTrace, type CompactTierTrace } from '../../policy/tier-trace.js';
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

  it("is stored by the yearly run in a compact form that expands to the full one, every fact kept", () => {
    const facts = household({
      seasonal: true,
      suspendedOn: '2023-02-28',
      annualReports: [{ year: 2024, filedOn: null, revenue: null }, { year: 2024, filedOn: '2025-03-01', revenue: 1_234_567.89 }],
      tax: [
        { year: 2023, taxRegisteredOn: null, generalTaxpayer: true, vatPaid: null, iitPaid: 12.5, abnormal: true },
        { year: 2024, taxRegisteredOn: '2020-06-01', generalTaxpayer: false, vatPaid: 0, iitPaid: null, abnormal: false },
      ],
      socialInsurance: [{ year: 2024, insuredCount: 3 }],
      ipRights: [
        { kind: 'trademark', registrationNo: 'TM "甲\\乙"\t1', holder: 'operator', inUse: true },
        { kind: 'patent', registrationNo: 'ZL2021', holder: 'household', inUse: false },
      ],
      creditEvents: [
        { kind: 'abnormal_operation', listedOn: '2022-01-01', clearedOn: '2022-06-01' },
        { kind: 'serious_dishonesty', listedOn: '2024-01-01', clearedOn: null },
      ],
    });
    const thresholds = { growthRevenueYuan: 120_000.5, developmentRevenueYuan: 900_000 };
    const decision = decideTier(facts, AS_OF, thresholds);
    const text = compactTraceJson(decision, facts, compactThresholdsJson(thresholds));
    const compact = JSON.parse(text) as CompactTierTrace;
    expect(Array.isArray(compact.facts)).toBe(true);
    expect(text.length).toBeLessThan(JSON.stringify(storedTrace(decision, facts, thresholds)).length * 0.7);
    expect(expandTrace(compact)).toEqual(storedTrace(decision, facts, thresholds));
    const rederived = decideTier(expandTrace(compact).facts, AS_OF, expandTrace(compact).thresholds);
    expect(outcomesOf(rederived)).toBe(compact.outcomes);
    expect(explainTier(rederived)).toEqual(explainTier(decision));
  });

  it('passes a trace stored in the full form (on demand, objections, earlier runs) as it is', () => {
    const facts = household();
    const stored = JSON.parse(JSON.stringify(storedTrace(decideTier(facts, AS_OF, DEFAULT_TIER_THRESHOLDS), facts, DEFAULT_TIER_THRESHOLDS)));
    expect(expandTrace(stored)).toEqual(stored);
  });
});
