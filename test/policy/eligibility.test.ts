import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ELIGIBILITY_SETTINGS,
  YEAR_ROUND_ELIGIBILITY_SETTINGS,
  applicationWindow,
  checkEligibility,
  isMonthDay,
  type EligibilityFacts,
  type EligibilityResult,
  type HeldRecognition,
} from '../../policy/eligibility.js';
import type { Tier } from '../../policy/tiering.js';

const USCC = '92120104MA05N8Q4XQ';
const APPLIED_ON = '2026-09-01';

/** Eligible on every clause: a growth household applying itself inside the 2026 window. */
function facts(overrides: Partial<EligibilityFacts> = {}): EligibilityFacts {
  return {
    uscc: USCC,
    route: 'self',
    applicationDate: APPLIED_ON,
    household: { name: '南开区泥人张工艺坊', status: 'active', districtCode: '120104', operatorId: 'op-1', specialGroup: null },
    tier: { tier: 'growth', year: 2026 },
    penaltyFines: [],
    dishonestListings: [],
    bans: [],
    recognition: null,
    openCases: [],
    sameOperatorHouseholds: [],
    window: { year: 2026, tieringRun: { runId: 7, version: 1, inForceSince: '2026-08-14' } },
    ...overrides,
  };
}

const household = (overrides: Partial<EligibilityFacts['household']>) => ({ household: { ...facts().household, ...overrides } });
const tier = (value: Tier) => ({ tier: { tier: value, year: 2026 } });

const recognition = (overrides: Partial<HeldRecognition> = {}): HeldRecognition => ({
  caseId: `recognition-${USCC}-2024`,
  category: 'quality',
  recognisedOn: '2024-11-20',
  validUntil: '2027-11-19',
  origin: 'tianjin',
  ...overrides,
});

function clause(subject: EligibilityFacts, id: string, settings = DEFAULT_ELIGIBILITY_SETTINGS): EligibilityResult {
  const found = checkEligibility(subject, settings).results.find((r) => r.clause === id);
  if (!found) throw new Error(`${id} was not evaluated`);
  return found;
}

describe('checkEligibility', () => {
  it('evaluates every clause, in a fixed order, and finds the baseline eligible', () => {
    const verdict = checkEligibility(facts(), DEFAULT_ELIGIBILITY_SETTINGS);
    expect(verdict.eligible).toBe(true);
    expect(verdict.results.map((r) => r.clause)).toEqual([
      'C-CYCLE',
      'T-B1',
      'C-SRC',
      'C-EX1',
      'C-EX2',
      'C-BAN',
      'C-ONE-TYPE',
      'C-ONE-PERSON',
    ]);
    for (const r of verdict.results) expect(r.reason).not.toBe('');
  });

  it('reports every failed clause at once, not only the first', () => {
    const verdict = checkEligibility(
      facts({
        applicationDate: '2026-11-01',
        ...household({ status: 'revoked' }),
        ...tier('survival'),
        dishonestListings: [{ listedOn: '2025-01-01', clearedOn: null }],
      }),
      DEFAULT_ELIGIBILITY_SETTINGS,
    );
    expect(verdict.eligible).toBe(false);
    expect(verdict.results.filter((r) => !r.passed).map((r) => r.clause)).toEqual(['C-CYCLE', 'T-B1', 'C-SRC', 'C-EX2']);
  });
});

describe('T-B1 registration status', () => {
  it.each([
    ['active', true],
    ['revoked', false],
    ['deregistered', false],
    ['cancelled', false],
  ] as const)('%s → %s', (status, passed) => {
    const r = clause(facts(household({ status })), 'T-B1');
    expect(r.passed).toBe(passed);
    expect(r.facts).toEqual({ status });
  });
});

describe('C-SRC source tier', () => {
  it.each([
    // tier, route, special group, eligible
    ['development', 'self', null, true],
    ['growth', 'self', null, true],
    ['survival', 'self', null, false],
    ['survival', 'self', 'veteran', true],
    ['survival', 'self', 'graduate', true],
    ['survival', 'self', 'disabled', true],
    ['survival', 'self', 'returning_migrant', true],
    ['survival', 'department', null, true],
    ['development', 'department', null, true],
    ['unclassified', 'self', null, false],
    ['unclassified', 'self', 'veteran', false],
    ['unclassified', 'department', null, false],
    ['unclassified', 'department', 'disabled', false],
  ] as const)('%s via %s (group %s) → %s', (value, route, specialGroup, passed) => {
    const r = clause(facts({ route, ...tier(value), ...household({ specialGroup }) }), 'C-SRC');
    expect(r.passed).toBe(passed);
    expect(r.facts).toMatchObject({ route, tier: value, tierYear: 2026, specialGroup });
  });

  it('fails a household that was never tiered, on either route', () => {
    expect(clause(facts({ tier: null }), 'C-SRC')).toMatchObject({ passed: false, facts: { tier: null } });
    expect(clause(facts({ tier: null, route: 'department' }), 'C-SRC').passed).toBe(false);
  });

  it('names the tier and the relaxation in its reason', () => {
    expect(clause(facts({ ...tier('survival'), ...household({ specialGroup: 'veteran' }) }), 'C-SRC').reason).toMatch(/生存型.*退役军人/);
    expect(clause(facts(tier('survival')), 'C-SRC').reason).toMatch(/“成长型”“发展型”/);
  });
});

describe('C-EX1 fines within the 2 years before the application date', () => {
  // Applied on 2026-09-01: the two years start on 2024-09-01, which is inside them.
  it.each([
    ['decided 2 years before, to the day, not repaired', { listedOn: '2024-09-01', clearedOn: null }, false],
    ['decided 2 years and a day before', { listedOn: '2024-08-31', clearedOn: null }, true],
    ['decided on the application date', { listedOn: APPLIED_ON, clearedOn: null }, false],
    ['decided after the application date', { listedOn: '2026-09-02', clearedOn: null }, true],
    ['repaired the day before the application', { listedOn: '2025-06-01', clearedOn: '2026-08-31' }, true],
    ['repaired on the application date', { listedOn: '2025-06-01', clearedOn: APPLIED_ON }, true],
    ['repaired the day after the application', { listedOn: '2025-06-01', clearedOn: '2026-09-02' }, false],
  ])('%s → %s', (_name, fine, passed) => {
    const r = clause(facts({ penaltyFines: [fine] }), 'C-EX1');
    expect(r.passed).toBe(passed);
    expect(r.facts).toMatchObject({ from: '2024-09-01', to: APPLIED_ON });
  });

  it('fails when any fine in the window is unrepaired, and names its decision date', () => {
    const r = clause(
      facts({
        penaltyFines: [
          { listedOn: '2025-01-10', clearedOn: '2025-05-01' },
          { listedOn: '2026-03-15', clearedOn: null },
        ],
      }),
      'C-EX1',
    );
    expect(r.passed).toBe(false);
    expect(r.reason).toContain('2026年3月15日');
  });

  it('counts back from 28 February for an application on 29 February', () => {
    const onLeapDay = (listedOn: string) =>
      clause(
        facts({ applicationDate: '2028-02-29', window: { year: 2028, tieringRun: null }, penaltyFines: [{ listedOn, clearedOn: null }] }),
        'C-EX1',
      );
    expect(onLeapDay('2026-02-28').passed).toBe(false);
    expect(onLeapDay('2026-02-27').passed).toBe(true);
  });
});

describe('C-EX2 operator on the courts\' dishonest list on the application date', () => {
  it.each([
    ['no listing', [], true],
    ['listed, not cleared', [{ listedOn: '2023-01-01', clearedOn: null }], false],
    ['listed on the application date', [{ listedOn: APPLIED_ON, clearedOn: null }], false],
    ['listed after the application date', [{ listedOn: '2026-09-02', clearedOn: null }], true],
    ['cleared the day before', [{ listedOn: '2023-01-01', clearedOn: '2026-08-31' }], true],
    ['cleared on the application date', [{ listedOn: '2023-01-01', clearedOn: APPLIED_ON }], true],
    ['cleared the day after', [{ listedOn: '2023-01-01', clearedOn: '2026-09-02' }], false],
    ['cleared once, listed again', [{ listedOn: '2020-01-01', clearedOn: '2021-01-01' }, { listedOn: '2026-01-01', clearedOn: null }], false],
  ])('%s → %s', (_name, dishonestListings, passed) => {
    const r = clause(facts({ dishonestListings }), 'C-EX2');
    expect(r.passed).toBe(passed);
    expect(r.facts).toMatchObject({ operatorId: 'op-1' });
  });
});

describe('C-BAN five years after a revocation for fraud', () => {
  const ban = (bannedUntil: string) => ({ caseId: `recognition-${USCC}-2021`, revokedOn: '2021-12-01', bannedUntil });
  it.each([
    ['ban ending the day after the application', '2026-09-02', false],
    ['ban ending on the application date', APPLIED_ON, true],
    ['ban ended the day before', '2026-08-31', true],
  ])('%s → %s', (_name, bannedUntil, passed) => {
    expect(clause(facts({ bans: [ban(bannedUntil)] }), 'C-BAN').passed).toBe(passed);
  });

  it('names the day the household may apply again', () => {
    expect(clause(facts({ bans: [ban('2026-12-01')] }), 'C-BAN').reason).toContain('自2026年12月1日起方可再次申报');
  });
});

describe('C-ONE-TYPE one category per household', () => {
  it('fails while the household holds a valid recognition, even in its final year', () => {
    const r = clause(facts({ recognition: recognition({ validUntil: '2026-11-19' }) }), 'C-ONE-TYPE');
    expect(r.passed).toBe(false);
    expect(r.reason).toMatch(/优质.*2026年11月19日.*评估/);
  });

  it('fails while another case of the household is open', () => {
    const open = { caseId: `recognition-${USCC}-2025`, year: 2025, status: 'publicity', route: 'self' };
    const r = clause(facts({ openCases: [open] }), 'C-ONE-TYPE');
    expect(r).toMatchObject({ passed: false, facts: { openCases: [open] } });
    expect(r.reason).toContain(`已有进行中的认定案件（案件编号 ${open.caseId}，公示中）`);
  });

  it("fails once the year's case exists, even closed: one case per household and year", () => {
    const yearCase = { caseId: `recognition-${USCC}-2026`, status: 'rejected' };
    const r = clause(facts({ yearCase }), 'C-ONE-TYPE');
    expect(r).toMatchObject({ passed: false, facts: { yearCase } });
    expect(r.reason).toContain(`2026年度已有认定案件（案件编号 ${yearCase.caseId}，未通过）`);
  });

  it("names the year's case once when it is the recognition held", () => {
    const held = recognition({ caseId: `recognition-${USCC}-2026`, recognisedOn: '2026-12-01', validUntil: '2029-11-30' });
    const r = clause(facts({ recognition: held, yearCase: { caseId: held.caseId, status: 'recognised' } }), 'C-ONE-TYPE');
    expect(r.reason).toBe(`已于2026年12月1日被认定为“优质”类（案件编号 ${held.caseId}，有效期至2029年11月30日），有效期内不再申报，期满前由认定部门评估是否延期：同一个体工商户只能认定为一个类型。`);
  });

  it('passes without a recognition, an open case or a case of the year', () => {
    expect(clause(facts(), 'C-ONE-TYPE').passed).toBe(true);
    expect(clause(facts({ yearCase: null }), 'C-ONE-TYPE')).toMatchObject({ passed: true, facts: { recognition: null, openCases: [] } });
  });
});

describe('C-ONE-PERSON one recognised household per operator and district', () => {
  const sibling = (overrides: Partial<EligibilityFacts['sameOperatorHouseholds'][number]>) => ({
    uscc: '92120104MA06B7Q405',
    name: '另一家店',
    recognition: null,
    openCases: [],
    ...overrides,
  });
  it.each([
    ['a recognised sibling', [sibling({ recognition: recognition({ caseId: 'recognition-92120104MA06B7Q405-2025' }) })], false],
    ['a sibling with an open case', [sibling({ openCases: [{ caseId: 'recognition-92120104MA06B7Q405-2026', year: 2026, status: 'under_review', route: 'self' }] })], false],
    ['a sibling holding nothing', [sibling({})], true],
    ['no sibling', [], true],
  ])('%s → %s', (_name, sameOperatorHouseholds, passed) => {
    const r = clause(facts({ sameOperatorHouseholds }), 'C-ONE-PERSON');
    expect(r.passed).toBe(passed);
    expect(r.facts).toMatchObject({ operatorId: 'op-1', districtCode: '120104' });
  });

  it('does not count the household itself', () => {
    expect(clause(facts({ sameOperatorHouseholds: [sibling({ uscc: USCC, recognition: recognition() })] }), 'C-ONE-PERSON').passed).toBe(true);
  });
});

describe('C-CYCLE the yearly window', () => {
  // The 2026 run was in force from 14 August; applications close on 15 October by default.
  it.each([
    ['the day before the run is in force', '2026-08-13', false],
    ['the first day', '2026-08-14', true],
    ['the last day', '2026-10-15', true],
    ['the day after the last', '2026-10-16', false],
    ['30 November', '2026-11-30', false],
  ])('%s (%s) → %s', (_name, applicationDate, passed) => {
    const r = clause(facts({ applicationDate }), 'C-CYCLE');
    expect(r.passed).toBe(passed);
    expect(r.facts).toMatchObject({ opensOn: '2026-08-14', closesOn: '2026-10-15', tieringRunId: 7 });
  });

  it('is closed while the year has no tiering run in force', () => {
    const r = clause(facts({ window: { year: 2026, tieringRun: null } }), 'C-CYCLE');
    expect(r).toMatchObject({ passed: false, facts: { tieringRun: null } });
    expect(r.reason).toContain('2026年度的分型判定结果尚未生效');
  });

  it('never stays open after 30 November, whatever the closing setting', () => {
    const late = { ...DEFAULT_ELIGIBILITY_SETTINGS, applicationsCloseOn: '12-20' };
    expect(clause(facts({ applicationDate: '2026-11-30' }), 'C-CYCLE', late).passed).toBe(true);
    expect(clause(facts({ applicationDate: '2026-12-01' }), 'C-CYCLE', late)).toMatchObject({
      passed: false,
      facts: { closesOn: '2026-11-30' },
    });
  });

  it('follows a moved closing day', () => {
    const settings = { ...DEFAULT_ELIGIBILITY_SETTINGS, applicationsCloseOn: '11-10' };
    expect(clause(facts({ applicationDate: '2026-11-10' }), 'C-CYCLE', settings).passed).toBe(true);
    expect(clause(facts({ applicationDate: '2026-11-11' }), 'C-CYCLE', settings).passed).toBe(false);
  });

  it('in a year-round (demo or training) system, opens with the run, stays open to 31 December and says so', () => {
    expect(clause(facts({ applicationDate: '2026-12-31' }), 'C-CYCLE', YEAR_ROUND_ELIGIBILITY_SETTINGS)).toMatchObject({
      passed: true,
      facts: { closesOn: '2026-12-31', yearRound: true },
    });
    expect(clause(facts({ applicationDate: '2026-12-31' }), 'C-CYCLE', YEAR_ROUND_ELIGIBILITY_SETTINGS).reason).toContain('演示或培训环境');
    expect(clause(facts({ window: { year: 2026, tieringRun: null } }), 'C-CYCLE', YEAR_ROUND_ELIGIBILITY_SETTINGS).passed).toBe(false);
    expect(clause(facts({ applicationDate: '2026-12-31' }), 'C-CYCLE').facts).not.toHaveProperty('yearRound');
  });

  it('computes the window from the run and the settings', () => {
    expect(applicationWindow(2026, '2026-08-14', DEFAULT_ELIGIBILITY_SETTINGS)).toEqual({ opensOn: '2026-08-14', closesOn: '2026-10-15' });
  });
});

describe('isMonthDay', () => {
  it.each([
    ['10-15', true],
    ['11-30', true],
    ['12-31', true],
    ['02-28', true],
    ['02-29', false],
    ['11-31', false],
    ['13-01', false],
    ['1-15', false],
    ['2026-10-15', false],
  ])('%s → %s', (value, valid) => {
    expect(isMonthDay(value)).toBe(valid);
  });
});
