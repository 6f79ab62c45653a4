import { describe, expect, it } from 'vitest';
import type { Actor } from '../../policy/actors.js';
import { startOfCstDay } from '../../policy/dates.js';
import {
  DEFAULT_CASE_SETTINGS,
  MAX_OBJECTIONS_PER_CASE,
  applyClock,
  applyConsent,
  applyDeadline,
  applyOpinion,
  applyPublicityObjection,
  applyQuotaAnswer,
  applyRecordFailure,
  applyReview,
  applyStepFailure,
  applySupplyInformation,
  isClosed,
  nextCaseDuty,
  openCase,
  recommendedCriteria,
  retryQuota,
  validateApplication,
  validateConsent,
  validateOpinion,
  validatePublicityObjection,
  validateRecommendation,
  validateReview,
  validateSupplyInformation,
  waitingForCase,
  type SelfApplicationInput,
  type CaseState,
  type ConsentCommand,
  type Deadline,
  type PublicityObjectionCommand,
  type ReviewCommand,
  type Transition,
} from '../../policy/recognition-case.js';

const USCC = '92120104MA06B7Q405';
const household: Actor = { id: USCC, role: 'household', uscc: USCC };
const reviewer: Actor = { id: 'reviewer-1', role: 'district', districtCode: '120104' };
const otherDistrict: Actor = { id: 'reviewer-2', role: 'district', districtCode: '120101' };
const city: Actor = { id: 'city-1', role: 'city' };

function selfApplication(overrides: Partial<SelfApplicationInput> = {}): SelfApplicationInput {
  return {
    uscc: USCC,
    year: 2026,
    category: 'quality',
    claimedCriteria: ['Q2'],
    evidenceRefs: ['brand-certificate'],
    householdName: '泥人张工艺坊',
    districtCode: '120104',
    applicant: household,
    submittedAt: '2026-09-01T02:00:00.000Z',
    settings: DEFAULT_CASE_SETTINGS,
    ...overrides,
  };
}

function underReview(): CaseState {
  return openCase('recognition-case', selfApplication()).state;
}

const reviewDeadline: Deadline = {
  kind: 'review',
  dueOn: '2026-09-29',
  remindOn: '2026-09-24',
  reminded: false,
  passed: false,
  fallbackYears: [],
};

describe('validateApplication (C-SELF)', () => {
  it.each([
    ['takes criteria of the category claimed', { category: 'quality', claimedCriteria: ['Q1', 'Q3'] }, null],
    ['takes a single criterion', { category: 'renowned', claimedCriteria: ['K3'] }, null],
    ['refuses a category the plan does not name', { category: 'famous', claimedCriteria: ['K3'] }, 'category'],
    ['refuses an application that claims no criterion', { category: 'quality', claimedCriteria: [] }, 'C-SELF'],
    ["refuses another category's criterion", { category: 'quality', claimedCriteria: ['K1'] }, 'C-SELF'],
    ['refuses Q6, which only a recommending department gives', { category: 'quality', claimedCriteria: ['Q6'] }, 'C-REC'],
    ['refuses E4, which only a recommending department gives', { category: 'emerging', claimedCriteria: ['E4'] }, 'C-REC'],
    ['refuses a criterion claimed twice', { category: 'distinctive', claimedCriteria: ['F1', 'F1'] }, 'C-SELF'],
  ])('%s', (_rule, application, expected) => {
    const violation = validateApplication({ ...application, evidenceRefs: [] });
    if (expected === null) expect(violation).toBeNull();
    else expect(violation?.clause ?? violation?.field).toBe(expected);
  });
});

describe('validateReview', () => {
  const today = '2026-09-02';
  it.each<[string, ReviewCommand, number | null, string | null]>([
    ['accept by own district', { decision: 'accept', actor: reviewer }, null, null],
    ['reject with reason', { decision: 'reject', actor: reviewer, reason: 'no evidence of Q2' }, null, null],
    ['reject without reason', { decision: 'reject', actor: reviewer, reason: '  ' }, 422, 'reason'],
    ['other district', { decision: 'accept', actor: otherDistrict }, 403, 'actor'],
    ['city office', { decision: 'accept', actor: city }, 403, 'actor'],
    ['household decides its own application', { decision: 'accept', actor: household }, 403, 'actor'],
    [
      'information due tomorrow',
      { decision: 'request_information', actor: reviewer, reason: 'licence copy', informationDueOn: '2026-09-03' },
      null,
      null,
    ],
    [
      'information due today',
      { decision: 'request_information', actor: reviewer, reason: 'licence copy', informationDueOn: today },
      422,
      'informationDueOn',
    ],
    [
      'information due on a non-date',
      { decision: 'request_information', actor: reviewer, reason: 'licence copy', informationDueOn: '2026-02-30' },
      422,
      'informationDueOn',
    ],
    [
      'information without saying what',
      { decision: 'request_information', actor: reviewer, reason: '', informationDueOn: '2026-09-10' },
      422,
      'reason',
    ],
  ])('%s', (_name, command, status, field) => {
    const violation = validateReview(underReview(), command, today);
    expect(violation?.status ?? null).toBe(status);
    expect(violation?.field ?? null).toBe(field);
  });

  it('refuses a second decision once the case is closed', () => {
    const rejected = applyReview(underReview(), { decision: 'reject', actor: reviewer, reason: 'no' }, '2026-09-02T01:00:00Z')[0]!.state;
    expect(validateReview(rejected, { decision: 'reject', actor: reviewer, reason: 'x' }, today)).toMatchObject({
      status: 409,
    });
    const accepted = applyReview(underReview(), { decision: 'accept', actor: reviewer }, '2026-09-02T01:00:00Z')[0]!.state;
    expect(validateReview(accepted, { decision: 'accept', actor: reviewer }, today)).toMatchObject({ status: 409 });
  });
});

describe('transitions leave an audit event naming who, what and why', () => {
  it('opens under review and asks for the review deadline', () => {
    const { state, event } = openCase('c', {
      uscc: USCC,
      year: 2026,
      category: 'quality',
      claimedCriteria: ['Q2'],
      evidenceRefs: [],
      householdName: 'x',
      districtCode: '120104',
      applicant: household,
      submittedAt: '2026-09-30T17:00:00.000Z',
      settings: DEFAULT_CASE_SETTINGS,
    });
    expect(state.status).toBe('under_review');
    // 17:00 UTC on 30 September is 1 October in Tianjin: the review counts from the CST date.
    expect(state.deadlineRequest).toEqual({ kind: 'review', from: '2026-10-01', workingDays: 20 });
    expect(event).toMatchObject({ seq: 1, action: 'submitted', actor: household, clauses: ['C-SELF', 'C-NOFEE'] });
    expect(event.details).not.toHaveProperty('eligibility');
  });

  it('records the eligibility the case was admitted on in its first event', () => {
    const eligibility = [
      { clause: 'C-CYCLE', passed: true, facts: { applicationDate: '2026-09-01' }, reason: 'in the window' },
      { clause: 'C-SRC', passed: true, facts: { tier: 'growth' }, reason: 'growth' },
    ];
    const { event } = openCase('c', selfApplication({ eligibility }));
    expect(event).toMatchObject({ clauses: ['C-SELF', 'C-NOFEE', 'C-CYCLE', 'C-SRC'], details: { eligibility } });
  });

  it('accepting with another category cites C-ONE-TYPE', () => {
    const [{ state, event }] = applyReview(
      underReview(),
      { decision: 'accept', actor: reviewer, category: 'renowned', reason: 'brand fame outweighs' },
      '2026-09-03T01:00:00Z',
    ) as [Transition];
    expect(state).toMatchObject({
      status: 'on_site_verification',
      category: 'renowned',
      seq: 2,
      deadlineRequest: { kind: 'verification', from: '2026-09-03', workingDays: 10 },
    });
    expect(event).toMatchObject({ action: 'review_accepted', clauses: ['C-SELF', 'C-ONE-TYPE'], reason: 'brand fame outweighs' });
  });

  it('a request for information pauses the review clock and resumes it on supply', () => {
    const withDeadline = applyDeadline(underReview(), reviewDeadline, '2026-09-01T02:00:01Z').state;
    const paused = applyReview(
      withDeadline,
      { decision: 'request_information', actor: reviewer, reason: 'licence copy', informationDueOn: '2026-09-20' },
      '2026-09-10T03:00:00Z',
    )[0]!.state;
    expect(paused).toMatchObject({
      status: 'awaiting_information',
      reviewPause: { pausedOn: '2026-09-10', reviewDueOn: '2026-09-29' },
      deadlineRequest: { kind: 'information', dueOn: '2026-09-20' },
    });
    expect(validateSupplyInformation(paused, { actor: reviewer, evidenceRefs: ['x'] })).toMatchObject({ status: 403 });
    expect(validateSupplyInformation(paused, { actor: household, evidenceRefs: [] })).toMatchObject({ status: 422 });
    const resumed = applySupplyInformation(paused, { actor: household, evidenceRefs: ['licence.pdf'] }, '2026-09-15T03:00:00Z');
    expect(resumed.state).toMatchObject({
      status: 'under_review',
      evidenceRefs: ['brand-certificate', 'licence.pdf'],
      deadlineRequest: { kind: 'review', resumeOn: '2026-09-15', pausedOn: '2026-09-10', previousDueOn: '2026-09-29' },
    });
  });
});

describe('the clock fires each reminder and escalation exactly once', () => {
  const state = applyDeadline(underReview(), reviewDeadline, '2026-09-01T02:00:01Z').state;
  const reminderAt = startOfCstDay('2026-09-24');
  const passedAt = startOfCstDay('2026-09-30');

  it('wakes up first for the reminder, then for the due date', () => {
    expect(nextCaseDuty(state, reminderAt - 1)?.at).toBe(reminderAt);
    const reminded = applyClock(state, reminderAt, 'x').at(-1)!.state;
    expect(nextCaseDuty(reminded, reminderAt)?.at).toBe(passedAt);
    const escalated = applyClock(reminded, passedAt, 'y').at(-1)!.state;
    expect(nextCaseDuty(escalated, passedAt)).toBeNull();
    expect(applyClock(escalated, passedAt + 86_400_000, 'z')).toEqual([]);
  });

  it.each([
    ['before the reminder day', reminderAt - 1, []],
    ['on the reminder day', reminderAt, ['reminder_sent']],
    ['on the due date itself', passedAt - 1, ['reminder_sent']],
    ['the day after the due date', passedAt, ['reminder_sent', 'deadline_escalated']],
  ])('%s', (_name, now, actions) => {
    expect(applyClock(state, now, 'at').map((t) => t.event.action)).toEqual(actions);
  });

  it('an information deadline that passes lapses the case', () => {
    const awaiting: CaseState = {
      ...state,
      status: 'awaiting_information',
      deadline: { ...reviewDeadline, kind: 'information', reminded: true },
    };
    const [lapse] = applyClock(awaiting, passedAt, 'at');
    expect(lapse?.state.status).toBe('lapsed');
    expect(lapse?.event).toMatchObject({ action: 'information_lapsed', actor: { role: 'system' } });
  });
});

describe('from verification to recognition', () => {
  const at = (day: string) => `${day}T02:00:00.000Z`;
  const verifying = applyReview(underReview(), { decision: 'accept', actor: reviewer }, at('2026-09-03'))[0]!.state;

  it.each<[string, ReviewCommand, number | null, string | null]>([
    ['verified with departments', { decision: 'verified', actor: reviewer, findings: 'shop visited', departments: ['culture', 'commerce'] }, null, null],
    ['verified without findings', { decision: 'verified', actor: reviewer, findings: ' ', departments: [] }, 422, 'findings'],
    ['the same department twice', { decision: 'verified', actor: reviewer, findings: 'ok', departments: ['culture', 'culture'] }, 422, 'departments'],
    ['accept again', { decision: 'accept', actor: reviewer }, 409, 'decision'],
    ['reject at verification', { decision: 'reject', actor: reviewer, reason: 'shop closed' }, null, null],
  ])('%s', (_name, command, status, field) => {
    const violation = validateReview(verifying, command, '2026-09-04');
    expect(violation?.status ?? null).toBe(status);
    expect(violation?.field ?? null).toBe(field);
  });

  it('goes straight to publicity when no department is consulted', () => {
    const steps = applyReview(verifying, { decision: 'verified', actor: reviewer, findings: 'ok', departments: [] }, at('2026-09-04'));
    expect(steps.map((t) => t.event.action)).toEqual(['verification_passed', 'publicity_started']);
    expect(steps.at(-1)!.state).toMatchObject({
      status: 'publicity',
      publicity: { publishedOn: '2026-09-04', objectionsUntil: null, windowClosed: false },
      deadlineRequest: { kind: 'publicity', from: '2026-09-04', workingDays: 5 },
    });
  });

  const consulting = applyReview(
    verifying,
    { decision: 'verified', actor: reviewer, findings: 'ok', departments: ['culture', 'commerce'] },
    at('2026-09-04'),
  )[0]!.state;
  const culture: Actor = { id: 'culture-1', role: 'department', department: 'culture' };
  const tourism: Actor = { id: 'tourism-1', role: 'department', department: 'tourism' };

  it('takes each consulted department once and opens publicity after the last', () => {
    expect(validateOpinion(consulting, { actor: tourism, opinion: 'support' })).toMatchObject({ status: 403 });
    const first = applyOpinion(consulting, { actor: culture, opinion: 'support' }, at('2026-09-05'));
    expect(first.map((t) => t.event.action)).toEqual(['opinion_given']);
    expect(validateOpinion(first[0]!.state, { actor: culture, opinion: 'object' })).toMatchObject({ status: 409 });
    const commerce: Actor = { id: 'commerce-1', role: 'department', department: 'commerce' };
    const last = applyOpinion(first[0]!.state, { actor: commerce, opinion: 'object', comment: 'complaints on file' }, at('2026-09-06'));
    expect(last.map((t) => t.event.action)).toEqual(['opinion_given', 'opinions_closed', 'publicity_started']);
    expect(last[1]!.event.details).toMatchObject({ noAnswer: [], objecting: ['commerce'] });
  });

  it('closes opinions when time runs out, recording silence as no answer', () => {
    const deadline: Deadline = { kind: 'opinions', dueOn: '2026-09-18', remindOn: '2026-09-15', reminded: true, passed: false, fallbackYears: [] };
    const waiting = applyDeadline(consulting, deadline, at('2026-09-04')).state;
    const steps = applyClock(waiting, startOfCstDay('2026-09-19'), at('2026-09-19'));
    expect(steps.map((t) => t.event.action)).toEqual(['opinions_closed', 'publicity_started']);
    expect(steps[0]!.state.opinions.map((o) => o.opinion)).toEqual(['no_answer', 'no_answer']);
  });

  const publicity = (() => {
    const started = applyReview(verifying, { decision: 'verified', actor: reviewer, findings: 'ok', departments: [] }, at('2026-09-04')).at(-1)!.state;
    const window: Deadline = { kind: 'publicity', dueOn: '2026-09-11', remindOn: null, reminded: true, passed: false, fallbackYears: [] };
    return applyDeadline(started, window, at('2026-09-04')).state;
  })();
  const citizen: Actor = { id: 'anonymous', role: 'public' };

  it.each([
    ['during the window', '2026-09-11', { submissionId: 'kept-1' }, null, null],
    ['after the window', '2026-09-12', { submissionId: 'kept-1' }, 409, 'caseId'],
    ['naming no kept text', '2026-09-10', { submissionId: ' ' }, 422, 'submissionId'],
    ['carrying its text into the case', '2026-09-10', { reason: 'shop sells fakes' }, 422, 'reason'],
  ])('an objection %s', (_name, today, filing, status, field) => {
    const refusal = validatePublicityObjection(publicity, { actor: citizen, ...filing } as PublicityObjectionCommand, today);
    expect(refusal?.status ?? null).toBe(status);
    expect(refusal?.field ?? null).toBe(field);
    if (refusal) expect(refusal.clause).toBe('C-SELF');
  });

  it('counts objections whose text is kept apart, up to the bound per notice (C-SELF), and waits for each to be resolved', () => {
    const first = applyPublicityObjection(publicity, { actor: citizen, submissionId: 'kept-1' }, at('2026-09-07'));
    expect(first.event).toMatchObject({ action: 'objection_filed', reason: null, clauses: ['C-SELF'], details: { objectionNo: 1, submissionId: 'kept-1' } });
    expect(first.state).toMatchObject({ objections: [], objectionsFiled: 1, unresolvedObjections: [1] });
    const second = applyPublicityObjection(first.state, { actor: citizen, submissionId: 'kept-2' }, at('2026-09-07')).state;
    expect(waitingForCase(second)).toBe('district');
    const full = { ...second, objectionsFiled: MAX_OBJECTIONS_PER_CASE };
    expect(validatePublicityObjection(full, { actor: citizen, submissionId: 'kept-3' }, '2026-09-08')).toMatchObject({ status: 409, field: 'caseId', clause: 'C-SELF' });

    const closed = applyClock(second, startOfCstDay('2026-09-12'), at('2026-09-12'));
    expect(closed.map((t) => [t.event.action, t.event.details])).toEqual([['publicity_closed', { objections: 2, unresolved: 2 }]]);
    const resolve = (state: CaseState, objectionNo: number) =>
      applyReview(state, { decision: 'resolve_objection', actor: reviewer, objectionNo, upheld: false, reason: 'checked' }, at('2026-09-14'));
    expect(validateReview(closed[0]!.state, { decision: 'resolve_objection', actor: reviewer, objectionNo: 3, upheld: false, reason: 'x' }, '2026-09-14')).toMatchObject({
      status: 422,
      field: 'objectionNo',
      clause: 'C-SELF',
    });
    const one = resolve(closed[0]!.state, 2);
    expect(one.map((t) => t.event.action)).toEqual(['objection_resolved']);
    expect(one[0]!.state.unresolvedObjections).toEqual([1]);
    expect(validateReview(one[0]!.state, { decision: 'resolve_objection', actor: reviewer, objectionNo: 2, upheld: true, reason: 'x' }, '2026-09-14')).toMatchObject({ status: 409 });
    expect(resolve(one[0]!.state, 1).map((t) => t.event.action)).toEqual(['objection_resolved', 'quota_requested']);
  });

  it('records a place the quota refused for good and leaves the case waiting for the weekly retry (C-QUOTA)', () => {
    const objected = applyPublicityObjection(publicity, { actor: citizen, submissionId: 'kept-1' }, at('2026-09-07')).state;
    const closed = applyClock(objected, startOfCstDay('2026-09-12'), at('2026-09-12'))[0]!.state;
    const ready = applyReview(closed, { decision: 'resolve_objection', actor: reviewer, objectionNo: 1, upheld: false, reason: 'checked' }, at('2026-09-14')).at(-1)!.state;
    expect(ready.quotaRequest).not.toBeNull();
    const failed = applyStepFailure(ready, 'takeQuotaPlace', 'QuotaRequestRefused: no row', at('2026-09-14'));
    expect(failed.event).toMatchObject({ action: 'step_failed', toStatus: 'awaiting_quota', clauses: ['C-QUOTA'], details: { step: 'takeQuotaPlace' } });
    expect(failed.state).toMatchObject({ quotaRequest: null, quotaWait: { readyAt: ready.quotaRequest!.readyAt, rank: 0 }, recordFailure: { actions: ['takeQuotaPlace'] } });
    expect(retryQuota(failed.state).quotaRequest).toEqual({ readyAt: ready.quotaRequest!.readyAt });
  });

  it('records what PostgreSQL refused as not taken, from the last recorded state, and a next decision clears it', () => {
    const rejected = applyReview(publicity, { decision: 'reject', actor: reviewer, reason: 'bad' }, at('2026-09-07'));
    const failed = applyRecordFailure(publicity, rejected.map((t) => t.event), 'DataError: refused', at('2026-09-07'));
    expect(failed.event).toMatchObject({
      action: 'record_failed',
      actor: { role: 'system' },
      fromStatus: 'publicity',
      toStatus: 'publicity',
      seq: publicity.seq + 1,
      details: { refusedActions: ['review_rejected'], requestedBy: reviewer.id, error: 'DataError: refused' },
    });
    expect(failed.state).toMatchObject({ status: 'publicity', recordFailure: { actions: ['review_rejected'], by: reviewer.id } });
    const next = applyReview(failed.state, { decision: 'reject', actor: reviewer, reason: 'good' }, at('2026-09-08'));
    expect(next[0]!.state.recordFailure).toBeNull();
  });

  it('waits for every objection to be resolved; an upheld one refuses the recognition', () => {
    const objected = applyPublicityObjection(publicity, { actor: citizen, reason: 'shop sells fakes' }, at('2026-09-07')).state;
    const closed = applyClock(objected, startOfCstDay('2026-09-12'), at('2026-09-12'));
    expect(closed.map((t) => t.event.action)).toEqual(['publicity_closed']);
    const stillOpen = closed[0]!.state;
    expect(stillOpen.status).toBe('publicity');

    const dismissed = applyReview(stillOpen, { decision: 'resolve_objection', actor: reviewer, objectionNo: 1, upheld: false, reason: 'receipts checked' }, at('2026-09-14'));
    expect(dismissed.map((t) => t.event.action)).toEqual(['objection_resolved', 'quota_requested']);
    expect(dismissed[0]!.state.objections[0]).toMatchObject({ resolution: 'dismissed', resolvedBy: reviewer.id, resolvedAt: at('2026-09-14') });
    expect(dismissed.at(-1)!.state).toMatchObject({ status: 'awaiting_quota', deadlineRequest: { kind: 'quota', dueOn: '2026-11-30' } });

    const upheld = applyReview(stillOpen, { decision: 'resolve_objection', actor: reviewer, objectionNo: 1, upheld: true, reason: 'fakes confirmed' }, at('2026-09-14'));
    expect(upheld.map((t) => [t.event.action, t.state.status])).toEqual([['objection_resolved', 'rejected']]);
  });

  it.each([
    ['on 30 November', '2026-11-30', true, ['quota_requested']],
    ['after 30 November', '2026-12-01', true, ['quota_exhausted']],
    ['after 30 November, in a case started before the day was kept', '2026-12-01', false, ['quota_requested']],
  ])('asks for a place when ready %s, or closes: recognitions are done by then (C-CYCLE)', (_when, readyOn, keepsTheDay, actions) => {
    const settings = keepsTheDay ? publicity.settings : { ...publicity.settings, recognitionsDoneBy: undefined };
    const objected = applyPublicityObjection({ ...publicity, settings }, { actor: citizen, reason: 'shop sells fakes' }, at('2026-09-07')).state;
    const closed = applyClock(objected, startOfCstDay('2026-09-12'), at('2026-09-12'))[0]!.state;
    const resolved = applyReview(closed, { decision: 'resolve_objection', actor: reviewer, objectionNo: 1, upheld: false, reason: 'checked' }, at(readyOn));
    expect(resolved.slice(1).map((t) => t.event.action)).toEqual(actions);
    if (actions[0] === 'quota_exhausted') {
      expect(resolved.at(-1)!.event).toMatchObject({ toStatus: 'quota_exhausted', clauses: ['C-CYCLE'], details: { readyOn, recognitionsDoneBy: '2026-11-30' } });
      expect(resolved.at(-1)!.state).toMatchObject({ quotaRequest: null, deadlineRequest: null });
    }
  });

  it("is on the district office's worklist during publicity only while an objection waits for it", () => {
    const objected = applyPublicityObjection(publicity, { actor: citizen, reason: 'shop sells fakes' }, at('2026-09-07')).state;
    const resolved = applyReview(objected, { decision: 'resolve_objection', actor: reviewer, objectionNo: 1, upheld: false, reason: 'receipts checked' }, at('2026-09-08'))[0]!.state;
    expect([publicity, objected, resolved].map((state) => [state.status, waitingForCase(state)])).toEqual([
      ['publicity', null],
      ['publicity', 'district'],
      ['publicity', null],
    ]);
  });

  it('recognises with a place, or waits ranked without one; validity is three years from the recognition date', () => {
    const ready = applyClock(publicity, startOfCstDay('2026-09-12'), at('2026-09-12')).at(-1)!.state;
    expect(ready.status).toBe('awaiting_quota');
    const recognised = applyQuotaAnswer(ready, { taken: true }, at('2026-09-15'));
    expect(recognised.state).toMatchObject({
      status: 'recognised',
      recognition: { recognisedOn: '2026-09-15', validUntil: '2029-09-14', benefitsFrom: '2027-01-01' },
    });
    const waiting = applyQuotaAnswer(ready, { taken: false, rank: 2, waiting: 3 }, at('2026-09-15'));
    expect(waiting.transitions.map((t) => t.event.action)).toEqual(['quota_waiting']);
    const retried = applyQuotaAnswer(retryQuota(waiting.state), { taken: false, rank: 1, waiting: 2 }, at('2026-09-16'));
    expect(retried.transitions).toEqual([]);
    expect(retried.state.quotaWait?.rank).toBe(1);
  });

  it('refuses, citing C-ONE-PERSON, a case whose operator got another household of the district recognised first', () => {
    const ready = applyClock(publicity, startOfCstDay('2026-09-12'), at('2026-09-12')).at(-1)!.state;
    const waited = applyQuotaAnswer(ready, { taken: false, rank: 1, waiting: 1 }, at('2026-09-15')).state;
    for (const state of [ready, retryQuota(waited)]) {
      const heldBy = { caseId: 'recognition-92120104MA05L9XX1C-2026', uscc: '92120104MA05L9XX1C' };
      const refused = applyQuotaAnswer(state, { taken: false, heldBySameOperator: heldBy }, at('2026-09-16'));
      expect(refused.state).toMatchObject({ status: 'rejected', quotaRequest: null, quotaWait: null, recognition: null });
      expect(refused.transitions.map((t) => t.event)).toMatchObject([
        { action: 'one_person_refused', toStatus: 'rejected', clauses: ['C-ONE-PERSON'], actor: { role: 'system' }, details: { heldBy } },
      ]);
      expect(refused.transitions[0]!.event.reason).toContain('92120104MA05L9XX1C');
    }
  });
});

describe('department route (C-REC)', () => {
  const department: Actor = { id: 'culture-bureau-1', role: 'department', department: '区文化和旅游局', districtCode: '120104' };
  const cityDepartment: Actor = { id: 'commerce-1', role: 'department', department: '市商务局' };

  function recommended(level: 'city' | 'district'): CaseState {
    return openCase('recognition-case', {
      route: 'department',
      recommendation: { department: level === 'city' ? '市商务局' : '区文化和旅游局', level, reason: '中华老字号' },
      uscc: USCC,
      year: 2026,
      category: 'renowned',
      claimedCriteria: ['K5', 'K1'],
      evidenceRefs: [],
      householdName: '泥人张工艺坊',
      districtCode: '120104',
      applicant: level === 'city' ? cityDepartment : department,
      submittedAt: '2026-09-01T02:00:00.000Z',
      settings: DEFAULT_CASE_SETTINGS,
    }).state;
  }

  const consentDeadline: Deadline = { kind: 'consent', dueOn: '2026-09-15', remindOn: '2026-09-10', reminded: false, passed: false, fallbackYears: [] };

  it('opens waiting for the household, with a consent deadline in working days', () => {
    const opened = openCase('recognition-case', {
      route: 'department',
      recommendation: { department: '区文化和旅游局', level: 'district', reason: '非遗传承人' },
      uscc: USCC,
      year: 2026,
      category: 'distinctive',
      claimedCriteria: ['F6'],
      evidenceRefs: [],
      householdName: '泥人张工艺坊',
      districtCode: '120104',
      applicant: department,
      submittedAt: '2026-09-01T02:00:00.000Z',
      settings: DEFAULT_CASE_SETTINGS,
    });
    expect(opened.state).toMatchObject({
      route: 'department',
      status: 'awaiting_consent',
      recommendation: { department: '区文化和旅游局', level: 'district' },
      deadlineRequest: { kind: 'consent', from: '2026-09-01', workingDays: DEFAULT_CASE_SETTINGS.consentWorkingDays },
    });
    expect(opened.event).toMatchObject({ action: 'recommended', actor: department, toStatus: 'awaiting_consent', clauses: ['C-REC', 'C-NOFEE'] });
    expect(waitingForCase(opened.state)).toBe('household');
  });

  it.each([
    ['takes a recommendation that names no criterion beyond the department’s own', { category: 'renowned', claimedCriteria: [], reason: '老字号' }, null],
    ['takes criteria of the category recommended', { category: 'renowned', claimedCriteria: ['K5', 'K2'], reason: '老字号' }, null],
    ["refuses another category's criterion", { category: 'renowned', claimedCriteria: ['Q1'], reason: '老字号' }, 'claimedCriteria'],
    ['refuses a criterion named twice', { category: 'renowned', claimedCriteria: ['K2', 'K2'], reason: '老字号' }, 'claimedCriteria'],
    ['refuses a recommendation without a reason', { category: 'renowned', claimedCriteria: [], reason: ' ' }, 'reason'],
  ])('a recommendation (C-REC): %s', (_rule, input, field) => {
    const refusal = validateRecommendation(input);
    if (field === null) expect(refusal).toBeNull();
    else expect(refusal).toMatchObject({ status: 422, field, clause: 'C-REC' });
  });

  it("always includes the category's department criterion first", () => {
    expect(recommendedCriteria('renowned', ['K2'])).toEqual(['K5', 'K2']);
    expect(recommendedCriteria('quality', ['Q1', 'Q6'])).toEqual(['Q6', 'Q1']);
    expect(recommendedCriteria('emerging', [])).toEqual(['E4']);
  });

  it.each([
    ['the household recommended answers', household, true, null],
    ['another household may not', { id: 'other', role: 'household', uscc: '92120104MA06B7Q413' } as Actor, true, 403],
    ['the recommending department may not', department, true, 403],
  ])('lets only the household itself answer: %s', (_rule, actor, consent, status) => {
    const refusal = validateConsent(recommended('district'), { actor, consent } as ConsentCommand);
    if (status === null) expect(refusal).toBeNull();
    else expect(refusal).toMatchObject({ status, field: 'actor', clause: 'C-REC' });
  });

  it('consent starts the review clock that day; declining closes the case', () => {
    const state = recommended('district');
    const consented = applyConsent(state, { actor: household, consent: true }, '2026-09-07T01:00:00.000Z');
    expect(consented.state).toMatchObject({
      status: 'under_review',
      deadlineRequest: { kind: 'review', from: '2026-09-07', workingDays: DEFAULT_CASE_SETTINGS.reviewWorkingDays },
    });
    expect(consented.event).toMatchObject({ action: 'consent_given', clauses: ['C-REC'], details: { reviewedBy: 'district' } });
    expect(validateConsent(consented.state, { actor: household, consent: true })).toMatchObject({ status: 409 });

    const declined = applyConsent(state, { actor: household, consent: false, reason: '暂不参加' }, '2026-09-07T01:00:00.000Z');
    expect(declined.state).toMatchObject({ status: 'declined', deadlineRequest: null });
    expect(declined.event).toMatchObject({ action: 'consent_declined', reason: '暂不参加', clauses: ['C-REC'] });
    expect(isClosed('declined')).toBe(true);
  });

  it('reminds the household, then lapses the recommendation once its consent due date passes', () => {
    const waiting = applyDeadline(recommended('district'), consentDeadline, '2026-09-01T02:00:01.000Z').state;
    const reminded = applyClock(waiting, startOfCstDay('2026-09-10'), '2026-09-09T16:00:00.000Z');
    expect(reminded.map((t) => t.event.action)).toEqual(['reminder_sent']);
    expect(reminded[0]!.event.details).toMatchObject({ kind: 'consent', notify: 'household' });
    const lapsed = applyClock(reminded[0]!.state, startOfCstDay('2026-09-16'), '2026-09-15T16:00:00.000Z');
    expect(lapsed.map((t) => t.event.action)).toEqual(['consent_lapsed']);
    expect(lapsed[0]!.state).toMatchObject({ status: 'consent_lapsed', deadlineRequest: null });
    expect(lapsed[0]!.event.clauses).toEqual(['C-REC']);
    expect(nextCaseDuty(lapsed[0]!.state, startOfCstDay('2026-09-16'))).toBeNull();
    expect(applyClock(lapsed[0]!.state, startOfCstDay('2026-09-30'), '2026-09-29T16:00:00.000Z')).toEqual([]);
  });

  it('takes no review decision before consent', () => {
    expect(validateReview(recommended('district'), { decision: 'accept', actor: reviewer }, '2026-09-02')).toMatchObject({ status: 409 });
    expect(validateReview(recommended('district'), { decision: 'reject', actor: reviewer, reason: 'x' }, '2026-09-02')).toMatchObject({ status: 409 });
  });

  const consentedAs = (level: 'city' | 'district') =>
    applyConsent(recommended(level), { actor: household, consent: true }, '2026-09-02T01:00:00.000Z').state;
  const self = () => underReview();

  it.each([
    ['self', 'its district office reviews', self, reviewer, null, null],
    ['self', 'the city office may not', self, city, 'C-SELF', 'C-SELF: only the district office reviews a self-application'],
    ['self', "another district's office may not", self, otherDistrict, 'C-SELF', 'C-SELF: the case belongs to district 120104'],
    ['district-level', 'its district office reviews', () => consentedAs('district'), reviewer, null, null],
    ['district-level', 'the city office may not', () => consentedAs('district'), city, 'C-REC', 'C-REC: only the district office reviews a district-level recommendation'],
    ['district-level', "another district's office may not", () => consentedAs('district'), otherDistrict, 'C-REC', 'C-REC: the case belongs to district 120104'],
    ['city-level', 'the city office reviews', () => consentedAs('city'), city, null, null],
    ['city-level', 'its district office may not', () => consentedAs('city'), reviewer, 'C-REC', 'C-REC: only the city office reviews a city-level recommendation'],
    ['city-level', 'a department may not', () => consentedAs('city'), department, 'C-REC', 'C-REC: only the city office reviews a city-level recommendation'],
  ])('a %s case: %s', (_route, _rule, state, actor, clause, message) => {
    const refusal = validateReview(state(), { decision: 'accept', actor: actor as Actor }, '2026-09-03');
    if (clause === null) expect(refusal).toBeNull();
    else expect(refusal).toEqual({ status: 403, field: 'actor', clause, message });
  });

  it.each([
    ['district', 'review by the district office not done by its due date; escalated to the city office', ['C-SELF'], 'district'],
    ['city', 'review by the city office not done by its due date; the city office reviews this city-level recommendation itself (C-REC) and has it as overdue', ['C-SELF', 'C-REC'], 'city'],
  ] as const)('escalates an overdue review of a %s-level recommendation to the right office', (level, reason, clauses, reviewingOffice) => {
    const reviewing = applyDeadline(consentedAs(level), reviewDeadline, '2026-09-02T01:00:01.000Z').state;
    const escalation = applyClock(reviewing, startOfCstDay('2026-09-30'), 'at').find((t) => t.event.action === 'deadline_escalated');
    expect(escalation?.event).toMatchObject({ reason, clauses, details: { kind: 'review', notify: 'city', reviewingOffice } });
  });

  it("cites C-REC on a recommendation's review and puts a city-level case on the city's worklist", () => {
    const state = consentedAs('city');
    expect(waitingForCase(state)).toBe('city');
    expect(waitingForCase(consentedAs('district'))).toBe('district');
    const [accepted] = applyReview(state, { decision: 'accept', actor: city }, '2026-09-03T01:00:00.000Z');
    expect(accepted!.event.clauses).toEqual(['C-REC']);
    expect(waitingForCase(accepted!.state)).toBe('city');
  });
});
