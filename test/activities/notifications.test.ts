// The outbox on real parts: PostgreSQL, an SMTP server receiving mail over TCP, an HTTP server
// standing for the SMS gateway. The clock of the delivery activity is the test's.
import { Client } from '@temporalio/client';
import { asc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseActivities } from '../../activities/case-records.js';
import { createNotificationChannels } from '../../activities/notification-channels.js';
import { createNotificationActivities } from '../../activities/notifications.js';
import { buildApp } from '../../api/app.js';
import { saveContact } from '../../api/routes/notifications.js';
import type { Database } from '../../db/client.js';
import { notificationDeliveries, notifications } from '../../db/notification-schema.js';
import { households } from '../../db/schema.js';
import type { Actor } from '../../policy/actors.js';
import { applyDeadline, DEFAULT_CASE_SETTINGS, openCase, type Deadline } from '../../policy/recognition-case.js';
import { freePort } from '../../scripts/postgres.js';
import { toCaseView } from '../../workflows/recognition-case/contract.js';
import { isolatedDatabase, startSmsGateway, startSmtpSink, type SmsGateway, type SmtpSink } from '../support/notifications.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'notification-activity-test-secret-of-at-least-32-bytes';
const NANKAI = '120104';
// Monday 7 December 2026, 10:00 CST.
const MONDAY_MORNING = Date.parse('2026-12-07T10:00:00+08:00');
const bearer = bearerFor(SECRET, () => MONDAY_MORNING);

let database: Database;
let drop: () => Promise<void>;
let smtp: SmtpSink;
let sms: SmsGateway;
let app: FastifyInstance;
let serial = 0;

beforeAll(async () => {
  ({ database, drop } = await isolatedDatabase('notify_outbox'));
  smtp = await startSmtpSink({ refuse: (address) => address.startsWith('nobody@') });
  sms = await startSmsGateway();
  app = await buildApp({ database, temporal: new Client(), authSecret: SECRET, caseSettings: DEFAULT_CASE_SETTINGS, now: () => MONDAY_MORNING });
});

afterAll(async () => {
  await app?.close();
  await smtp?.close();
  await sms?.close();
  await drop?.();
});

const office: Actor = { id: 'reviewer-120104', role: 'district', districtCode: NANKAI };

/** A household of Nankai with the contacts given, and its freshly opened case (not yet saved). */
async function household(contact: { email?: string; mobile?: string }) {
  serial++;
  const uscc = `92120104MANOTE${String(serial).padStart(3, '0')}X`;
  await database.db.insert(households).values({ uscc, name: `通知测试户${serial}`, operatorId: `op-${uscc}`, operatorName: '测试', districtCode: NANKAI, establishedOn: '2018-05-01', status: 'active' });
  const actor: Actor = { id: uscc, role: 'household', uscc };
  if (contact.email || contact.mobile) await saveContact(database.db, { role: 'household', id: uscc }, contact, actor, MONDAY_MORNING);
  const caseId = `recognition-${uscc}-2026`;
  const opened = openCase(caseId, {
    uscc,
    year: 2026,
    category: 'quality',
    claimedCriteria: ['Q2'],
    evidenceRefs: [],
    householdName: `通知测试户${serial}`,
    districtCode: NANKAI,
    applicant: actor,
    submittedAt: new Date(MONDAY_MORNING).toISOString(),
    settings: DEFAULT_CASE_SETTINGS,
  });
  return { uscc, actor, caseId, opened };
}

const reviewDeadline: Deadline = { kind: 'review', dueOn: '2027-01-05', remindOn: '2026-12-30', reminded: false, passed: false, fallbackYears: [] };

async function outbox(caseId: string) {
  return database.db
    .select({ recipientRole: notifications.recipientRole, kind: notifications.kind, channel: notificationDeliveries.channel, status: notificationDeliveries.status, attempts: notificationDeliveries.attempts, lastError: notificationDeliveries.lastError, nextAttemptAt: notificationDeliveries.nextAttemptAt })
    .from(notifications)
    .leftJoin(notificationDeliveries, eq(notificationDeliveries.notificationId, notifications.id))
    .where(eq(notifications.trailId, caseId))
    .orderBy(asc(notifications.id), asc(notificationDeliveries.channel));
}

const PLATFORM_URL = 'https://mtyx.example.org/';

function delivery(now: () => number, channels = createNotificationChannels({ smtpUrl: smtp.url, smtpFrom: '名特优新平台 <noreply@example.org>', smsGatewayUrl: sms.url, platformUrl: PLATFORM_URL })) {
  return createNotificationActivities({ db: database.db, channels, now });
}

describe('the notification outbox', () => {
  it('writes each notification and delivery once however often the activity is retried, and delivers them once', async () => {
    await saveContact(database.db, { role: 'district', id: NANKAI }, { email: 'nankai-office@example.org' }, office, MONDAY_MORNING);
    const { caseId, opened, uscc } = await household({ email: `shop-${serial + 1}@example.org`, mobile: '13800138000' });
    const cases = createCaseActivities({ db: database.db });
    const submitted = { view: toCaseView(opened.state), events: [opened.event] };
    await cases.saveCase(submitted);
    await cases.saveCase(submitted);
    const dueSet = applyDeadline(opened.state, reviewDeadline, new Date(MONDAY_MORNING + 1000).toISOString());
    // A replayed workflow sends the batch again, the earlier event with it.
    await cases.saveCase({ view: toCaseView(dueSet.state), events: [opened.event, dueSet.event] });
    await cases.saveCase({ view: toCaseView(dueSet.state), events: [dueSet.event] });

    expect(await outbox(caseId)).toEqual([
      expect.objectContaining({ recipientRole: 'household', kind: 'application_received', channel: 'email', status: 'pending' }),
      expect.objectContaining({ recipientRole: 'household', kind: 'application_received', channel: 'sms', status: 'pending' }),
      expect.objectContaining({ recipientRole: 'district', kind: 'review_due', channel: 'email', status: 'pending' }),
    ]);

    const mailsBefore = smtp.received.length;
    const round = await delivery(() => MONDAY_MORNING + 2000).deliverDueNotifications({ limit: 10 });
    expect(round).toMatchObject({ sent: 3, retried: 0, failed: 0, more: false });
    expect(await delivery(() => MONDAY_MORNING + 3000).deliverDueNotifications({ limit: 10 })).toMatchObject({ sent: 0 });
    const mails = smtp.received.slice(mailsBefore);
    expect(mails.map((m) => m.to)).toEqual([[`shop-${serial}@example.org`], ['nankai-office@example.org']]);
    expect(mails[1]).toMatchObject({ subject: '认定申请待审核' });
    expect(mails[1]!.text).toContain(`通知测试户${serial}（案件编号 ${caseId}）：认定申请待审核。截止日期：2027年1月5日（北京时间当日24时前，剩余`);
    expect(mails[1]!.text).toContain('请完成审核（通过审核、不予通过或要求补充材料）。');
    // Each email ends with the address of the page where its recipient takes the step.
    expect(mails[1]!.text).toMatch(new RegExp(`\n\n在培育平台办理：https://mtyx\.example\.org/district/cases/${caseId}\n?$`));
    expect(mails[0]!.text).toMatch(new RegExp(`在培育平台办理：https://mtyx\.example\.org/household/cases/${caseId}\n?$`));
    expect(sms.accepted.filter((m) => m.content.includes(caseId))).toEqual([
      { messageId: expect.stringMatching(/^notification-\d+-sms$/), mobile: '13800138000', content: expect.stringContaining('【名特优新】认定申请已受理') },
    ]);

    // The inbox holds them whether or not any channel does.
    const inbox = await app.inject({ method: 'GET', url: '/notifications', headers: bearer({ id: uscc, role: 'household', uscc }) });
    expect(inbox.json()).toMatchObject({ unreadCount: 1, items: [{ caseId, kind: 'application_received', deliveries: [{ channel: 'email', status: 'sent' }, { channel: 'sms', status: 'sent' }] }] });
  });

  it('keeps what a channel that is down could not send, and sends it once when it is back', async () => {
    const downPort = await freePort();
    const { caseId, opened } = await household({ email: `down-${serial + 1}@example.org`, mobile: '13900139000' });
    await createCaseActivities({ db: database.db }).saveCase({ view: toCaseView(opened.state), events: [opened.event] });
    let clock = MONDAY_MORNING;
    sms.answer = () => 503;
    const channels = createNotificationChannels({ smtpUrl: `smtp://127.0.0.1:${downPort}`, smtpFrom: 'noreply@example.org', smsGatewayUrl: sms.url });
    const loop = delivery(() => clock, channels);

    expect(await loop.deliverDueNotifications({ limit: 10 })).toMatchObject({ sent: 0, retried: 2 });
    expect(await outbox(caseId)).toEqual([
      expect.objectContaining({ channel: 'email', status: 'pending', attempts: 1, nextAttemptAt: new Date(clock + 30_000), lastError: expect.stringContaining('ECONNREFUSED') }),
      expect.objectContaining({ channel: 'sms', status: 'pending', attempts: 1, nextAttemptAt: new Date(clock + 30_000), lastError: expect.stringContaining('503') }),
    ]);
    clock += 10_000;
    expect(await loop.deliverDueNotifications({ limit: 10 })).toMatchObject({ sent: 0, retried: 0 });
    clock += 25_000;
    expect(await loop.deliverDueNotifications({ limit: 10 })).toMatchObject({ retried: 2 });

    const revived = await startSmtpSink({ port: downPort });
    sms.answer = () => 200;
    try {
      clock += 60_000;
      expect(await loop.deliverDueNotifications({ limit: 10 })).toMatchObject({ sent: 2, retried: 0 });
      clock += 3_600_000;
      expect(await loop.deliverDueNotifications({ limit: 10 })).toMatchObject({ sent: 0 });
      expect(revived.received.map((m) => m.to)).toEqual([[`down-${serial}@example.org`]]);
      expect(sms.accepted.filter((m) => m.mobile === '13900139000')).toHaveLength(1);
      expect(await outbox(caseId)).toEqual([expect.objectContaining({ channel: 'email', status: 'sent', attempts: 3 }), expect.objectContaining({ channel: 'sms', status: 'sent', attempts: 3 })]);
    } finally {
      await revived.close();
    }
  });

  it('records an address the channel refuses for good, tries it no more, and shows it to the district office', async () => {
    const { caseId, opened, uscc } = await household({ email: 'nobody@example.org', mobile: '13700137000' });
    sms.answer = (body) => (body.mobile === '13700137000' ? 400 : 200);
    await createCaseActivities({ db: database.db }).saveCase({ view: toCaseView(opened.state), events: [opened.event] });
    const loop = delivery(() => MONDAY_MORNING);
    expect(await loop.deliverDueNotifications({ limit: 10 })).toMatchObject({ failed: 2, sent: 0 });
    expect(await loop.deliverDueNotifications({ limit: 10 })).toMatchObject({ failed: 0, sent: 0, retried: 0 });
    expect(await outbox(caseId)).toEqual([
      expect.objectContaining({ channel: 'email', status: 'failed', attempts: 1, lastError: expect.stringContaining('550') }),
      expect.objectContaining({ channel: 'sms', status: 'failed', attempts: 1, lastError: expect.stringContaining('400') }),
    ]);
    sms.answer = () => 200;

    const asOffice = await app.inject({ method: 'GET', url: '/notifications/delivery-failures', headers: bearer(office) });
    expect(asOffice.statusCode).toBe(200);
    expect(asOffice.json().items.filter((i: { caseId: string }) => i.caseId === caseId)).toEqual([
      expect.objectContaining({ recipientRole: 'household', recipientId: uscc, channel: expect.any(String), address: expect.any(String), lastError: expect.any(String) }),
      expect.objectContaining({ recipientRole: 'household', recipientId: uscc }),
    ]);
    const otherOffice = await app.inject({ method: 'GET', url: '/notifications/delivery-failures', headers: bearer({ id: 'reviewer-120101', role: 'district', districtCode: '120101' }) });
    expect(otherOffice.json().items.filter((i: { caseId: string }) => i.caseId === caseId)).toEqual([]);
    const asHousehold = await app.inject({ method: 'GET', url: '/notifications/delivery-failures', headers: bearer({ id: uscc, role: 'household', uscc }) });
    expect(asHousehold.statusCode).toBe(403);
  });

  it('holds an SMS due in the quiet hours until 08:00 CST, while the email goes at once', async () => {
    const { caseId, opened } = await household({ email: `night-${serial + 1}@example.org`, mobile: '13600136000' });
    await createCaseActivities({ db: database.db }).saveCase({ view: toCaseView(opened.state), events: [opened.event] });
    let clock = Date.parse('2026-12-07T22:30:00+08:00');
    const loop = delivery(() => clock);
    expect(await loop.deliverDueNotifications({ limit: 10 })).toMatchObject({ sent: 1, held: 1 });
    expect(await outbox(caseId)).toEqual([
      expect.objectContaining({ channel: 'email', status: 'sent' }),
      expect.objectContaining({ channel: 'sms', status: 'pending', attempts: 0, nextAttemptAt: new Date('2026-12-08T08:00:00+08:00') }),
    ]);
    clock = Date.parse('2026-12-08T07:59:00+08:00');
    expect(await loop.deliverDueNotifications({ limit: 10 })).toMatchObject({ sent: 0, held: 0 });
    clock = Date.parse('2026-12-08T08:00:00+08:00');
    expect(await loop.deliverDueNotifications({ limit: 10 })).toMatchObject({ sent: 1 });
    expect(sms.accepted.filter((m) => m.mobile === '13600136000')).toHaveLength(1);
  });
});
