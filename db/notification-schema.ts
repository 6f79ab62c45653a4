/**
 * Notifications (issue 12): the inbox every actor reads, the outbox of email and SMS deliveries
 * written in the same transaction as the audit event that causes them, and the contact details
 * they are sent to.
 */
import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * One row per audit event and recipient: the unique key (trail, seq, recipient) makes a retried
 * activity or a replayed workflow write it once. It is the recipient's inbox entry too.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: serial('id').primaryKey(),
    /** The audit trail (case ID, tier objection ID) and the event's seq that caused it. */
    trailId: text('trail_id').notNull(),
    eventSeq: integer('event_seq').notNull(),
    recipientRole: text('recipient_role').notNull(),
    recipientId: text('recipient_id').notNull(),
    kind: text('kind').notNull(),
    step: text('step').notNull(),
    dueOn: text('due_on'),
    workingDaysLeft: integer('working_days_left'),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('notifications_event_recipient_idx').on(t.trailId, t.eventSeq, t.recipientRole, t.recipientId),
    index('notifications_inbox_idx').on(t.recipientRole, t.recipientId, t.id),
    index('notifications_unread_idx').on(t.recipientRole, t.recipientId).where(sql`${t.readAt} is null`),
  ],
);

/**
 * The outbox: one row per notification and channel, with the address it was written for.
 * `pending` until sent; a transient failure (channel down) moves `next_attempt_at` on with
 * backoff; an address the channel refuses for good is `failed`, shown to the office.
 */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: serial('id').primaryKey(),
    notificationId: integer('notification_id')
      .notNull()
      .references(() => notifications.id),
    channel: text('channel').notNull(),
    address: text('address').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('notification_deliveries_channel_idx').on(t.notificationId, t.channel),
    index('notification_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

/**
 * Where an actor is reached beyond its inbox: a household gives a mobile number and/or an email
 * (on its application or later), offices and departments keep theirs as settings.
 */
export const notificationContacts = pgTable(
  'notification_contacts',
  {
    recipientRole: text('recipient_role').notNull(),
    recipientId: text('recipient_id').notNull(),
    email: text('email'),
    mobile: text('mobile'),
    updatedBy: text('updated_by').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.recipientRole, t.recipientId] })],
);
