import { describe, expect, it } from 'vitest';
import type { Actor } from '../../policy/actors.js';
import { startOfCstDay } from '../../policy/dates.js';
import {
  applyClock,
  applyDeadline,
  applyReview,
  applySupplyInformation,
  nextWakeUp,
  openCase,
  validateApplication,
  validateReview,
  validateSupplyInformation,
  type CaseState,
  type Deadline,
  type ReviewCommand,
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
    settings: { reviewWorkingDays: 20, reminderWorkingDays: 3 },
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
    const accepted = applyReview(underReview(), { decision: 'accept', actor: reviewer }, '2026-09-02T01:00:00Z').state;
    expect(validateReview(accepted, { decision: 'reject', actor: reviewer, reason: 'x' }, today)).toMatchObject({
      status: 409,
    });
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
      settings: { reviewWorkingDays: 20, reminderWorkingDays: 3 },
    });
    expect(state.status).toBe('under_review');
    // 17:00 UTC on 30 September is 1 October in Tianjin: the review counts from the CST date.
    expect(state.deadlineRequest).toEqual({ kind: 'review', from: '2026-10-01', workingDays: 20 });
    expect(event).toMatchObject({ seq: 1, action: 'submitted', actor: household, clauses: ['C-SELF', 'C-NOFEE'] });
  });

  it('accepting with another category cites C-ONE-TYPE', () => {
    const { state, event } = applyReview(
      underReview(),
      { decision: 'accept', actor: reviewer, category: 'renowned', reason: 'brand fame outweighs' },
      '2026-09-03T01:00:00Z',
    );
    expect(state).toMatchObject({ status: 'review_accepted', category: 'renowned', seq: 2 });
    expect(event).toMatchObject({ action: 'review_accepted', clauses: ['C-SELF', 'C-ONE-TYPE'], reason: 'brand fame outweighs' });
  });

  it('a request for information pauses the review clock and resumes it on supply', () => {
    const withDeadline = applyDeadline(underReview(), reviewDeadline, '2026-09-01T02:00:01Z').state;
    const paused = applyReview(
      withDeadline,
      { decision: 'request_information', actor: reviewer, reason: 'licence copy', informationDueOn: '2026-09-20' },
      '2026-09-10T03:00:00Z',
    ).state;
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
    expect(nextWakeUp(state)).toBe(reminderAt);
    const reminded = applyClock(state, reminderAt, 'x').at(-1)!.state;
    expect(nextWakeUp(reminded)).toBe(passedAt);
    const escalated = applyClock(reminded, passedAt, 'y').at(-1)!.state;
    expect(nextWakeUp(escalated)).toBeNull();
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
