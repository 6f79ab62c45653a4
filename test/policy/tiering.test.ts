import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TIER_THRESHOLDS,
  TIER_RULES_VERSION,
  decideTier,
  explainTier,
  type CreditEventFacts,
  type HouseholdFacts,
  type TaxFacts,
  type Tier,
  type TierThresholds,
} from '../../policy/tiering.js';

const AS_OF = '2025-08-01';

/** Passes the base standard and T-AGE, meets no growth or development condition: survival. */
function household(overrides: Partial<HouseholdFacts> = {}): HouseholdFacts {
  return {
    uscc: '92120104MA05N8Q4XQ',
    establishedOn: '2020-05-01',
    status: 'active',
    seasonal: false,
    suspendedOn: null,
    annualReports: [{ year: 2024, filedOn: '2025-03-01', revenue: 50_000 }],
    tax: [taxRow()],
    socialInsurance: [],
    ipRights: [],
    creditEvents: [],
    ...overrides,
  };
}

function taxRow(overrides: Partial<TaxFacts> = {}): TaxFacts {
  return {
    year: 2024,
    taxRegisteredOn: '2020-06-01',
    generalTaxpayer: false,
    vatPaid: 0,
    iitPaid: 0,
    abnormal: false,
    ...overrides,
  };
}

const revenue = (yuan: number | null) => ({ annualReports: [{ year: 2024, filedOn: '2025-03-01', revenue: yuan }] });
const reportFiledOn = (filedOn: string | null) => ({ annualReports: [{ year: 2024, filedOn, revenue: 50_000 }] });
const insured = (insuredCount: number, year = 2024) => ({ socialInsurance: [{ year, insuredCount }] });
const listed = (kind: CreditEventFacts['kind'], listedOn: string, clearedOn: string | null = null): CreditEventFacts => ({
  kind,
  listedOn,
  clearedOn,
});
/** Established and under tax management on the same date, with a growth condition so T-AGE decides the tier. */
const agedFrom = (date: string) => ({ establishedOn: date, tax: [taxRow({ taxRegisteredOn: date })], ...insured(2) });

/** As of 2024-02-29, "last year" is 2023: move the report and insurance rows there. */
const onLeapDay = (aged: Partial<HouseholdFacts>) =>
  household({
    ...aged,
    annualReports: [{ year: 2023, filedOn: '2024-02-01', revenue: 0 }],
    socialInsurance: [{ year: 2023, insuredCount: 2 }],
  });

function clauseOf(facts: HouseholdFacts, id: string, asOf = AS_OF, thresholds = DEFAULT_TIER_THRESHOLDS) {
  const result = decideTier(facts, asOf, thresholds).trace.find((entry) => entry.clause === id);
  if (result === undefined) throw new Error(`${id} missing from the trace`);
  return result;
}

type Row = [name: string, facts: HouseholdFacts, tier: Tier, clause: string, passed: boolean];

const BASE_STANDARD: Row[] = [
  ['T-B1 active', household(), 'survival', 'T-B1', true],
  ['T-B1 revoked 吊销', household({ status: 'revoked' }), 'unclassified', 'T-B1', false],
  ['T-B1 deregistered 注销', household({ status: 'deregistered' }), 'unclassified', 'T-B1', false],
  ['T-B1 cancelled 撤销', household({ status: 'cancelled' }), 'unclassified', 'T-B1', false],
  ['T-B1 established after the as-of date', household({ establishedOn: '2025-08-02' }), 'unclassified', 'T-B1', false],

  ['T-B2 last year’s report filed', household(), 'survival', 'T-B2', true],
  ['T-B2 report filed on the as-of date', household(reportFiledOn(AS_OF)), 'survival', 'T-B2', true],
  ['T-B2 report filed after the as-of date', household(reportFiledOn('2025-08-02')), 'unclassified', 'T-B2', false],
  ['T-B2 report row without a filing date', household(reportFiledOn(null)), 'unclassified', 'T-B2', false],
  [
    'T-B2 only an older year’s report',
    household({ annualReports: [{ year: 2023, filedOn: '2024-03-01', revenue: 50_000 }] }),
    'unclassified',
    'T-B2',
    false,
  ],
  [
    'T-B2 established last year and no report',
    household({ establishedOn: '2024-03-01', annualReports: [] }),
    'unclassified',
    'T-B2',
    false,
  ],
  [
    'T-B2 established in the as-of year passes automatically (T-AGE then fails)',
    household({ establishedOn: '2025-02-01', annualReports: [], tax: [taxRow({ year: 2025, taxRegisteredOn: '2025-02-10' })] }),
    'survival',
    'T-B2',
    true,
  ],

  ['T-B3 never listed', household(), 'survival', 'T-B3', true],
  [
    'T-B3 abnormal-operation listing in force',
    household({ creditEvents: [listed('abnormal_operation', '2024-01-01')] }),
    'unclassified',
    'T-B3',
    false,
  ],
  [
    'T-B3 listing cleared before the as-of date',
    household({ creditEvents: [listed('abnormal_operation', '2024-01-01', '2025-07-01')] }),
    'survival',
    'T-B3',
    true,
  ],
  [
    'T-B3 listing cleared on the as-of date',
    household({ creditEvents: [listed('abnormal_operation', '2024-01-01', AS_OF)] }),
    'survival',
    'T-B3',
    true,
  ],
  [
    'T-B3 listing cleared after the as-of date is still in force',
    household({ creditEvents: [listed('abnormal_operation', '2024-01-01', '2025-09-01')] }),
    'unclassified',
    'T-B3',
    false,
  ],
  [
    'T-B3 listing after the as-of date is ignored',
    household({ creditEvents: [listed('abnormal_operation', '2025-08-02')] }),
    'survival',
    'T-B3',
    true,
  ],
  [
    'T-B3 one listing cleared, a later one in force',
    household({
      creditEvents: [listed('abnormal_operation', '2022-01-01', '2022-06-01'), listed('abnormal_operation', '2025-01-01')],
    }),
    'unclassified',
    'T-B3',
    false,
  ],

  ['T-B4 never listed', household(), 'survival', 'T-B4', true],
  [
    'T-B4 serious-dishonesty listing in force',
    household({ creditEvents: [listed('serious_dishonesty', '2023-05-01')] }),
    'unclassified',
    'T-B4',
    false,
  ],
  [
    'T-B4 credit repaired before the as-of date',
    household({ creditEvents: [listed('serious_dishonesty', '2023-05-01', '2024-05-01')] }),
    'survival',
    'T-B4',
    true,
  ],
  [
    'T-B4 credit repaired after the as-of date',
    household({ creditEvents: [listed('serious_dishonesty', '2023-05-01', '2025-08-02')] }),
    'unclassified',
    'T-B4',
    false,
  ],
  [
    'T-B4 a fine is not a tiering matter (C-EX1 only)',
    household({ creditEvents: [listed('penalty_fine', '2025-01-01')] }),
    'survival',
    'T-B4',
    true,
  ],

  ['T-B5 not a tax abnormal household', household(), 'survival', 'T-B5', true],
  ['T-B5 tax abnormal household 非正常户', household({ tax: [taxRow({ abnormal: true })] }), 'unclassified', 'T-B5', false],
  [
    'T-B5 abnormal in an older row, lifted in the latest',
    household({ tax: [taxRow({ year: 2023, abnormal: true }), taxRow()] }),
    'survival',
    'T-B5',
    true,
  ],
  [
    'T-B5 a row after the as-of year is ignored',
    household({ tax: [taxRow(), taxRow({ year: 2026, abnormal: true })] }),
    'survival',
    'T-B5',
    true,
  ],

  ['T-B6 no suspension', household(), 'survival', 'T-B6', true],
  ['T-B6 suspension filed exactly 3 years ago', household({ suspendedOn: '2022-08-01' }), 'survival', 'T-B6', true],
  ['T-B6 suspension filed 3 years minus a day ago', household({ suspendedOn: '2022-08-02' }), 'unclassified', 'T-B6', false],
  ['T-B6 recent suspension', household({ suspendedOn: '2025-03-01' }), 'unclassified', 'T-B6', false],
  ['T-B6 seasonal business in suspension', household({ suspendedOn: '2025-03-01', seasonal: true }), 'survival', 'T-B6', true],
  ['T-B6 suspension filed after the as-of date', household({ suspendedOn: '2025-08-02' }), 'survival', 'T-B6', true],
];

const SPECIFIC_STANDARD: Row[] = [
  ['T-AGE established and taxed exactly 2 years before', household(agedFrom('2023-08-01')), 'growth', 'T-AGE', true],
  [
    'T-AGE established 2 years minus a day before',
    household({ ...agedFrom('2023-08-01'), establishedOn: '2023-08-02' }),
    'survival',
    'T-AGE',
    false,
  ],
  [
    'T-AGE under tax management 2 years minus a day',
    household({ ...agedFrom('2023-08-01'), tax: [taxRow({ taxRegisteredOn: '2023-08-02' })] }),
    'survival',
    'T-AGE',
    false,
  ],
  [
    'T-AGE never under tax management',
    household({ ...insured(2), tax: [taxRow({ taxRegisteredOn: null })] }),
    'survival',
    'T-AGE',
    false,
  ],
  ['T-AGE no tax data at all', household({ ...insured(2), tax: [] }), 'survival', 'T-AGE', false],
  [
    'T-AGE reads the latest tax row up to the as-of year',
    household({ ...insured(2), tax: [taxRow({ year: 2023 }), taxRow({ taxRegisteredOn: '2024-01-01' })] }),
    'survival',
    'T-AGE',
    false,
  ],
  [
    'T-AGE fails, so development conditions do not count',
    household({
      ...agedFrom('2024-01-01'),
      ...revenue(5_000_000),
      ipRights: [{ kind: 'patent', registrationNo: 'ZL1', holder: 'household', inUse: true }],
    }),
    'survival',
    'T-AGE',
    false,
  ],

  ['T-D1 revenue exactly at the development threshold', household(revenue(1_000_000)), 'development', 'T-D1', true],
  ['T-D1 one yuan below the development threshold', household(revenue(999_999)), 'growth', 'T-D1', false],
  ['T-D1 no revenue reported', household(revenue(null)), 'survival', 'T-D1', false],
  ['T-D2 general VAT taxpayer', household({ tax: [taxRow({ generalTaxpayer: true })] }), 'development', 'T-D2', true],
  ['T-D2 small-scale taxpayer', household(), 'survival', 'T-D2', false],
  ['T-D3 4 insured', household(insured(4)), 'development', 'T-D3', true],
  ['T-D3 3 insured', household(insured(3)), 'growth', 'T-D3', false],
  ['T-D3 insured in the wrong year', household(insured(5, 2023)), 'survival', 'T-D3', false],
  [
    'T-D4 household trademark in use',
    household({ ipRights: [{ kind: 'trademark', registrationNo: 'TM1', holder: 'household', inUse: true }] }),
    'development',
    'T-D4',
    true,
  ],
  [
    'T-D4 operator trademark in use',
    household({ ipRights: [{ kind: 'trademark', registrationNo: 'TM2', holder: 'operator', inUse: true }] }),
    'development',
    'T-D4',
    true,
  ],
  [
    'T-D4 trademark not in use',
    household({ ipRights: [{ kind: 'trademark', registrationNo: 'TM3', holder: 'household', inUse: false }] }),
    'survival',
    'T-D4',
    false,
  ],
  [
    'T-D5 operator patent, use not required',
    household({ ipRights: [{ kind: 'patent', registrationNo: 'ZL2', holder: 'operator', inUse: false }] }),
    'development',
    'T-D5',
    true,
  ],
  ['T-D5 no patent', household(), 'survival', 'T-D5', false],

  ['T-G1 revenue exactly at the growth threshold', household(revenue(100_000)), 'growth', 'T-G1', true],
  ['T-G1 one yuan below the growth threshold', household(revenue(99_999)), 'survival', 'T-G1', false],
  ['T-G2 VAT paid last year', household({ tax: [taxRow({ vatPaid: 0.01 })] }), 'growth', 'T-G2', true],
  ['T-G2 individual income tax paid last year', household({ tax: [taxRow({ iitPaid: 120 })] }), 'growth', 'T-G2', true],
  ['T-G2 nothing paid', household({ tax: [taxRow({ vatPaid: null, iitPaid: null })] }), 'survival', 'T-G2', false],
  [
    'T-G2 tax paid only the year before last',
    household({ tax: [taxRow({ year: 2023, vatPaid: 500 }), taxRow()] }),
    'survival',
    'T-G2',
    false,
  ],
  ['T-G3 1 insured', household(insured(1)), 'growth', 'T-G3', true],
  ['T-G3 3 insured', household(insured(3)), 'growth', 'T-G3', true],
  ['T-G3 4 insured is development, not growth', household(insured(4)), 'development', 'T-G3', false],
  ['T-G3 nobody insured', household(insured(0)), 'survival', 'T-G3', false],
  [
    'development beats growth when both hold',
    household({ ...revenue(1_000_000), ...insured(2), tax: [taxRow({ vatPaid: 800 })] }),
    'development',
    'T-G1',
    true,
  ],
];

describe('decideTier', () => {
  it.each([...BASE_STANDARD, ...SPECIFIC_STANDARD])('%s → %s (%s passed: %s)', (_case, facts, tier, clause, passed) => {
    const decision = decideTier(facts, AS_OF, DEFAULT_TIER_THRESHOLDS);
    expect(decision.tier).toBe(tier);
    expect(decision.trace.find((result) => result.clause === clause)?.passed).toBe(passed);
  });

  it.each<[string, HouseholdFacts, string, Tier, boolean]>([
    [
      'on a leap day, established on 28 February two years earlier counts as 2 years',
      onLeapDay(agedFrom('2022-02-28')),
      '2024-02-29',
      'growth',
      true,
    ],
    [
      'on a leap day, established on 1 March two years earlier does not',
      onLeapDay(agedFrom('2022-03-01')),
      '2024-02-29',
      'survival',
      false,
    ],
  ])('T-AGE %s', (_case, facts, asOf, tier, passed) => {
    const decision = decideTier(facts, asOf, DEFAULT_TIER_THRESHOLDS);
    expect(decision.tier).toBe(tier);
    expect(clauseOf(facts, 'T-AGE', asOf).passed).toBe(passed);
  });

  it.each<[number, Tier]>([
    [49_999, 'survival'],
    [50_000, 'growth'],
    [199_999, 'growth'],
    [200_000, 'development'],
  ])('uses the run’s own thresholds: revenue %d → %s', (yuan, tier) => {
    const thresholds: TierThresholds = { growthRevenueYuan: 50_000, developmentRevenueYuan: 200_000 };
    expect(decideTier(household(revenue(yuan)), AS_OF, thresholds).tier).toBe(tier);
  });

  it('records the threshold used in the revenue clauses', () => {
    expect(clauseOf(household(revenue(120_000)), 'T-G1').facts).toEqual({
      reportYear: 2024,
      revenue: 120_000,
      thresholdYuan: 100_000,
    });
  });

  it('evaluates only and all of T-B1..T-B6 for an unclassified household, however many fail', () => {
    const facts = household({
      status: 'revoked',
      suspendedOn: '2025-01-01',
      creditEvents: [listed('abnormal_operation', '2024-01-01')],
    });
    const { tier, trace } = decideTier(facts, AS_OF, DEFAULT_TIER_THRESHOLDS);
    expect(tier).toBe('unclassified');
    expect(trace.map((result) => result.clause)).toEqual(['T-B1', 'T-B2', 'T-B3', 'T-B4', 'T-B5', 'T-B6']);
    expect(trace.filter((result) => !result.passed).map((result) => result.clause)).toEqual(['T-B1', 'T-B3', 'T-B6']);
  });

  it.each([
    ['survival', household()],
    ['growth', household(insured(2))],
    ['development', household(insured(5))],
    ['survival with T-AGE failing', household({ establishedOn: '2025-01-10', annualReports: [] })],
  ])('evaluates every clause, in order, for a %s household', (_case, facts) => {
    const { trace } = decideTier(facts, AS_OF, DEFAULT_TIER_THRESHOLDS);
    expect(trace.map((result) => result.clause)).toEqual([
      'T-B1', 'T-B2', 'T-B3', 'T-B4', 'T-B5', 'T-B6',
      'T-AGE', 'T-D1', 'T-D2', 'T-D3', 'T-D4', 'T-D5', 'T-G1', 'T-G2', 'T-G3',
    ]);
    for (const result of trace) expect(result.reason).toMatch(/[\u4e00-\u9fff].*。$/u);
  });

  it.each<[string, HouseholdFacts, string, string]>([
    ['T-B1', household({ status: 'revoked' }), 'T-B1', '登记状态为已吊销，不属于登记在册的个体工商户。'],
    ['T-B2 missing', household(reportFiledOn(null)), 'T-B2', '截至2025年8月1日未报送2024年度年度报告。'],
    ['T-B2 new', household({ establishedOn: '2025-01-10', annualReports: [] }), 'T-B2', '2025年新成立，自动符合年度报告条件。'],
    [
      'T-B3 cleared late',
      household({ creditEvents: [listed('abnormal_operation', '2024-01-01', '2025-09-01')] }),
      'T-B3',
      '自2024年1月1日起被列入经营异常名录，截至2025年8月1日尚未恢复正常记载状态。',
    ],
    [
      'T-B4 repaired',
      household({ creditEvents: [listed('serious_dishonesty', '2023-05-01', '2024-05-01')] }),
      'T-B4',
      '曾被列入严重违法失信名单，已于2024年5月1日完成信用修复。',
    ],
    ['T-B6', household({ suspendedOn: '2024-01-01' }), 'T-B6', '于2024年1月1日办理歇业备案，尚在法定最长歇业期（3年）内。'],
    [
      'T-AGE',
      household({ establishedOn: '2023-09-01' }),
      'T-AGE',
      '成立于2023年9月1日，不满2年；于2020年6月1日纳入税务管理，已满2年。',
    ],
    ['T-D1', household(revenue(999_999)), 'T-D1', '2024年度年报填报销售额（营业收入）999999元，低于“发展型”标准1000000元。'],
    ['T-G3', household(insured(4)), 'T-G3', '2024年以单位形式为4人（含经营者）缴纳社保，超出“成长型”标准（1至3人）。'],
  ])('explains %s in plain Chinese', (_case, facts, id, reason) => {
    expect(clauseOf(facts, id).reason).toBe(reason);
  });
});

describe('explainTier', () => {
  const explain = (facts: HouseholdFacts) => explainTier(decideTier(facts, AS_OF, DEFAULT_TIER_THRESHOLDS));

  it('gives every failed base clause of an unclassified household', () => {
    expect(explain(household({ status: 'cancelled', tax: [taxRow({ abnormal: true })] }))).toEqual([
      '登记状态为已撤销，不属于登记在册的个体工商户。',
      '被税务部门列为“非正常户”，尚未解除。',
    ]);
  });

  it('gives T-AGE and the development conditions met', () => {
    expect(explain(household({ ...insured(4), tax: [taxRow({ generalTaxpayer: true, vatPaid: 100 })] }))).toEqual([
      '成立于2020年5月1日，已满2年；于2020年6月1日纳入税务管理，已满2年。',
      '税务部门登记为一般纳税人。',
      '2024年以单位形式为4人（含经营者）缴纳社保，达到“发展型”标准（4人及以上）。',
    ]);
  });

  it('gives T-AGE and the growth conditions met', () => {
    expect(explain(household({ ...insured(2), tax: [taxRow({ iitPaid: 300 })] }))).toEqual([
      '成立于2020年5月1日，已满2年；于2020年6月1日纳入税务管理，已满2年。',
      '2024年实际缴纳增值税0元、个人所得税300元。',
      '2024年以单位形式为2人（含经营者）缴纳社保，符合“成长型”标准（1至3人）。',
    ]);
  });

  it('gives only T-AGE when age holds a household back in survival', () => {
    expect(explain(household({ ...insured(5), establishedOn: '2024-01-01' }))).toEqual([
      '成立于2024年1月1日，不满2年；于2020年6月1日纳入税务管理，已满2年。',
    ]);
  });

  it('gives every unmet growth and development condition of an established survival household', () => {
    const reasons = explain(household());
    expect(reasons).toHaveLength(8);
    expect(reasons[0]).toBe('2024年度年报填报销售额（营业收入）50000元，低于“发展型”标准1000000元。');
    expect(reasons.at(-1)).toBe('2024年未以单位形式缴纳社保。');
  });
});

describe('constants', () => {
  it('ships default thresholds and a rules version that audit records cite', () => {
    expect(DEFAULT_TIER_THRESHOLDS).toEqual({ growthRevenueYuan: 100_000, developmentRevenueYuan: 1_000_000 });
    expect(TIER_RULES_VERSION).toBe('2024-9/v1');
  });
});
