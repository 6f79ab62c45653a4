import { describe, expect, it } from 'vitest';
import { addDays, startOfCstDay } from '../../policy/dates.js';
import {
  DEFAULT_CASE_SETTINGS,
  applyClock,
  nextCaseDuty,
  openCase,
  type CaseState,
  type CaseStatus,
  type DeadlineKind,
} from '../../policy/recognition-case.js';
import { applyTermClock, nextTermDuty, openRecognisedPhase, type AnnualReport, type RecognitionTerm, type SpotCheck } from '../../policy/recognition-term.js';
import { DEFAULT_RECOGNITION_TERM_SETTINGS } from '../../policy/vocabulary.js';

const USCC = '92120104MA05N8Q4XQ';

/** A Tianjin recognition of 15 September 2026, valid until 14 September 2029, not sampled for a spot check. */
const RECOGNISED: RecognitionTerm = openRecognisedPhase(
  {
    phase: 'recognised',
    start: 'recognition',
    application: {
      caseId: `recognition-${USCC}-2026`,
      uscc: USCC,
      householdName: '南开区泥人张工艺坊',
      districtCode: '120104',
      category: 'quality',
      route: 'self',
      recommendingDepartment: null,
      year: 2026,
      submittedAt: '2026-08-20T02:00:00.000Z',
      recognition: { recognisedOn: '2026-09-15', validUntil: '2029-09-14', benefitsFrom: '2027-01-01' },
      lastDecision: null,
      seq: 12,
    },
    tier: { tier: 'growth', year: 2026 },
    termSettings: { ...DEFAULT_RECOGNITION_TERM_SETTINGS, spotCheckRate: 0 },
  },
  '2026-09-15T02:00:00.000Z',
).state;

function withReport(term: RecognitionTerm, year: number, change: Partial<AnnualReport>): RecognitionTerm {
  return { ...term, reports: term.reports.map((r) => (r.year === year ? { ...r, ...change } : r)) };
}
const allReportsExcused = (term: RecognitionTerm): RecognitionTerm => ({ ...term, reports: term.reports.map((r) => ({ ...r, status: 'excused' as const })) });
const awaitingSupplement = (deadline: Partial<NonNullable<SpotCheck['deadline']>>): RecognitionTerm => ({
  ...RECOGNISED,
  spotCheck: {
    status: 'awaiting_supplement',
    selectedOn: '2026-09-15',
    supplementRequest: { reason: '经营场所照片不清晰', dueOn: '2026-10-20', requestedAt: '2026-09-20T02:00:00.000Z' },
    deadline: { kind: 'supplement', dueOn: '2026-10-20', remindOn: '2026-10-15', fallbackYears: [], reminded: false, passed: false, ...deadline },
    supplements: [],
    decision: null,
  },
});
const evaluationOpen = { ...allReportsExcused(RECOGNISED), evaluation: { ...RECOGNISED.evaluation, openedAt: '2028-09-15T02:00:00.000Z' } };

/**
 * Each timed duty of a term, declared once in termDuties(): the wake-up the workflow sleeps
 * until is the moment the duty fires, and it fires then, not a moment before.
 */
describe('the timed duties of a recognised term', () => {
  it.each<[rule: string, term: RecognitionTerm, duty: string, dueOn: string, fires: string[]]>([
    ['the supplement reminder comes on its reminder day (C-FILE)', awaitingSupplement({}), '抽查补充材料截止提醒 (C-FILE)', '2026-10-15', ['reminder_sent']],
    ['a supplement not in by its due date refuses the recognition the next day (C-FILE)', awaitingSupplement({ reminded: true }), '抽查补充材料逾期 (C-FILE)', '2026-10-21', ['supplement_lapsed']],
    ['a supplement without a reminder day lapses all the same (C-FILE)', awaitingSupplement({ remindOn: null }), '抽查补充材料逾期 (C-FILE)', '2026-10-21', ['supplement_lapsed']],
    ['the first annual report is reminded on 1 July (C-ANNUAL)', RECOGNISED, '2027年度信息报告截止提醒 (C-ANNUAL)', '2027-07-01', ['annual_report_reminder']],
    ['a report not filed by 31 July is escalated on 1 August (C-ANNUAL)', withReport(RECOGNISED, 2027, { reminded: true }), '2027年度信息报告逾期 (C-ANNUAL)', '2027-08-01', ['annual_report_overdue']],
    ['a report still missing after the grace period cancels the recognition (C-ANNUAL)', withReport(RECOGNISED, 2027, { reminded: true, escalated: true }), '2027年度信息报告宽限期满 (C-ANNUAL)', '2027-08-31', ['annual_report_missed']],
    ['a filed report leaves the next year’s reminder (C-ANNUAL)', withReport(RECOGNISED, 2027, { status: 'filed' }), '2028年度信息报告截止提醒 (C-ANNUAL)', '2028-07-01', ['annual_report_reminder']],
    ['the evaluation opens a year before validity ends (C-EVAL)', allReportsExcused(RECOGNISED), '评估确认开始 (C-EVAL)', '2028-09-15', ['evaluation_opened']],
    ['the data criteria are read again evaluationRereadDays (30) after the last reading (C-EVAL)', { ...evaluationOpen, evaluation: { ...evaluationOpen.evaluation, lastDataReadOn: '2029-03-01' } }, '评估确认数据复读 (C-EVAL)', '2029-03-31', []],
    ['an evaluation that finds no criterion met lets the recognition expire (C-VALID)', evaluationOpen, '有效期届满 (C-VALID)', '2029-09-15', ['expired']],
  ])('%s', (_rule, term, duty, dueOn, fires) => {
    const due = startOfCstDay(dueOn);
    expect(nextTermDuty(term)).toEqual({ at: due, name: duty });

    const early = applyTermClock(term, due - 1, new Date(due - 1).toISOString());
    expect(early.transitions).toEqual([]);
    expect(early.state).toEqual(term);

    const fired = applyTermClock(term, due, new Date(due).toISOString());
    expect(fired.transitions.map((t) => t.event.action)).toEqual(fires);
    // A duty that leaves no event still changes the state: the clock never wakes a term for nothing.
    expect(fired.state).not.toEqual(term);
    // A recorded duty is done; a reading stays due until the workflow has read the data (applyEvaluationData).
    if (fires.length > 0) expect(nextTermDuty(fired.state)?.at ?? Infinity).toBeGreaterThan(due);
    else expect(fired.state.evaluationDataDue).toBe(true);
  });

  it('wakes for nothing once the recognition is closed or extended: the extended term has duties of its own', () => {
    expect(nextTermDuty({ ...RECOGNISED, status: 'cancelled' })).toBeNull();
    const extended = { ...RECOGNISED, extension: { fromValidUntil: '2029-09-14', toValidUntil: '2032-09-14', criteria: ['X3' as const], at: '2028-10-01T02:00:00.000Z' } };
    expect(nextTermDuty(extended)).toBeNull();
    expect(applyTermClock(extended, startOfCstDay('2030-01-01'), '2030-01-01T00:00:00.000Z').transitions).toEqual([]);
  });

  it('does not open the evaluation, nor read its data, once validity has ended: the recognition expires instead (C-EVAL, C-VALID)', () => {
    const afterExpiry = startOfCstDay(addDays('2029-09-14', 1));
    const unopened = applyTermClock(allReportsExcused(RECOGNISED), afterExpiry, '2029-09-15T00:00:00.000Z');
    expect(unopened.transitions.map((t) => t.event.action)).toEqual(['expired']);
    const read = { ...evaluationOpen, evaluation: { ...evaluationOpen.evaluation, lastDataReadOn: '2029-09-14' } };
    expect(applyTermClock(read, afterExpiry, '2029-09-15T00:00:00.000Z').state.evaluationDataDue).toBe(false);
  });

  it('fires every duty overdue at one wake-up in the order declared, and stops at the one that closes the recognition', () => {
    const late = startOfCstDay('2027-09-01');
    const fired = applyTermClock(RECOGNISED, late, '2027-09-01T00:00:00.000Z');
    expect(fired.transitions.map((t) => t.event.action)).toEqual(['annual_report_reminder', 'annual_report_overdue', 'annual_report_missed']);
    expect(fired.state.status).toBe('cancelled');
  });
});

/** A self-application of 1 September 2026, in the step `status`, whose `kind` deadline is 29 September (reminder on the 24th). */
function applicationWaiting(status: CaseStatus, kind: DeadlineKind, remindOn: string | null = '2026-09-24'): CaseState {
  const opened = openCase('recognition-case', {
    uscc: USCC,
    year: 2026,
    category: 'quality',
    claimedCriteria: ['Q2'],
    evidenceRefs: ['brand-certificate'],
    householdName: '泥人张工艺坊',
    districtCode: '120104',
    applicant: { id: USCC, role: 'household', uscc: USCC },
    submittedAt: '2026-09-01T02:00:00.000Z',
    settings: DEFAULT_CASE_SETTINGS,
  }).state;
  return { ...opened, status, deadlineRequest: null, deadline: { kind, dueOn: '2026-09-29', remindOn, reminded: false, passed: false, fallbackYears: [] } };
}

/** The application's duties (caseDuties): each step's reminder, then what its passed due date means for the step. */
describe('the timed duties of an application', () => {
  const reminderAt = startOfCstDay('2026-09-24');
  const passedAt = startOfCstDay('2026-09-30');

  it.each<[rule: string, state: CaseState, step: string, passed: string[]]>([
    ['an operator who does not consent by the due date lets the recommendation lapse (C-REC)', applicationWaiting('awaiting_consent', 'consent'), '经营者确认', ['consent_lapsed']],
    ['a review not done by its due date is escalated to the city office (C-SELF)', applicationWaiting('under_review', 'review'), '审核', ['deadline_escalated']],
    ['information not supplied by its due date lapses the application (C-SELF)', applicationWaiting('awaiting_information', 'information'), '补充材料', ['information_lapsed']],
    ['a verification not done by its due date is escalated to the city office (C-SELF)', applicationWaiting('on_site_verification', 'verification'), '走访核实', ['deadline_escalated']],
    ['opinions close when their time runs out, and publicity starts (C-SELF)', applicationWaiting('soliciting_opinions', 'opinions'), '征求意见', ['opinions_closed', 'publicity_started']],
  ])('%s', (_rule, state, step, passed) => {
    expect(nextCaseDuty(state, startOfCstDay('2026-09-02'))).toEqual({ at: reminderAt, name: `${step}截止提醒` });
    expect(applyClock(state, reminderAt - 1, 'at')).toEqual([]);
    const reminded = applyClock(state, reminderAt, 'at');
    expect(reminded.map((t) => t.event.action)).toEqual(['reminder_sent']);

    const waiting = reminded.at(-1)!.state;
    expect(nextCaseDuty(waiting, reminderAt)).toEqual({ at: passedAt, name: `${step}期限届满` });
    expect(applyClock(waiting, passedAt - 1, 'at')).toEqual([]);
    expect(applyClock(waiting, passedAt, 'at').map((t) => t.event.action)).toEqual(passed);
  });

  it('wakes a case waiting for a place weekly to ask again, and for the end of the wait when that comes first (C-QUOTA)', () => {
    const waiting = applicationWaiting('awaiting_quota', 'quota', null);
    const monday = startOfCstDay('2026-09-07');
    expect(nextCaseDuty(waiting, monday)).toEqual({ at: startOfCstDay('2026-09-14'), name: '候补名额每周重新申请 (C-QUOTA)' });
    expect(applyClock(waiting, startOfCstDay('2026-09-14'), 'at')).toEqual([]);
    expect(nextCaseDuty(waiting, startOfCstDay('2026-09-25'))).toEqual({ at: passedAt, name: '候补名额期限届满' });
    expect(applyClock(waiting, passedAt, 'at').map((t) => t.event.action)).toEqual(['quota_exhausted']);
  });

  it('wakes for nothing once the case is closed', () => {
    expect(nextCaseDuty({ ...applicationWaiting('under_review', 'review'), status: 'rejected' }, startOfCstDay('2026-09-02'))).toBeNull();
  });
});
