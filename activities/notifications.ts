/**
 * The notification outbox (issue 12): notifications are written in the transaction that writes
 * the audit events causing them, keyed by (trail, seq, recipient), and each email or SMS to send
 * becomes a delivery row that the delivery activity works off with retries and backoff.
 */
import { and, asc, eq, lte, sql } from 'drizzle-orm';
import { heartbeat } from '@temporalio/activity';
import { notificationContacts, notificationDeliveries, notifications } from '../db/notification-schema.js';
import { departments } from '../db/recognition-schema.js';
import type { Db, DbTransaction } from '../db/client.js';
import {
  deliveryRetryAt,
  notificationsFor,
  smsHeldUntil,
  DEFAULT_SMS_QUIET_HOURS,
  type CaseNotificationFacts,
  type NotifiableEvent,
  type QuietHours,
} from '../policy/notifications.js';
import { isRecognitionView, type LiveCaseView } from '../policy/recognition-term.js';
import type { ObjectionState } from '../policy/tier-objection.js';
import { loadWorkingDayCalendar } from './calendar.js';
import { DeliveryRefused, type NotificationChannels, type OutgoingMessage } from './notification-channels.js';
import { trailPagePath } from '../policy/platform-paths.js';

/** Writes the notifications a batch of audit events causes, and their deliveries to the recipients' contacts; a retry or replay writes nothing twice. */
export async function enqueueNotifications(
  tx: DbTransaction,
  trailId: string,
  events: readonly NotifiableEvent[],
  facts: CaseNotificationFacts,
): Promise<void> {
  if (events.length === 0) return;
  const calendar = await loadWorkingDayCalendar(tx);
  const [recommender] = facts.recommendingDepartment
    ? await tx.select({ name: departments.name }).from(departments).where(eq(departments.id, facts.recommendingDepartment))
    : [];
  const named = { ...facts, recommendingDepartmentName: recommender?.name ?? null };
  const rows = events.flatMap((event) =>
    notificationsFor(event, named, calendar).map((draft) => ({
      trailId,
      eventSeq: event.seq,
      recipientRole: draft.recipient.role,
      recipientId: draft.recipient.id,
      kind: draft.kind,
      step: draft.step,
      dueOn: draft.dueOn,
      workingDaysLeft: draft.workingDaysLeft,
      title: draft.title,
      body: draft.body,
      createdAt: new Date(event.at),
    })),
  );
  if (rows.length === 0) return;
  const written = await tx
    .insert(notifications)
    .values(rows)
    .onConflictDoNothing()
    .returning({ id: notifications.id, recipientRole: notifications.recipientRole, recipientId: notifications.recipientId });
  if (written.length === 0) return;
  const contacts = await tx
    .select()
    .from(notificationContacts)
    .where(
      sql`(${notificationContacts.recipientRole}, ${notificationContacts.recipientId}) in (${sql.join(
        written.map((w) => sql`(${w.recipientRole}, ${w.recipientId})`),
        sql`, `,
      )})`,
    );
  const contactOf = new Map(contacts.map((c) => [`${c.recipientRole}:${c.recipientId}`, c]));
  const deliveries = written.flatMap((w) => {
    const contact = contactOf.get(`${w.recipientRole}:${w.recipientId}`);
    if (!contact) return [];
    const channels: Array<{ channel: 'email' | 'sms'; address: string }> = [];
    if (contact.email) channels.push({ channel: 'email', address: contact.email });
    if (contact.mobile) channels.push({ channel: 'sms', address: contact.mobile });
    return channels.map((c) => ({ notificationId: w.id, ...c, nextAttemptAt: sql`now()` as unknown as Date }));
  });
  if (deliveries.length > 0) await tx.insert(notificationDeliveries).values(deliveries).onConflictDoNothing();
}

/** A case's facts the templates and recipients need, from its view, whichever phase it is in. */
export function caseNotificationFacts(view: LiveCaseView): CaseNotificationFacts {
  const common = { trail: 'case' as const, caseId: view.caseId, uscc: view.uscc, householdName: view.householdName, districtCode: view.districtCode };
  if (isRecognitionView(view)) {
    return {
      ...common,
      reviewingOffice: 'district',
      recommendingDepartment: view.recommendingDepartment,
      pendingDepartments: [],
      informationReason: null,
      supplementReason: view.spotCheck?.supplementRequest?.reason ?? null,
      bannedUntil: view.revocation?.bannedUntil ?? null,
    };
  }
  const answered = new Set(view.opinions.map((o) => o.department));
  return {
    ...common,
    reviewingOffice: view.recommendation?.level === 'city' ? 'city' : 'district',
    recommendingDepartment: view.recommendation?.department ?? null,
    pendingDepartments: view.consultedDepartments.filter((d) => !answered.has(d)),
    informationReason: view.informationRequest?.reason ?? null,
    supplementReason: null,
    bannedUntil: null,
  };
}

export function objectionNotificationFacts(view: ObjectionState): CaseNotificationFacts {
  return {
    trail: 'tier_objection',
    caseId: view.objectionId,
    uscc: view.uscc,
    householdName: null,
    districtCode: null,
    reviewingOffice: 'city',
    recommendingDepartment: null,
    pendingDepartments: [],
    informationReason: null,
    supplementReason: null,
    bannedUntil: null,
  };
}

export interface DeliveryRound {
  sent: number;
  retried: number;
  failed: number;
  held: number;
  /** True when the round stopped at its limit with more due now. */
  more: boolean;
}

export interface NotificationActivities {
  /**
   * Sends the email and SMS deliveries due now, one at a time under a row lock, so two workers
   * never send one twice: sent rows are marked sent, a channel that is down moves the row's next
   * attempt on with backoff, an address the channel refuses is marked failed for the office to see.
   */
  deliverDueNotifications(input: { limit: number }): Promise<DeliveryRound>;
}

export interface NotificationDeliveryDeps {
  db: Db;
  channels: NotificationChannels;
  smsQuietHours?: QuietHours;
  now?: () => number;
}

export function createNotificationActivities(deps: NotificationDeliveryDeps): NotificationActivities {
  const { db, channels } = deps;
  const quiet = deps.smsQuietHours ?? DEFAULT_SMS_QUIET_HOURS;
  const now = deps.now ?? Date.now;
  return {
    async deliverDueNotifications({ limit }) {
      const round: DeliveryRound = { sent: 0, retried: 0, failed: 0, held: 0, more: false };
      for (let i = 0; i < limit; i++) {
        const handled = await db.transaction(async (tx) => {
          const [due] = await tx
            .select({ delivery: notificationDeliveries, notification: notifications })
            .from(notificationDeliveries)
            .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
            .where(and(eq(notificationDeliveries.status, 'pending'), lte(notificationDeliveries.nextAttemptAt, new Date(now()))))
            .orderBy(asc(notificationDeliveries.nextAttemptAt), asc(notificationDeliveries.id))
            .limit(1)
            .for('update', { of: notificationDeliveries, skipLocked: true });
          if (!due) return false;
          const { delivery, notification } = due;
          const at = now();
          if (delivery.channel === 'sms') {
            const heldUntil = smsHeldUntil(at, quiet);
            if (heldUntil !== null) {
              await tx.update(notificationDeliveries).set({ nextAttemptAt: new Date(heldUntil) }).where(eq(notificationDeliveries.id, delivery.id));
              round.held++;
              return true;
            }
          }
          const channel = delivery.channel === 'email' ? channels.email : channels.sms;
          const message: OutgoingMessage = {
            deliveryKey: `notification-${notification.id}-${delivery.channel}`,
            to: delivery.address,
            subject: notification.title,
            text: notification.body,
            pagePath: trailPagePath(notification.recipientRole, notification.trailId),
          };
          const attempts = delivery.attempts + 1;
          try {
            if (!channel) throw new Error(`${delivery.channel} channel not configured`);
            await channel.send(message);
            await tx.update(notificationDeliveries).set({ status: 'sent', attempts, sentAt: new Date(now()), lastError: null }).where(eq(notificationDeliveries.id, delivery.id));
            round.sent++;
          } catch (err) {
            const reason = err instanceof Error ? err.message : String(err);
            if (err instanceof DeliveryRefused) {
              await tx
                .update(notificationDeliveries)
                .set({ status: 'failed', attempts, failedAt: new Date(now()), lastError: reason.slice(0, 500) })
                .where(eq(notificationDeliveries.id, delivery.id));
              round.failed++;
            } else {
              await tx
                .update(notificationDeliveries)
                .set({ attempts, nextAttemptAt: new Date(deliveryRetryAt(now(), attempts)), lastError: reason.slice(0, 500) })
                .where(eq(notificationDeliveries.id, delivery.id));
              round.retried++;
            }
          }
          return true;
        });
        if (!handled) return round;
        heartbeatIfInActivity();
      }
      round.more = true;
      return round;
    },
  };
}

/** The delivery loop also runs outside an activity (tests, scripts); heartbeats are for Temporal only. */
function heartbeatIfInActivity(): void {
  try {
    heartbeat();
  } catch {
    // Not inside an activity context.
  }
}
