// A case's whole life, from its application to its cancellation for a missed annual report, on the time-skipping
// server, with the notification outbox delivered by the delivery loop workflow to a real SMTP
// server and a real HTTP SMS gateway: every notification reaches each recipient once per
// channel, although every save's first attempt is lost after its commit (the worker "dies"
// before reporting it), the worker is replaced half-way (the case is replayed from history), and
// the delivery loop's first round is lost the same way.
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { createNotificationChannels } from '../../activities/notification-channels.js';
import { saveContact } from '../../api/routes/notifications.js';
import { notificationDeliveries, notifications } from '../../db/notification-schema.js';
import type { Actor } from '../../policy/actors.js';
import { opinionUpdate, reviewUpdate, type CaseView } from '../../workflows/recognition-case/contract.js';
import { NOTIFICATION_DELIVERY_WORKFLOW_TYPE } from '../../workflows/notification-delivery/contract.js';
import { setQuota, sleepUntilRecognised, sleepUntilView, startApplication } from '../support/recognition.js';
import { districtOffice, timeSkippingStack } from '../support/stack.js';
import { isolatedDatabase, startSmsGateway, startSmtpSink, type SmsGateway, type SmtpSink } from '../support/notifications.js';

const DAY = 86_400_000;
const NANKAI = '120104';
const YEAR = 2095;
const reviewer = districtOffice(NANKAI);
const culture: Actor = { id: 'culture-officer', role: 'department', department: '区文化和旅游局' };
const cityOffice: Actor = { id: 'city-officer', role: 'city' };

const { env, database } = await timeSkippingStack({ ownDatabase: () => isolatedDatabase('notify_lifecycle') });
let smtp: SmtpSink;
let sms: SmsGateway;

beforeAll(async () => {
  smtp = await startSmtpSink();
  sms = await startSmsGateway();
});

afterAll(async () => {
  await smtp?.close();
  await sms?.close();
});

/**
 * A worker whose saves and delivery rounds each lose their first attempt after it committed, as
 * when a worker dies before reporting the activity done: Temporal retries it.
 */
async function crashingWorker(taskQueue: string, lost: Set<string>): Promise<Worker> {
  const activities = createActivities({
    db: database.db,
    notificationChannels: createNotificationChannels({ smtpUrl: smtp.url, smtpFrom: 'noreply@example.org', smsGatewayUrl: sms.url }),
    // The test runs at any hour; quiet hours have their own test.
    smsQuietHours: { fromMinute: 0, toMinute: 0 },
  });
  const loseFirst = <A extends unknown[], R>(name: string, key: (...args: A) => string, run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const result = await run(...args);
      const attempt = `${name}:${key(...args)}`;
      if (!lost.has(attempt)) {
        lost.add(attempt);
        throw new Error(`worker lost after ${attempt} committed`);
      }
      return result;
    };
  const lastSeq = (input: { events: Array<{ seq: number }> }) => String(input.events.at(-1)?.seq ?? 'none');
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    // No cache: every workflow task replays the case from its history, and no task sticks to a worker that is gone.
    maxCachedWorkflows: 0,
    activities: {
      ...activities,
      saveCase: loseFirst('saveCase', lastSeq, activities.saveCase),
      saveRecognition: loseFirst('saveRecognition', lastSeq, activities.saveRecognition),
      deliverDueNotifications: loseFirst('deliver', (_input: { limit: number }) => 'first', activities.deliverDueNotifications),
    },
  });
}

describe('notifications of a case, delivered exactly once', () => {
  it('tells each recipient each step once per channel through lost activity attempts, a replaced worker and a lost delivery round', async () => {
    const taskQueue = `notify-${randomUUID()}`;
    const lost = new Set<string>();
    await setQuota(database, YEAR, NANKAI, 5);
    await saveContact(database.db, { role: 'district', id: NANKAI }, { email: 'nankai@example.org', mobile: '13100131000' }, reviewer, Date.now());
    await saveContact(database.db, { role: 'city', id: 'city' }, { email: 'city@example.org' }, cityOffice, Date.now());
    await saveContact(database.db, { role: 'department', id: culture.department! }, { email: 'culture@example.org' }, culture, Date.now());

    const first = await crashingWorker(taskQueue, lost);
    const started = await startApplication(env, database, { taskQueue, district: NANKAI, year: YEAR, termSettings: { spotCheckRate: 1 } });
    // Given before the worker runs, so before the case's first save (as the application's contact is).
    await saveContact(database.db, { role: 'household', id: started.uscc }, { email: 'shop@example.org', mobile: '13800138000' }, started.household, Date.now());
    const { handle } = started;
    await first.runUntil(async () => {
      await env.sleep(DAY);
      // Forty more calendar days cover the twenty working days: reminded, then escalated.
      await env.sleep(40 * DAY);
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'accept', actor: reviewer }] });
    });

    // The first worker is gone; a new one replays the case from its history and carries on.
    const second = await crashingWorker(taskQueue, lost);
    await second.runUntil(async () => {
      await env.sleep(DAY);
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'verified', actor: reviewer, findings: '走访核实', departments: [culture.department!] }] });
      await handle.executeUpdate(opinionUpdate, { args: [{ actor: culture, opinion: 'support' }] });
      await sleepUntilView(env, handle, (v) => (v as CaseView).status === 'publicity');
      await sleepUntilRecognised(env, handle);
      // No annual report is ever filed: reminded on 1 July, overdue on 1 August, cancelled on 31 August.
      expect(await handle.result()).toMatchObject({ status: 'cancelled' });
    });

    const told = await database.db
      .select({ seq: notifications.eventSeq, role: notifications.recipientRole, kind: notifications.kind })
      .from(notifications)
      .where(eq(notifications.trailId, handle.workflowId))
      .orderBy(asc(notifications.eventSeq), asc(notifications.id));
    const kindsOf = (role: string) => told.filter((n) => n.role === role).map((n) => n.kind);
    expect(kindsOf('household')).toEqual(['application_received', 'review_passed', 'publicity_started', 'recognised', 'spot_check_selected', 'annual_report_due', 'annual_report_overdue', 'recognition_ended']);
    expect(kindsOf('district')).toEqual(['review_due', 'step_reminder', 'step_overdue', 'verification_due', 'annual_report_overdue', 'recognition_ended']);
    expect(kindsOf('city')).toEqual(['step_escalated', 'spot_check_selected']);
    expect(kindsOf('department')).toEqual(['opinion_requested']);
    expect(lost.size).toBeGreaterThan(10);

    // The delivery loop works the outbox off; its first round is lost after its commit too.
    const third = await crashingWorker(taskQueue, lost);
    const loop = await env.client.workflow.start(NOTIFICATION_DELIVERY_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: `notification-delivery-${randomUUID()}`,
      args: [{ pollSeconds: 1, batchSize: 3, roundsPerRun: 4 }],
    });
    const pending = async () =>
      (await database.db.select({ id: notificationDeliveries.id }).from(notificationDeliveries).where(eq(notificationDeliveries.status, 'pending'))).length;
    await third.runUntil(async () => {
      for (let tries = 0; (await pending()) > 0; tries++) {
        if (tries > 120) throw new Error('the outbox was not worked off within a minute');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await loop.terminate('test done');
    });

    const deliveries = await database.db
      .select({ id: notificationDeliveries.notificationId, channel: notificationDeliveries.channel, status: notificationDeliveries.status, address: notificationDeliveries.address })
      .from(notificationDeliveries)
      .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
      .where(eq(notifications.trailId, handle.workflowId));
    // Household and district by email and SMS, city and department by email.
    expect(deliveries.every((d) => d.status === 'sent')).toBe(true);
    const expectedEmails = deliveries.filter((d) => d.channel === 'email').map((d) => `notification-${d.id}-email`).sort();
    const expectedSms = deliveries.filter((d) => d.channel === 'sms').map((d) => `notification-${d.id}-sms`).sort();
    expect(expectedEmails).toHaveLength(told.length);
    expect(expectedSms).toHaveLength(told.filter((n) => n.role === 'household' || n.role === 'district').length);
    expect(smtp.received.map((m) => m.deliveryKey).sort()).toEqual(expectedEmails);
    expect(sms.accepted.map((m) => m.messageId).sort()).toEqual(expectedSms);
    const escalation = smtp.received.find((m) => m.to[0] === 'city@example.org' && m.subject.includes('上报市级'));
    expect(escalation?.text).toMatch(/^测试个体户（案件编号 recognition-.*）：审核已逾期，已上报市市场监管委。截止日期：\d{4}年\d+月\d+日（已逾期）。请督促办理并关注该案件。$/);
  }, 180_000);
});
