import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCalendar, type HolidayNotice } from '../../policy/calendar.js';
import { chineseDate } from '../../policy/dates.js';
import {
  DEFAULT_SMS_QUIET_HOURS,
  deliveryRetryAt,
  notificationsFor,
  parseQuietHours,
  smsHeldUntil,
  type CaseNotificationFacts,
  type NotifiableEvent,
} from '../../policy/notifications.js';

const calendar = buildCalendar(JSON.parse(readFileSync(new URL('../../db/seed/holiday-notices.json', import.meta.url), 'utf8')) as HolidayNotice[]);

const facts: CaseNotificationFacts = {
  trail: 'case',
  caseId: 'recognition-92120104MA0000000X-2026',
  uscc: '92120104MA0000000X',
  householdName: '泥人张彩塑',
  districtCode: '120104',
  reviewingOffice: 'district',
  recommendingDepartment: null,
  pendingDepartments: [],
  informationReason: null,
  supplementReason: null,
  bannedUntil: null,
};

function event(action: string, details: Record<string, unknown> = {}, extra: Partial<NotifiableEvent> = {}): NotifiableEvent {
  // Monday 7 December 2026, 10:00 CST.
  return { seq: 2, at: '2026-12-07T02:00:00.000Z', action, actor: { role: 'system' }, fromStatus: 'under_review', toStatus: 'under_review', reason: null, details, ...extra };
}

const household = { role: 'household', id: facts.uscc };
const nankai = { role: 'district', id: '120104' };
const city = { role: 'city', id: 'city' };

describe('who is told what', () => {
  const table: Array<{ name: string; event: NotifiableEvent; facts?: Partial<CaseNotificationFacts>; told: Array<{ recipient: object; kind: string }> }> = [
    { name: 'application received: the household', event: event('submitted', {}, { actor: { role: 'household' } }), told: [{ recipient: household, kind: 'application_received' }] },
    { name: 'review due: the district office', event: event('deadline_set', { kind: 'review', dueOn: '2027-01-05' }), told: [{ recipient: nankai, kind: 'review_due' }] },
    {
      name: 'review due on a city-level recommendation: the city office',
      event: event('deadline_set', { kind: 'review', dueOn: '2027-01-05' }),
      facts: { reviewingOffice: 'city', recommendingDepartment: '市商务局' },
      told: [{ recipient: city, kind: 'review_due' }],
    },
    { name: 'information requested: the household', event: event('deadline_set', { kind: 'information', dueOn: '2026-12-18' }), facts: { informationReason: '请提供老字号证书' }, told: [{ recipient: household, kind: 'information_requested' }] },
    { name: 'consent asked: the household', event: event('deadline_set', { kind: 'consent', dueOn: '2026-12-18' }), facts: { recommendingDepartment: '120104-commerce', recommendingDepartmentName: '南开区商务局' }, told: [{ recipient: household, kind: 'consent_requested' }] },
    {
      name: 'opinions asked: each department not yet answered',
      event: event('deadline_set', { kind: 'opinions', dueOn: '2026-12-21' }),
      facts: { pendingDepartments: ['区商务局', '区文旅局'] },
      told: [
        { recipient: { role: 'department', id: '区商务局' }, kind: 'opinion_requested' },
        { recipient: { role: 'department', id: '区文旅局' }, kind: 'opinion_requested' },
      ],
    },
    { name: 'publicity started: the household', event: event('deadline_set', { kind: 'publicity', dueOn: '2026-12-14' }), told: [{ recipient: household, kind: 'publicity_started' }] },
    { name: 'the quota wait asks nobody', event: event('deadline_set', { kind: 'quota', dueOn: '2026-11-30' }), told: [] },
    { name: 'review reminder: the office waited for', event: event('reminder_sent', { kind: 'review', dueOn: '2026-12-10', notify: 'district' }), told: [{ recipient: nankai, kind: 'step_reminder' }] },
    {
      name: 'review escalated: the city office, and the district office it is overdue with',
      event: event('deadline_escalated', { kind: 'review', dueOn: '2026-12-04', notify: 'city', reviewingOffice: 'district' }),
      told: [
        { recipient: city, kind: 'step_escalated' },
        { recipient: nankai, kind: 'step_overdue' },
      ],
    },
    {
      name: 'objection filed: the office to resolve it and the household',
      event: event('objection_filed', { objectionNo: 1 }, { reason: '冒用他人商标' }),
      told: [
        { recipient: nankai, kind: 'objection_filed' },
        { recipient: household, kind: 'objection_filed' },
      ],
    },
    { name: 'information supplied: the reviewing office', event: event('information_supplied', {}, { actor: { role: 'household' } }), told: [{ recipient: nankai, kind: 'information_supplied' }] },
    {
      name: 'refused with reason: the household and the recommending department',
      event: event('review_rejected', {}, { reason: '材料不实', actor: { role: 'district' } }),
      facts: { recommendingDepartment: '区商务局' },
      told: [
        { recipient: household, kind: 'not_recognised' },
        { recipient: { role: 'department', id: '区商务局' }, kind: 'not_recognised' },
      ],
    },
    { name: 'recognised: the household', event: event('recognised', { validUntil: '2029-12-06' }), told: [{ recipient: household, kind: 'recognised' }] },
    {
      name: 'spot check: the city office to act and the household',
      event: event('spot_check_selected'),
      told: [
        { recipient: city, kind: 'spot_check_selected' },
        { recipient: household, kind: 'spot_check_selected' },
      ],
    },
    { name: 'supplement asked: the household', event: event('deadline_set', { kind: 'supplement', dueOn: '2026-12-18' }), told: [{ recipient: household, kind: 'supplement_requested' }] },
    { name: 'annual report due: the household', event: event('annual_report_reminder', { year: 2027, dueOn: '2027-07-31', notify: 'household' }), told: [{ recipient: household, kind: 'annual_report_due' }] },
    {
      name: 'annual report overdue: the household and its district office',
      event: event('annual_report_overdue', { year: 2027, dueOn: '2027-07-31', cancelOn: '2027-08-30', notify: 'district' }),
      told: [
        { recipient: household, kind: 'annual_report_overdue' },
        { recipient: nankai, kind: 'annual_report_overdue' },
      ],
    },
    {
      name: 'evaluation opened on a recommendation: the district office, and the department for X4',
      event: event('evaluation_opened', { x4Applies: true, notify: 'district' }),
      facts: { recommendingDepartment: '区商务局' },
      told: [
        { recipient: nankai, kind: 'evaluation_opened' },
        { recipient: { role: 'department', id: '区商务局' }, kind: 'x4_requested' },
      ],
    },
    { name: 'extended: the household', event: event('extended'), told: [{ recipient: household, kind: 'evaluation_result' }] },
    { name: 'cancelled by the district office: the household only', event: event('cancelled', {}, { reason: '已注销', actor: { role: 'district' } }), told: [{ recipient: household, kind: 'recognition_ended' }] },
    {
      name: 'missed report cancels: the household and the district office',
      event: event('annual_report_missed', { year: 2027 }),
      told: [
        { recipient: household, kind: 'recognition_ended' },
        { recipient: nankai, kind: 'recognition_ended' },
      ],
    },
    { name: 'revoked, with the ban: the household', event: event('revoked', {}, { reason: '提供虚假材料', actor: { role: 'city' } }), facts: { bannedUntil: '2031-12-07' }, told: [{ recipient: household, kind: 'revoked' }] },
    { name: 'an opinion given tells nobody by itself', event: event('opinion_given', { department: '区商务局', opinion: 'support' }), told: [] },
    { name: 'a recorded deadline of no known step tells nobody', event: event('deadline_set', { kind: 'something_else' }), told: [] },
  ];

  for (const row of table) {
    it(row.name, () => {
      const drafts = notificationsFor(row.event, { ...facts, ...row.facts }, calendar);
      expect(drafts.map((d) => ({ recipient: d.recipient, kind: d.kind }))).toEqual(row.told);
    });
  }

  it('tier objections: the city office answers, the household hears the result', () => {
    const objection: CaseNotificationFacts = { ...facts, trail: 'tier_objection', caseId: 'tier-objection-92120104MA0000000X-2026', householdName: null, districtCode: null, reviewingOffice: 'city' };
    expect(notificationsFor(event('deadline_set', { dueOn: '2026-12-28' }), objection, calendar).map((d) => [d.recipient, d.kind])).toEqual([[city, 'tier_objection_due']]);
    expect(notificationsFor(event('deadline_escalated', { dueOn: '2026-12-28', notify: 'city' }), objection, calendar).map((d) => [d.recipient, d.kind])).toEqual([[city, 'step_overdue']]);
    expect(notificationsFor(event('dismissed', {}, { reason: '数据无误' }), objection, calendar).map((d) => [d.recipient, d.kind])).toEqual([[household, 'tier_objection_answered']]);
  });
});

describe('the templates', () => {
  it('name the case, the step, the due date in CST with the working days left, and what to do', () => {
    const [draft] = notificationsFor(event('deadline_set', { kind: 'information', dueOn: '2026-12-18' }), { ...facts, informationReason: '请提供老字号证书' }, calendar);
    // Monday 7 December to Friday 18 December 2026: 9 working days after today.
    expect(draft).toMatchObject({ step: '补充材料', dueOn: '2026-12-18', workingDaysLeft: 9, title: '请补充申请材料' });
    expect(draft!.body).toBe(
      '泥人张彩塑（案件编号 recognition-92120104MA0000000X-2026）：审核部门要求补充材料：请提供老字号证书。截止日期：2026年12月18日（北京时间当日24时前，剩余9个工作日）。请登录平台提交补充材料。',
    );
  });

  it('count working days on the holiday notices, and say when today is the last day', () => {
    // 2026-09-30 (Wednesday) to 2026-10-09 (Friday): the National Day holiday and its make-up day.
    const autumn = { ...event('reminder_sent', { kind: 'review', dueOn: '2026-10-09', notify: 'district' }), at: '2026-09-30T02:00:00.000Z' };
    const [reminder] = notificationsFor(autumn, facts, calendar);
    expect(reminder!.workingDaysLeft).toBeLessThan(7);
    const lastDay = { ...event('reminder_sent', { kind: 'review', dueOn: '2026-12-07', notify: 'district' }) };
    expect(notificationsFor(lastDay, facts, calendar)[0]!.body).toContain('今天截止');
  });

  it('name a recommending department as people know it, not by its registry ID', () => {
    const [asked] = notificationsFor(event('deadline_set', { kind: 'consent', dueOn: '2026-12-18' }), { ...facts, recommendingDepartment: '120104-commerce', recommendingDepartmentName: '南开区商务局' }, calendar);
    expect(asked!.body).toContain('南开区商务局推荐您参加“名特优新”认定');
    expect(asked!.body).not.toContain('120104-commerce');
  });

  it('write dates as the glossary does', () => {
    expect(chineseDate('2026-07-01')).toBe('2026年7月1日');
  });
});

describe('SMS quiet hours and delivery backoff', () => {
  const cst = (iso: string) => Date.parse(`${iso}+08:00`);
  it.each([
    ['2026-12-07T20:59:00', null],
    ['2026-12-07T21:00:00', '2026-12-08T08:00:00'],
    ['2026-12-07T23:30:00', '2026-12-08T08:00:00'],
    ['2026-12-08T02:00:00', '2026-12-08T08:00:00'],
    ['2026-12-08T08:00:00', null],
  ])('a message due %s CST goes out at %s', (due, at) => {
    expect(smsHeldUntil(cst(due), DEFAULT_SMS_QUIET_HOURS)).toBe(at === null ? null : cst(at));
  });

  it('reads the setting, refusing a malformed one, and an empty span means none', () => {
    expect(parseQuietHours('22:30-07:00')).toEqual({ fromMinute: 22 * 60 + 30, toMinute: 7 * 60 });
    expect(parseQuietHours('9pm-8am')).toBeNull();
    expect(parseQuietHours('24:00-08:00')).toBeNull();
    expect(smsHeldUntil(cst('2026-12-07T23:00:00'), parseQuietHours('00:00-00:00')!)).toBeNull();
    // Within one day: 12:00–14:00.
    expect(smsHeldUntil(cst('2026-12-07T13:00:00'), parseQuietHours('12:00-14:00')!)).toBe(cst('2026-12-07T14:00:00'));
  });

  it('backs off 30 s doubling up to an hour, never giving up', () => {
    expect([1, 2, 3, 8, 50].map((n) => deliveryRetryAt(0, n))).toEqual([30_000, 60_000, 120_000, 3_600_000, 3_600_000]);
  });
});
