import { describe, expect, it } from 'vitest';
import type { Actor } from '../../policy/actors.js';
import { startOfCstDay } from '../../policy/dates.js';
import {
  applyClock,
  applyDeadline,
  applyDecision,
  nextObjectionDuty,
  openObjection,
  overlayFacts,
  validateDecision,
  validateFactsCorrection,
  type ObjectionDecisionCommand,
  type ObjectionInput,
} from '../../policy/tier-objection.js';
import { storedTrace } from '../../policy/tier-trace.js';
import { DEFAULT_TIER_THRESHOLDS, decideTier, type HouseholdFacts } from '../../policy/tiering.js';

const USCC = '92120104MA05N8Q4XQ';
const TODAY = '2025-10-10';
const city: Actor = { id: 'city-1', role: 'city' };

const facts: HouseholdFacts = {
  uscc: USCC,
  establishedOn: '2019-04-01',
  status: 'active',
  seasonal: false,
  suspendedOn: '2024-03-01',
  annualReports: [
    { year: 2023, filedOn: '2024-04-01', revenue: 30_000 },
    { year: 2024, filedOn: '2025-03-10', revenue: 40_000 },
  ],
  tax: [{ year: 2024, taxRegisteredOn: '2019-05-01', generalTaxpayer: false, vatPaid: 0, iitPaid: 0, abnormal: false }],
  socialInsurance: [],
  ipRights: [{ kind: 'trademark', registrationNo: 'TM1', holder: 'household', inUse: false }],
  creditEvents: [{ kind: 'abnormal_operation', listedOn: '2024-01-05', clearedOn: null }],
};

function input(overrides: Partial<ObjectionInput> = {}): ObjectionInput {
  const decision = decideTier(facts, '2025-08-01', DEFAULT_TIER_THRESHOLDS);
  return {
    uscc: USCC,
    districtCode: '120104',
    householdName: '测试',
    contested: {
      tier: decision.tier,
      year: 2025,
      asOf: '2025-08-01',
      source: 'run',
      runId: 7,
      ruleVersion: '2024-9/v1',
      trace: storedTrace(decision, facts, DEFAULT_TIER_THRESHOLDS),
    },
    reason: '经营异常名录已移出，歇业已结束',
    correctedFacts: null,
    filedBy: { id: USCC, role: 'household', uscc: USCC },
    filedAt: '2025-10-10T02:00:00.000Z',
    settings: { answerWorkingDays: 15, reminderWorkingDays: 3 },
    ...overrides,
  };
}

describe('overlayFacts', () => {
  it('replaces scalars and the rows with the same key, adds new rows, deletes nothing', () => {
    const corrected = overlayFacts(facts, {
      suspendedOn: null,
      annualReports: [{ year: 2024, filedOn: '2025-03-10', revenue: 150_000 }],
      socialInsurance: [{ year: 2024, insuredCount: 2 }],
      ipRights: [{ kind: 'trademark', registrationNo: 'TM1', holder: 'household', inUse: true }],
      creditEvents: [{ kind: 'abnormal_operation', listedOn: '2024-01-05', clearedOn: '2024-06-01' }],
    });
    expect(corrected).toMatchObject({ suspendedOn: null, establishedOn: '2019-04-01', status: 'active' });
    expect(corrected.annualReports).toEqual([
      { year: 2023, filedOn: '2024-04-01', revenue: 30_000 },
      { year: 2024, filedOn: '2025-03-10', revenue: 150_000 },
    ]);
    expect(corrected.socialInsurance).toEqual([{ year: 2024, insuredCount: 2 }]);
    expect(corrected.ipRights).toEqual([{ kind: 'trademark', registrationNo: 'TM1', holder: 'household', inUse: true }]);
    expect(corrected.creditEvents).toEqual([{ kind: 'abnormal_operation', listedOn: '2024-01-05', clearedOn: '2024-06-01' }]);
    expect(corrected.tax).toEqual(facts.tax);
    expect(overlayFacts(facts, { seasonal: true }).suspendedOn).toBe('2024-03-01');
  });
});

describe('validateFactsCorrection', () => {
  it.each([
    ['a correction that names no fact', {}, 'correctedFacts', /names no fact/],
    ['an establishment date in the future', { establishedOn: '2025-10-11' }, 'correctedFacts.establishedOn', /in the future/],
    ['a suspension date that is no date', { suspendedOn: '2025-13-01' }, 'correctedFacts.suspendedOn', /not a date/],
    ['an annual report of a year not yet past', { annualReports: [{ year: 2026, filedOn: null, revenue: null }] }, 'correctedFacts.annualReports.0.year', /not a past or current year/],
    ['an annual report filed within the year it reports', { annualReports: [{ year: 2024, filedOn: '2024-12-31', revenue: 1 }] }, 'correctedFacts.annualReports.0.filedOn', /after that year ends/],
    ['a negative tax paid', { tax: [{ year: 2024, taxRegisteredOn: null, generalTaxpayer: false, vatPaid: -5, iitPaid: 0, abnormal: false }] }, 'correctedFacts.tax.0.vatPaid', /≥ 0/],
    ['a second social-insurance row for one year', { socialInsurance: [{ year: 2024, insuredCount: 2 }, { year: 2024, insuredCount: 3 }] }, 'correctedFacts.socialInsurance.1', /second row/],
  ])('refuses %s (%s)', (_rule, correction, field, message) => {
    const violation = validateFactsCorrection(correction, TODAY, 'correctedFacts');
    expect(violation).toMatchObject({ status: 422, field, clause: 'T-OBJ' });
    expect(violation!.message).toMatch(message);
  });

  it('accepts valid corrections dated up to today', () => {
    expect(validateFactsCorrection({ creditEvents: [{ kind: 'abnormal_operation', listedOn: '2024-01-05', clearedOn: TODAY }] }, TODAY, 'f')).toBeNull();
  });
});

describe('the objection', () => {
  it('counts from unclassified: corrections that meet the base standard give the tier the trace supports', () => {
    const opened = openObjection('tier-objection-x-2025', input());
    expect(opened.state.contested.tier).toBe('unclassified');
    const command = {
      decision: 'upheld' as const,
      actor: city,
      reason: '经营异常名录已于2024年6月移出',
      correctedFacts: {
        suspendedOn: null,
        creditEvents: [{ kind: 'abnormal_operation' as const, listedOn: '2024-01-05', clearedOn: '2024-06-01' }],
      },
    };
    expect(validateDecision(opened.state, command, TODAY)).toBeNull();
    const upheld = applyDecision(opened.state, command, '2025-10-20T01:00:00.000Z');
    expect(upheld.state).toMatchObject({ status: 'upheld', seq: 2, decision: { tier: 'survival', by: city, reason: '经营异常名录已于2024年6月移出' } });
    expect(upheld.event).toMatchObject({ action: 'upheld', fromStatus: 'open', toStatus: 'upheld', clauses: ['T-OBJ'] });
    expect(validateDecision(upheld.state, { decision: 'dismissed', actor: city, reason: 'x' }, TODAY)).toMatchObject({ status: 409 });
  });

  describe('refuses an answer the office must give otherwise', () => {
    // Contested: survival, once the listing and the suspension are corrected.
    const survival = overlayFacts(facts, {
      suspendedOn: null,
      creditEvents: [{ kind: 'abnormal_operation', listedOn: '2024-01-05', clearedOn: '2024-06-01' }],
    });
    const decision = decideTier(survival, '2025-08-01', DEFAULT_TIER_THRESHOLDS);
    const contested = { ...input().contested, tier: decision.tier, trace: storedTrace(decision, survival, DEFAULT_TIER_THRESHOLDS) };
    const { state } = openObjection('tier-objection-x-2025', input({ contested }));
    const growthFacts = { socialInsurance: [{ year: 2024, insuredCount: 2 }] };

    it.each([
      ['an upheld decision without a reason', { correctedFacts: growthFacts }, 'reason', /states its reason/],
      ['an upheld decision with a blank reason', { correctedFacts: growthFacts, reason: '  ' }, 'reason', /states its reason/],
      ['facts that lower the tier', { correctedFacts: { status: 'revoked' as const }, reason: '已吊销' }, 'correctedFacts', /give unclassified, below the contested survival/],
      ['a dismissal without a reason', { decision: 'dismissed' as const, reason: '' }, 'reason', /a dismissal states its reason/],
    ])('%s', (_case, command, field, message) => {
      expect(state.contested.tier).toBe('survival');
      const violation = validateDecision(state, { decision: 'upheld', actor: city, ...command } as ObjectionDecisionCommand, TODAY);
      expect(violation).toMatchObject({ status: 422, field, clause: 'T-OBJ' });
      expect(violation!.message).toMatch(message);
    });

    it('accepts an upheld decision that raises the tier, with its reason', () => {
      const command: ObjectionDecisionCommand = { decision: 'upheld', actor: city, correctedFacts: growthFacts, reason: '社保数据已核实' };
      expect(validateDecision(state, command, TODAY)).toBeNull();
      expect(applyDecision(state, command, '2025-10-20T01:00:00.000Z').state.decision).toMatchObject({ tier: 'growth', reason: '社保数据已核实' });
    });
  });

  it('reminds once and escalates once, each at the start of its CST day', () => {
    const opened = openObjection('tier-objection-x-2025', input());
    const deadline = { dueOn: '2025-10-31', remindOn: '2025-10-28', reminded: false, passed: false, fallbackYears: [] };
    const waiting = applyDeadline(opened.state, deadline, '2025-10-10T02:00:01.000Z').state;
    expect(nextObjectionDuty(waiting)).toEqual({ at: startOfCstDay('2025-10-28'), name: '异议处理截止提醒 (T-OBJ)' });
    expect(applyClock(waiting, startOfCstDay('2025-10-28') - 1, 'at')).toEqual([]);
    const reminded = applyClock(waiting, startOfCstDay('2025-10-28'), 'at').at(-1)!.state;
    expect(nextObjectionDuty(reminded)).toEqual({ at: startOfCstDay('2025-11-01'), name: '异议处理已逾期 (T-OBJ)' });

    const both = applyClock(waiting, startOfCstDay('2025-11-01'), 'at');
    expect(both.map((t) => t.event.action)).toEqual(['reminder_sent', 'deadline_escalated']);
    const escalated = both.at(-1)!.state;
    expect(escalated).toMatchObject({ status: 'open', deadline: { reminded: true, passed: true } });
    expect(nextObjectionDuty(escalated)).toBeNull();
    expect(applyClock(escalated, startOfCstDay('2025-12-01'), 'at')).toEqual([]);
  });
});
