import { describe, expect, it } from 'vitest';
import type { Actor } from '../../policy/actors.js';
import { addDays, addYears, startOfCstDay } from '../../policy/dates.js';
import type { EligibilityFacts } from '../../policy/eligibility.js';
import { applyAnnualReport, applyAnnualReportDecision, applyEvaluationData, applyEvaluationFinding, applyOperatorRecheck, applyRevocation, applySpotCheck, applyTermClock, applyTermDeadline, continueRecognisedPhase, isSelectedForSpotCheck, markedGrowth, nextTermDuty, openRecognisedPhase, recheckOperator, termWaiting, tierRose, validateAnnualReport, validateAnnualReportDecision, validateEvaluationFinding, validateIncomingTransfer, validateRevocation, validateSpotCheck, validateTransferOut, type AnnualReportDecisionCommand, type EvaluationData, type RecognisedApplication, type RecognitionTerm, type TermTransition } from '../../policy/recognition-term.js';
import { DEFAULT_RECOGNITION_TERM_SETTINGS, type RecognitionTermSettings } from '../../policy/vocabulary.js';

const USCC = '92120104MA05N8Q4XQ';
const CASE_ID = `recognition-${USCC}-2026`;
const HOUSEHOLD: Actor = { id: USCC, role: 'household', uscc: USCC };
const DISTRICT: Actor = { id: 'reviewer-120104', role: 'district', districtCode: '120104' };
const OTHER_DISTRICT: Actor = { id: 'reviewer-120101', role: 'district', districtCode: '120101' };
const CITY: Actor = { id: 'city-office', role: 'city' };
const CULTURE: Actor = { id: 'culture-officer', role: 'department', department: 'culture' };

/** 10:00 CST on `date`, as an ISO instant. */
const at = (date: string): string => new Date(startOfCstDay(date) + 10 * 3_600_000).toISOString();
const ms = (date: string): number => Date.parse(at(date));

function recognised(
  options: { recognisedOn?: string; settings?: Partial<RecognitionTermSettings>; application?: Partial<RecognisedApplication> } = {},
): { state: RecognitionTerm; transitions: TermTransition[] } {
  const recognisedOn = options.recognisedOn ?? '2026-09-15';
  const year = Number(recognisedOn.slice(0, 4));
  const application: RecognisedApplication = {
    caseId: CASE_ID,
    uscc: USCC,
    householdName: '南开区泥人张工艺坊',
    districtCode: '120104',
    category: 'quality',
    route: 'self',
    recommendingDepartment: null,
    year,
    submittedAt: at(`${year}-08-20`),
    recognition: { recognisedOn, validUntil: addDays(addYears(recognisedOn, 3), -1), benefitsFrom: `${year + 1}-01-01` },
    lastDecision: null,
    seq: 12,
    ...options.application,
  };
  return openRecognisedPhase(
    {
      phase: 'recognised',
      start: 'recognition',
      application,
      tier: { tier: 'growth', year },
      termSettings: { ...DEFAULT_RECOGNITION_TERM_SETTINGS, spotCheckRate: 0, ...options.settings },
    },
    at(recognisedOn),
  );
}

const last = (transitions: TermTransition[]): RecognitionTerm => transitions[transitions.length - 1]!.state;

/** Runs the clock at each wake-up until `until` (an ISO date), collecting what it decided. */
function runClock(term: RecognitionTerm, until: string): { state: RecognitionTerm; actions: string[] } {
  let state = term;
  const actions: string[] = [];
  for (let wake = nextTermDuty(state)?.at ?? null; wake !== null && wake <= ms(until); wake = nextTermDuty(state)?.at ?? null) {
    const outcome = applyTermClock(state, wake, new Date(wake).toISOString());
    actions.push(...outcome.transitions.map((t) => t.event.action));
    state = { ...outcome.state, evaluationDataDue: false };
  }
  return { state, actions };
}

/** Excuses the reports of `years`, so that the clock can run past their deadlines. */
function excused(term: RecognitionTerm, years: number[]): RecognitionTerm {
  return years.reduce(
    (state, year) => applyAnnualReportDecision(state, { actor: DISTRICT, year, decision: 'excuse', reason: 'closed for renovation' }, at(`${year}-01-02`)).state,
    term,
  );
}

const noData: EvaluationData = { tierNow: { tier: 'growth', year: 2028 }, revenue: [], taxPaid: [], insured: [] };

function facts(overrides: Partial<EligibilityFacts> = {}): EligibilityFacts {
  return {
    uscc: USCC,
    route: 'self',
    applicationDate: '2027-03-01',
    household: { name: '南开区泥人张工艺坊', status: 'active', districtCode: '120104', operatorId: 'op-new', specialGroup: null },
    tier: { tier: 'growth', year: 2026 },
    penaltyFines: [],
    dishonestListings: [],
    bans: [],
    recognition: { caseId: CASE_ID, category: 'quality', recognisedOn: '2026-09-15', validUntil: '2029-09-14', origin: 'tianjin' },
    openCases: [],
    sameOperatorHouseholds: [],
    window: { year: 2027, tieringRun: null },
    ...overrides,
  };
}

describe('spot-check sampling (C-FILE)', () => {
  it('is reproducible and selects about the configured share', () => {
    const ids = Array.from({ length: 4000 }, (_, i) => `recognition-92120104MA${String(i).padStart(8, '0')}-2026`);
    const selected = ids.filter((id) => isSelectedForSpotCheck(id, 2026, 0.1));
    expect(selected.length / ids.length).toBeGreaterThan(0.08);
    expect(selected.length / ids.length).toBeLessThan(0.12);
    expect(ids.filter((id) => isSelectedForSpotCheck(id, 2026, 0.1))).toEqual(selected);
    expect(ids.some((id) => isSelectedForSpotCheck(id, 2026, 0))).toBe(false);
    expect(ids.every((id) => isSelectedForSpotCheck(id, 2026, 1))).toBe(true);
  });
});

describe('opening the recognised phase', () => {
  it('files the recognition, continues the audit sequence and schedules a report for each 31 July of the validity', () => {
    const { state, transitions } = recognised();
    expect(transitions.map((t) => [t.event.seq, t.event.action, t.event.clauses])).toEqual([[13, 'filed', ['C-FILE', 'C-VALID']]]);
    expect(state.reports.map((r) => [r.year, r.dueOn, r.remindOn, r.cancelOn])).toEqual([
      [2027, '2027-07-31', '2027-07-01', '2027-08-31'],
      [2028, '2028-07-31', '2028-07-01', '2028-08-31'],
      [2029, '2029-07-31', '2029-07-01', '2029-08-31'],
    ]);
    expect(state.evaluation.opensOn).toBe('2028-09-15');
    expect(termWaiting(state)).toEqual({ waitingFor: null, dueOn: null });
  });

  it('asks for no report whose 31 July falls after the validity', () => {
    const { state } = recognised({ recognisedOn: '2026-05-10' });
    expect(state.recognition.validUntil).toBe('2029-05-09');
    expect(state.reports.map((r) => r.year)).toEqual([2027, 2028]);
  });

  it('puts a sampled recognition on the city office’s worklist', () => {
    const { state, transitions } = recognised({ settings: { spotCheckRate: 1 } });
    expect(transitions.map((t) => t.event.action)).toEqual(['filed', 'spot_check_selected']);
    expect(termWaiting(state)).toEqual({ waitingFor: 'city', dueOn: null });
  });
});

describe('the spot check', () => {
  const sampled = () => recognised({ settings: { spotCheckRate: 1 } }).state;

  it('is decided by the city office only, once, and a supplement is asked for by a future date', () => {
    const term = sampled();
    expect(validateSpotCheck(term, { decision: 'confirm', actor: DISTRICT }, '2026-09-16')).toMatchObject({ status: 403, clause: 'C-FILE' });
    expect(validateSpotCheck(term, { decision: 'request_supplement', actor: CITY, reason: 'licence', dueOn: '2026-09-16' }, '2026-09-16')).toMatchObject({
      status: 422,
      field: 'dueOn',
    });
    const confirmed = applySpotCheck(term, { decision: 'confirm', actor: CITY }, at('2026-09-20'));
    expect(validateSpotCheck(last(confirmed), { decision: 'refuse', actor: CITY, reason: 'no' }, '2026-09-21')).toMatchObject({ status: 409 });
    expect(validateSpotCheck(recognised().state, { decision: 'confirm', actor: CITY }, '2026-09-16')).toMatchObject({ status: 409, clause: 'C-FILE' });
  });

  it('refuses the recognition when the supplement is not in by its due date, and gives the place back in the recognition year', () => {
    const asked = last(applySpotCheck(sampled(), { decision: 'request_supplement', actor: CITY, reason: 'licence', dueOn: '2026-10-09' }, at('2026-09-20')));
    expect(asked.deadlineRequest).toEqual({ kind: 'supplement', dueOn: '2026-10-09' });
    expect(termWaiting(asked)).toEqual({ waitingFor: 'household', dueOn: '2026-10-09' });
    const deadline = { kind: 'supplement' as const, dueOn: '2026-10-09', remindOn: '2026-09-28', reminded: false, passed: false, fallbackYears: [] };
    const set = applyTermDeadline(asked, deadline, at('2026-09-20')).state;
    const { state, actions } = runClock(set, '2026-10-11');
    expect(actions).toEqual(['reminder_sent', 'supplement_lapsed']);
    expect(state).toMatchObject({ status: 'refused', closedOn: '2026-10-10', spotCheck: { status: 'refused' }, placeRelease: { reason: expect.stringContaining('refused') } });
  });
});

describe('annual reports (C-ANNUAL)', () => {
  it('reminds on 1 July, escalates on 1 August and cancels on 31 August a report never filed', () => {
    const { state, actions } = runClock(recognised().state, '2027-09-01');
    expect(actions).toEqual(['annual_report_reminder', 'annual_report_overdue', 'annual_report_missed']);
    expect(state).toMatchObject({ status: 'cancelled', closedOn: '2027-08-31', placeRelease: null });
    expect(state.reports[0]).toMatchObject({ status: 'missed', escalated: true });
  });

  it('does not cancel when the district office excuses the missing report, nor when it comes late', () => {
    const overdue = runClock(recognised().state, '2027-08-05').state;
    expect(termWaiting(overdue)).toEqual({ waitingFor: 'district', dueOn: '2027-08-30' });
    const excused = applyAnnualReportDecision(overdue, { actor: DISTRICT, year: 2027, decision: 'excuse', reason: 'hospitalised' }, at('2027-08-06')).state;
    expect(runClock(excused, '2027-12-31')).toMatchObject({ state: { status: 'recognised' }, actions: [] });

    const late = applyAnnualReport(overdue, { actor: HOUSEHOLD, year: 2027, revenue: 180_000 }, at('2027-08-20'));
    expect(late[0]!.state.reports[0]).toMatchObject({ status: 'filed', filing: { late: true, revenue: 180_000 } });
    expect(runClock(late[0]!.state, '2027-12-31').actions).toEqual([]);
  });

  it('takes a report from the household itself, for a year due and open, once', () => {
    const term = recognised().state;
    const report = { actor: HOUSEHOLD, year: 2027, revenue: 200_000 };
    expect(validateAnnualReport(term, { ...report, actor: { id: 'x', role: 'household', uscc: '92120104MA05N8Q5XX' } }, '2027-03-01')).toMatchObject({ status: 403 });
    expect(validateAnnualReport(term, report, '2026-12-31')).toMatchObject({ status: 422, field: 'year' });
    expect(validateAnnualReport(term, { ...report, year: 2031 }, '2027-03-01')).toMatchObject({ status: 422, field: 'year' });
    expect(validateAnnualReport(term, { ...report, operatorChanged: true }, '2027-03-01')).toMatchObject({ status: 422, field: 'newOperatorId' });
    expect(validateAnnualReport(term, report, '2027-03-01')).toBeNull();
    const filed = applyAnnualReport(term, report, at('2027-03-01'))[0]!.state;
    expect(validateAnnualReport(filed, report, '2027-03-02')).toMatchObject({ status: 409 });
    expect(termWaiting(filed)).toEqual({ waitingFor: 'district', dueOn: null });
  });

  it('cancels when the district office rejects a report, and asks for a re-check when the operator changed', () => {
    const filed = applyAnnualReport(recognised().state, { actor: HOUSEHOLD, year: 2027, operatorChanged: true, newOperatorId: 'op-new' }, at('2027-03-01'));
    expect(filed.map((t) => t.event.action)).toEqual(['annual_report_filed', 'operator_change_reported']);
    expect(last(filed).operatorRecheck).toEqual({ newOperatorId: 'op-new', asOf: '2027-03-01' });
    const rejected = applyAnnualReportDecision(last(filed), { actor: DISTRICT, year: 2027, decision: 'reject', reason: 'no longer trading' }, at('2027-03-05'));
    expect(rejected.state).toMatchObject({ status: 'cancelled', operatorRecheck: null });
    expect(rejected.event).toMatchObject({ action: 'annual_report_rejected', clauses: ['C-ANNUAL'] });
  });

  const filedReport = () => applyAnnualReport(recognised().state, { actor: HOUSEHOLD, year: 2027 }, at('2027-03-01'))[0]!.state;
  const unclassified = { tier: 'unclassified', year: 2027 } as const;
  const growth = { tier: 'growth', year: 2027 } as const;
  it.each<[string, AnnualReportDecisionCommand, number | null]>([
    ['accept, tier in force growth', { actor: DISTRICT, year: 2027, decision: 'accept', tierInForce: growth }, null],
    ['accept, never tiered', { actor: DISTRICT, year: 2027, decision: 'accept', tierInForce: null }, null],
    ['accept, tier in force unclassified, no reason', { actor: DISTRICT, year: 2027, decision: 'accept', tierInForce: unclassified }, 422],
    ['accept, tier in force unclassified, a blank reason', { actor: DISTRICT, year: 2027, decision: 'accept', reason: ' ', tierInForce: unclassified }, 422],
    ['accept, tier in force unclassified, with the reason', { actor: DISTRICT, year: 2027, decision: 'accept', reason: 'objection upheld (T-OBJ), re-tiered growth', tierInForce: unclassified }, null],
    ['reject, tier in force unclassified', { actor: DISTRICT, year: 2027, decision: 'reject', reason: 'T-B1 deregistered', tierInForce: unclassified }, null],
  ])('confirms the base standard against the tier in force: %s', (_name, command, status) => {
    const refusal = validateAnnualReportDecision(filedReport(), command);
    expect(refusal?.status ?? null).toBe(status);
    if (refusal) expect(refusal).toMatchObject({ field: 'reason', clause: 'C-ANNUAL' });
    else expect(applyAnnualReportDecision(filedReport(), command, at('2027-03-05')).event.details).toMatchObject({ tierInForce: command.tierInForce });
  });
});

describe('operator re-check (C-ONE-PERSON, C-EX2)', () => {
  const sibling = (recognition: boolean) => ({
    uscc: '92120104MA05N8Q5XX',
    name: '兄弟店',
    recognition: recognition ? { caseId: 'c2', category: 'renowned', recognisedOn: '2026-10-01', validUntil: '2029-09-30', origin: 'tianjin' } : null,
    openCases: [{ caseId: 'c3', year: 2027, status: 'under_review', route: 'self' }],
  });

  it('passes a new operator who is not listed and runs no other recognised household in the district', () => {
    const results = recheckOperator(facts({ sameOperatorHouseholds: [sibling(false)] }));
    expect(results.map((r) => [r.clause, r.passed])).toEqual([
      ['C-EX2', true],
      ['C-ONE-PERSON', true],
    ]);
  });

  it('cancels for a listed dishonest debtor or a second recognised household, and for a household gone from the registry', () => {
    const listed = recheckOperator(facts({ dishonestListings: [{ listedOn: '2026-12-01', clearedOn: null }], sameOperatorHouseholds: [sibling(true)] }));
    expect(listed.filter((r) => !r.passed).map((r) => r.clause)).toEqual(['C-EX2', 'C-ONE-PERSON']);
    const term = recognised().state;
    const cancelled = applyOperatorRecheck({ ...term, operatorRecheck: { newOperatorId: 'op-new', asOf: '2027-03-01' } }, listed, 'op-new', at('2027-03-01'));
    expect(cancelled.state).toMatchObject({ status: 'cancelled', operatorRecheck: null });
    expect(cancelled.event.clauses).toEqual(['C-ANNUAL', 'C-EX2', 'C-ONE-PERSON']);
    expect(recheckOperator(null)).toMatchObject([{ clause: 'T-B1', passed: false }]);
  });
});

describe('the final-year evaluation (C-EVAL)', () => {
  it('opens a year before the end, reads the data, and extends by three years when the tier rose (X3)', () => {
    const { state: opened, actions } = runClock(excused(recognised().state, [2027, 2028]), '2028-09-15');
    expect(actions).toContain('evaluation_opened');
    expect(opened.evaluation.openedAt).not.toBeNull();
    const unchanged = applyEvaluationData(opened, noData, at('2028-09-15'));
    expect(unchanged.transitions.map((t) => t.event.action)).toEqual(['evaluation_data_read']);
    expect(applyEvaluationData(unchanged.state, noData, at('2028-10-15')).transitions).toEqual([]);

    const rose = applyEvaluationData(unchanged.state, { ...noData, tierNow: { tier: 'development', year: 2029 } }, at('2029-08-20'));
    expect(rose.transitions.map((t) => t.event.action)).toEqual(['evaluation_data_read', 'extended']);
    expect(rose.state.recognition.validUntil).toBe('2032-09-14');
    expect(rose.state.extension).toMatchObject({ fromValidUntil: '2029-09-14', toValidUntil: '2032-09-14', criteria: ['X3'] });
    expect(nextTermDuty(rose.state)).toBeNull();
  });

  it('continues into the next term with only the unsettled reports and a fresh evaluation', () => {
    let term = recognised().state;
    for (const year of [2027, 2028]) {
      term = applyAnnualReport(term, { actor: HOUSEHOLD, year }, at(`${year}-06-01`))[0]!.state;
      term = applyAnnualReportDecision(term, { actor: DISTRICT, year, decision: 'accept' }, at(`${year}-06-02`)).state;
    }
    term = runClock(term, '2028-09-16').state;
    const extended = applyEvaluationData(term, { ...noData, tierNow: { tier: 'development', year: 2028 } }, at('2028-09-16')).state;
    const next = continueRecognisedPhase(extended);
    if (next.start !== 'continuation') throw new Error('expected a continuation');
    expect(next.term).toMatchObject({
      termNo: 2,
      termStartedOn: '2029-09-15',
      tierAtTermStart: { tier: 'development', year: 2028 },
      reportsSettledThrough: 2028,
      extension: null,
      evaluation: { opensOn: '2031-09-15', openedAt: null, findings: [] },
      seq: extended.seq,
    });
    expect(next.term.reports.map((r) => [r.year, r.status])).toEqual([
      [2029, 'due'],
      [2030, 'due'],
      [2031, 'due'],
      [2032, 'due'],
    ]);
  });

  it("leaves a reading of the evaluation data that was due in the old term behind: the new term's evaluation is not open", () => {
    // The evaluation has opened and its reading of the data is under way (the workflow's activity)…
    const term = { ...runClock(recognised().state, '2028-09-16').state, evaluationDataDue: true };
    // …when the district's finding extends the recognition.
    const extended = applyEvaluationFinding(term, { actor: DISTRICT, criterion: 'X2', met: true, evidenceRefs: ['export-contract.pdf'] }, at('2028-09-20')).at(-1)!.state;
    expect(extended).toMatchObject({ evaluationDataDue: true, extension: { criteria: ['X2'] } });
    const next = continueRecognisedPhase(extended);
    if (next.start !== 'continuation') throw new Error('expected a continuation');
    expect(next.term).toMatchObject({ termNo: 2, evaluationDataDue: false, evaluation: { openedAt: null } });
  });

  it('expires at the end of validity when no criterion is met', () => {
    const { state, actions } = runClock(excused(recognised().state, [2027, 2028, 2029]), '2029-09-16');
    expect(actions.at(-1)).toBe('expired');
    expect(state).toMatchObject({ status: 'expired', closedOn: '2029-09-15' });
  });

  it('judges X1 on marked growth of revenue, tax or employment against the year before the term', () => {
    const data = (revenue: number[]): EvaluationData => ({ ...noData, revenue: revenue.map((value, i) => ({ year: 2025 + i, value })) });
    expect(markedGrowth(data([100_000, 110_000, 120_000, 125_000]), 2025, 0.2)).toMatchObject({ met: true, indicators: { revenue: { baselineYear: 2025, latestYear: 2028, growth: 0.25 } } });
    expect(markedGrowth(data([100_000, 110_000, 115_000]), 2025, 0.2).met).toBe(false);
    expect(markedGrowth(data([0, 50_000]), 2025, 0.2)).toEqual({ met: false, indicators: { revenue: null, taxPaid: null, insured: null } });
    expect(markedGrowth({ ...noData, insured: [{ year: 2025, value: 2 }, { year: 2028, value: 3 }] }, 2025, 0.2).met).toBe(true);
    expect(tierRose({ tier: 'survival', year: 2026 }, { tier: 'growth', year: 2028 })).toBe(true);
    expect(tierRose({ tier: 'growth', year: 2026 }, { tier: 'growth', year: 2028 })).toBe(false);
    expect(tierRose({ tier: 'unclassified', year: 2026 }, { tier: 'growth', year: 2028 })).toBe(false);
    expect(tierRose(null, { tier: 'development', year: 2028 })).toBe(false);
  });

  it('takes X1 and X2 from the district office with evidence, and X4 only from the department that recommended the household', () => {
    const opened = runClock(excused(recognised().state, [2027, 2028]), '2028-09-15').state;
    expect(validateEvaluationFinding(opened, { actor: DISTRICT, criterion: 'X2', met: true, evidenceRefs: [] }, '2028-09-16')).toMatchObject({ status: 422, field: 'evidenceRefs' });
    expect(validateEvaluationFinding(opened, { actor: OTHER_DISTRICT, criterion: 'X2', met: true, evidenceRefs: ['a'] }, '2028-09-16')).toMatchObject({ status: 403 });
    expect(validateEvaluationFinding(opened, { actor: CULTURE, criterion: 'X4', met: true, evidenceRefs: [] }, '2028-09-16')).toMatchObject({ status: 422, clause: 'C-EVAL' });
    expect(validateEvaluationFinding(recognised().state, { actor: DISTRICT, criterion: 'X2', met: true, evidenceRefs: ['a'] }, '2027-09-16')).toMatchObject({ status: 409 });
    const commended = applyEvaluationFinding(opened, { actor: DISTRICT, criterion: 'X2', met: true, evidenceRefs: ['district-award-2027.pdf'] }, at('2028-09-16'));
    expect(commended.map((t) => t.event.action)).toEqual(['evaluation_finding', 'extended']);

    const recommended = runClock(
      excused(recognised({ application: { route: 'department', recommendingDepartment: 'culture' } }).state, [2027, 2028]),
      '2028-09-15',
    ).state;
    expect(validateEvaluationFinding(recommended, { actor: { ...CULTURE, department: 'commerce' }, criterion: 'X4', met: true, evidenceRefs: [] }, '2028-09-16')).toMatchObject({ status: 403 });
    expect(validateEvaluationFinding(recommended, { actor: { ...CULTURE, districtCode: '120101' }, criterion: 'X4', met: true, evidenceRefs: [] }, '2028-09-16')).toMatchObject({ status: 403, clause: 'C-EVAL' });
    expect(validateEvaluationFinding(recommended, { actor: { ...CULTURE, districtCode: '120104' }, criterion: 'X4', met: true, evidenceRefs: [] }, '2028-09-16')).toBeNull();
    expect(validateEvaluationFinding(recommended, { actor: CULTURE, criterion: 'X4', met: true, evidenceRefs: [] }, '2028-09-16')).toBeNull();
    expect(last(applyEvaluationFinding(recommended, { actor: CULTURE, criterion: 'X4', met: true, evidenceRefs: [] }, at('2028-09-16'))).extension).toMatchObject({ criteria: ['X4'] });
  });
});

describe('revocation (C-REVOKE) and moves (C-XREGION)', () => {
  it('revokes a self-applied recognition with a five-year ban, giving the place back only in the recognition year', () => {
    const term = recognised().state;
    expect(validateRevocation(term, { actor: OTHER_DISTRICT, ground: 'fraud', reason: 'x' })).toMatchObject({ status: 403, clause: 'C-REVOKE' });
    expect(validateRevocation(term, { actor: CITY, ground: 'fraud', reason: '' })).toMatchObject({ status: 422, field: 'reason' });
    const sameYear = applyRevocation(term, { actor: CITY, ground: 'bribery', reason: 'paid the inspector' }, at('2026-11-02'));
    expect(sameYear.state).toMatchObject({ status: 'revoked', revocation: { revokedOn: '2026-11-02', bannedUntil: '2031-11-02' }, placeRelease: { reason: expect.any(String) } });
    expect(sameYear.event.clauses).toEqual(['C-REVOKE', 'C-BAN']);
    expect(applyRevocation(term, { actor: DISTRICT, ground: 'fraud', reason: 'forged' }, at('2027-02-01')).state.placeRelease).toBeNull();
  });

  it('lets the household or its district office report a move to Beijing or Hebei, and registers incoming ones still valid', () => {
    const term = recognised().state;
    expect(validateTransferOut(term, { actor: CITY, destination: 'beijing', movedOn: '2027-01-01' }, '2027-01-02')).toMatchObject({ status: 403 });
    expect(validateTransferOut(term, { actor: HOUSEHOLD, destination: 'beijing', movedOn: '2027-01-03' }, '2027-01-02')).toMatchObject({ status: 422, field: 'movedOn' });
    expect(validateTransferOut(term, { actor: DISTRICT, destination: 'hebei', movedOn: '2027-01-02' }, '2027-01-02')).toBeNull();

    const transfer = { origin: 'hebei', recognisedOn: '2025-10-01', validUntil: '2028-09-30', originRef: '冀市监个〔2025〕88号' };
    expect(validateIncomingTransfer(transfer, '2026-11-26')).toBeNull();
    expect(validateIncomingTransfer({ ...transfer, origin: 'tianjin' }, '2026-11-26')).toMatchObject({ status: 422, field: 'origin' });
    expect(validateIncomingTransfer({ ...transfer, validUntil: '2026-11-25' }, '2026-11-26')).toMatchObject({ status: 422, field: 'validUntil' });
    expect(validateIncomingTransfer({ ...transfer, validUntil: '2030-01-01' }, '2026-11-26')).toMatchObject({ status: 422, field: 'validUntil' });

    const registered = openRecognisedPhase(
      {
        phase: 'recognised',
        start: 'transfer',
        transfer: {
          caseId: CASE_ID,
          uscc: USCC,
          householdName: '南开区泥人张工艺坊',
          districtCode: '120104',
          category: 'distinctive',
          origin: 'hebei',
          originRef: transfer.originRef,
          recognisedOn: transfer.recognisedOn,
          validUntil: transfer.validUntil,
          registeredBy: CITY,
          registeredAt: at('2026-11-26'),
          year: 2026,
        },
        tier: null,
        termSettings: DEFAULT_RECOGNITION_TERM_SETTINGS,
      },
      at('2026-11-26'),
    );
    expect(registered.transitions.map((t) => [t.event.seq, t.event.action, t.event.actor.id])).toEqual([[1, 'transfer_registered', CITY.id]]);
    expect(registered.state).toMatchObject({ route: 'transfer', origin: 'hebei', spotCheck: null, recognition: { benefitsFrom: '2026-11-26' } });
    expect(registered.state.reports.map((r) => r.year)).toEqual([2027, 2028]);
    expect(validateRevocation(registered.state, { actor: CITY, ground: 'fraud', reason: 'x' })).toMatchObject({ status: 422, clause: 'C-REVOKE' });
  });
});
