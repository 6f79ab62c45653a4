import { describe, expect, it } from 'vitest';
import type { Actor } from '../../policy/actors.js';
import { startOfCstDay } from '../../policy/dates.js';
import {
  DEFAULT_CASE_SETTINGS,
  applyClock,
  applyDeadline,
  applyOpinion,
  applyPublicityObjection,
  applyQuotaAnswer,
  applyReview,
  applySupplyInformation,
  nextWakeUp,
  openCase,
  retryQuota,
  validateApplication,
  validateOpinion,
  validatePublicityObjection,
  validateReview,
  validateSupplyInformation,
  type CaseState,
  type Deadline,
  type ReviewCommand,
  type Transition,
} from '../../policy/recognition-case.js';

const USCC = '92120104MA06B7Q405';
const household: Actor = { id: USCC, role: 'household', uscc: USCC };
const reviewer: Actor = { id: 'reviewer-1', role: 'district', districtCode: '120104' };
const otherDistrict: Actor = { id: 'reviewer-2', role: 'district', districtCode: '120101' };
const city: Actor = { id: 'city-1', role: 'city' };

function underReview(): CaseState {
  return openCase('recognition-case', {
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
  }).state;
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
    [{ category: 'quality', claimedCriteria: ['Q1', 'Q3'] }, null],
    [{ category: 'renowned', claimedCriteria: ['K3'] }, null],
    [{ category: 'famous', claimedCriteria: ['K3'] }, 'category'],
    [{ category: 'quality', claimedCriteria: [] }, 'C-SELF'],
    [{ category: 'quality', claimedCriteria: ['K1'] }, 'C-SELF'],
    [{ category: 'quality', claimedCriteria: ['Q6'] }, 'C-REC'],
    [{ category: 'emerging', claimedCriteria: ['E4'] }, 'C-REC'],
    [{ category: 'distinctive', claimedCriteria: ['F1', 'F1'] }, 'C-SELF'],
  ])('%j → %s', (application, expected) => {
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
    expect(nextWakeUp(state, reminderAt - 1)).toBe(reminderAt);
    const reminded = applyClock(state, reminderAt, 'x').at(-1)!.state;
    expect(nextWakeUp(reminded, reminderAt)).toBe(passedAt);
    const escalated = applyClock(reminded, passedAt, 'y').at(-1)!.state;
    expect(nextWakeUp(escalated, passedAt)).toBeNull();
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
    ['during the window', '2026-09-11', 'shop sells fakes', null],
    ['after the window', '2026-09-12', 'shop sells fakes', 409],
    ['without a reason', '2026-09-10', '', 422],
  ])('an objection %s', (_name, today, reason, status) => {
    expect(validatePublicityObjection(publicity, { actor: citizen, reason }, today)?.status ?? null).toBe(status);
  });

  it('waits for every objection to be resolved; an upheld one refuses the recognition', () => {
    const objected = applyPublicityObjection(publicity, { actor: citizen, reason: 'shop sells fakes' }, at('2026-09-07')).state;
    const closed = applyClock(objected, startOfCstDay('2026-09-12'), at('2026-09-12'));
    expect(closed.map((t) => t.event.action)).toEqual(['publicity_closed']);
    const stillOpen = closed[0]!.state;
    expect(stillOpen.status).toBe('publicity');

    const dismissed = applyReview(stillOpen, { decision: 'resolve_objection', actor: reviewer, objectionNo: 1, upheld: false, reason: 'receipts checked' }, at('2026-09-14'));
    expect(dismissed.map((t) => t.event.action)).toEqual(['objection_resolved', 'quota_requested']);
    expect(dismissed.at(-1)!.state).toMatchObject({ status: 'awaiting_quota', deadlineRequest: { kind: 'quota', dueOn: '2026-11-30' } });

    const upheld = applyReview(stillOpen, { decision: 'resolve_objection', actor: reviewer, objectionNo: 1, upheld: true, reason: 'fakes confirmed' }, at('2026-09-14'));
    expect(upheld.map((t) => [t.event.action, t.state.status])).toEqual([['objection_resolved', 'rejected']]);
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
});
