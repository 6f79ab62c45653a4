import { and, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notificationContacts, notificationDeliveries, notifications } from '../../db/notification-schema.js';
import { households } from '../../db/schema.js';
import type { Actor } from '../../policy/actors.js';
import { CITY_OFFICE, RECIPIENT_ROLES, type Recipient } from '../../policy/notifications.js';
import { actorOf } from '../auth.js';
import { HttpError, errorResponses } from '../errors.js';
import { nullable, serialIdSchema } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import type { RouteDeps } from '../deps.js';

const errors = errorResponses([400, 401, 403, 404]);
/** Every actor with an inbox: the roles notifications are addressed to. */
const READERS = RECIPIENT_ROLES;

/** A mainland mobile number (11 digits, 1[3-9]…), as the SMS gateway takes it. */
export const MOBILE_PATTERN = '^1[3-9][0-9]{9}$';
/** An address as mail servers take it: printable ASCII of the usual set, a dotted domain. */
export const EMAIL_PATTERN = '^[A-Za-z0-9\\._%+-]{1,64}@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$';

export const contactSchema = Type.Object(
  {
    mobile: Type.Optional(nullable(Type.String({ pattern: MOBILE_PATTERN, maxLength: 11, description: '手机号码：11位中国大陆手机号' }))),
    email: Type.Optional(nullable(Type.String({ pattern: EMAIL_PATTERN, maxLength: 254, description: '电子邮箱' }))),
  },
  { additionalProperties: false, description: 'Where notifications go beyond the in-app inbox: a mobile number for SMS and/or an email; neither → inbox only.' },
);

/** What became of a notification on a channel (email or SMS); the delivery loop writes no other. */
type DeliveryStatus = 'pending' | 'sent' | 'failed';

const deliverySchema = {
  type: 'object',
  required: ['channel', 'status', 'attempts', 'lastError'],
  properties: {
    channel: { type: 'string', enum: ['email', 'sms'] },
    status: { type: 'string', enum: ['pending', 'sent', 'failed'], description: 'failed: the address was refused for good (shown to the office)' },
    attempts: { type: 'integer' },
    lastError: { type: ['string', 'null'] },
  },
} as const;

const notificationSchema = {
  type: 'object',
  required: ['id', 'caseId', 'kind', 'step', 'title', 'body', 'dueOn', 'workingDaysLeft', 'createdAt', 'readAt', 'deliveries'],
  properties: {
    id: { type: 'integer' },
    caseId: { type: 'string', description: 'the audit trail the notification comes from: a case or a tier objection' },
    kind: { type: 'string' },
    step: { type: 'string' },
    title: { type: 'string' },
    body: { type: 'string' },
    dueOn: { type: ['string', 'null'], description: 'due date of the step, CST' },
    workingDaysLeft: { type: ['integer', 'null'], description: 'working days from the notification to the due date' },
    createdAt: { type: 'string', format: 'date-time' },
    readAt: { type: ['string', 'null'], format: 'date-time' },
    deliveries: { type: 'array', items: deliverySchema },
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: serialIdSchema } } as const;

/** Whose inbox the caller reads: a household its USCC's, an office its own, a department its name's. */
export function recipientOf(actor: Actor): Recipient {
  switch (actor.role) {
    case 'household':
      return { role: 'household', id: actor.uscc! };
    case 'district':
      return { role: 'district', id: actor.districtCode! };
    case 'department':
      return { role: 'department', id: actor.department! };
    case 'city':
      return CITY_OFFICE;
    default:
      throw new HttpError(403, '该角色没有通知收件箱', { field: 'role' });
  }
}

export function notificationRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  const { db } = deps.database;
  const mine = (r: Recipient) => and(eq(notifications.recipientRole, r.role), eq(notifications.recipientId, r.id));
  const unreadCount = async (r: Recipient) => {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(notifications).where(and(mine(r), isNull(notifications.readAt)));
    return row?.n ?? 0;
  };
  const withDeliveries = async (rows: Array<typeof notifications.$inferSelect>) => {
    const ids = rows.map((r) => r.id);
    const deliveries = ids.length ? await db.select().from(notificationDeliveries).where(inArray(notificationDeliveries.notificationId, ids)) : [];
    return rows.map((r) => ({
      id: r.id,
      caseId: r.trailId,
      kind: r.kind,
      step: r.step,
      title: r.title,
      body: r.body,
      dueOn: r.dueOn,
      workingDaysLeft: r.workingDaysLeft,
      createdAt: r.createdAt.toISOString(),
      readAt: r.readAt?.toISOString() ?? null,
      deliveries: deliveries
        .filter((d) => d.notificationId === r.id)
        .map((d) => ({ channel: d.channel as 'email' | 'sms', status: d.status as DeliveryStatus, attempts: d.attempts, lastError: d.lastError })),
    }));
  };

  return async (app) => {
    tagRoutes(app, 'notifications');
    app.get(
      '/notifications',
      {
        config: { roles: READERS },
        schema: {
          summary: "The caller's inbox: newest first, with the unread count",
          description: 'Each actor sees only the notifications addressed to it. Page with `beforeId` (the `nextBeforeId` of the previous page).',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              unreadOnly: { type: 'boolean', default: false },
              limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
              beforeId: serialIdSchema,
            },
          },
          response: {
            200: {
              type: 'object',
              required: ['items', 'unreadCount', 'nextBeforeId'],
              properties: { items: { type: 'array', items: notificationSchema }, unreadCount: { type: 'integer' }, nextBeforeId: { type: ['integer', 'null'] } },
            },
            ...errors,
          },
        },
      },
      async (request) => {
        const recipient = recipientOf(actorOf(request));
        const { unreadOnly = false, limit = 20, beforeId } = request.query;
        const rows = await db
          .select()
          .from(notifications)
          .where(and(mine(recipient), unreadOnly ? isNull(notifications.readAt) : undefined, beforeId ? lt(notifications.id, beforeId) : undefined))
          .orderBy(desc(notifications.id))
          .limit(limit + 1);
        const page = rows.slice(0, limit);
        return {
          items: await withDeliveries(page),
          unreadCount: await unreadCount(recipient),
          nextBeforeId: rows.length > limit ? page[page.length - 1]!.id : null,
        };
      },
    );

    app.get(
      '/notifications/unread-count',
      {
        config: { roles: READERS },
        schema: {
          summary: "How many of the caller's notifications are unread",
          response: { 200: { type: 'object', required: ['unreadCount'], properties: { unreadCount: { type: 'integer' } } }, ...errors },
        },
      },
      async (request) => ({ unreadCount: await unreadCount(recipientOf(actorOf(request))) }),
    );

    app.post(
      '/notifications/:id/read',
      {
        config: { roles: READERS },
        schema: {
          summary: 'Marks one of the caller’s notifications read (again: nothing changes)',
          params: idParams,
          response: { 200: notificationSchema, ...errors },
        },
      },
      async (request) => {
        const recipient = recipientOf(actorOf(request));
        const where = and(eq(notifications.id, request.params.id), mine(recipient));
        await db.update(notifications).set({ readAt: new Date(deps.now()) }).where(and(where, isNull(notifications.readAt)));
        const [row] = await db.select().from(notifications).where(where);
        // Another actor's notification answers as an unknown one: its existence is not the caller's to know.
        if (!row) throw new HttpError(404, `没有编号为 ${request.params.id} 的通知`, { field: 'id' });
        return (await withDeliveries([row]))[0];
      },
    );

    app.post(
      '/notifications/read-all',
      {
        config: { roles: READERS },
        schema: {
          summary: "Marks all the caller's notifications read",
          response: { 200: { type: 'object', required: ['marked'], properties: { marked: { type: 'integer' } } }, ...errors },
        },
      },
      async (request) => {
        const recipient = recipientOf(actorOf(request));
        const marked = await db
          .update(notifications)
          .set({ readAt: new Date(deps.now()) })
          .where(and(mine(recipient), isNull(notifications.readAt)))
          .returning({ id: notifications.id });
        return { marked: marked.length };
      },
    );

    const contactResponse = {
      type: 'object',
      required: ['mobile', 'email', 'updatedAt'],
      properties: { mobile: { type: ['string', 'null'] }, email: { type: ['string', 'null'] }, updatedAt: { type: ['string', 'null'], format: 'date-time' } },
    } as const;

    app.get(
      '/notifications/contact',
      {
        config: { roles: READERS },
        schema: { summary: "The caller's contact details for email and SMS", response: { 200: contactResponse, ...errors } },
      },
      async (request) => {
        const recipient = recipientOf(actorOf(request));
        const [row] = await db.select().from(notificationContacts).where(contactOf(recipient));
        return { mobile: row?.mobile ?? null, email: row?.email ?? null, updatedAt: row?.updatedAt.toISOString() ?? null };
      },
    );

    app.put(
      '/notifications/contact',
      {
        config: { roles: READERS },
        schema: {
          summary: "Sets the caller's contact details: a household its own, an office or department its setting",
          description: 'Both fields replace what was there; null or absent removes one. Notifications written from now on go to these addresses too; earlier ones keep theirs.',
          body: contactSchema,
          response: { 200: contactResponse, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const saved = await saveContact(db, recipientOf(actor), request.body, actor, deps.now());
        return { mobile: saved.mobile, email: saved.email, updatedAt: saved.updatedAt.toISOString() };
      },
    );

    app.get(
      '/notifications/delivery-failures',
      {
        config: { roles: ['district', 'city'] },
        schema: {
          summary: 'Addresses the email or SMS channel refused for good, for the office to correct',
          description: "A district office sees its district's households and itself; the city office sees every failure. Newest first.",
          querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } } },
          response: {
            200: {
              type: 'object',
              required: ['items'],
              properties: {
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['notificationId', 'caseId', 'recipientRole', 'recipientId', 'channel', 'address', 'attempts', 'lastError', 'failedAt', 'title'],
                    properties: {
                      notificationId: { type: 'integer' },
                      caseId: { type: 'string' },
                      recipientRole: { type: 'string' },
                      recipientId: { type: 'string' },
                      channel: { type: 'string' },
                      address: { type: 'string' },
                      attempts: { type: 'integer' },
                      lastError: { type: ['string', 'null'] },
                      failedAt: { type: ['string', 'null'], format: 'date-time' },
                      title: { type: 'string' },
                    },
                  },
                },
              },
            },
            ...errors,
          },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const scope =
          actor.role === 'district'
            ? or(
                and(eq(notifications.recipientRole, 'district'), eq(notifications.recipientId, actor.districtCode!)),
                and(eq(notifications.recipientRole, 'household'), eq(households.districtCode, actor.districtCode!)),
              )
            : undefined;
        const rows = await db
          .select({ delivery: notificationDeliveries, notification: notifications })
          .from(notificationDeliveries)
          .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
          .leftJoin(households, and(eq(notifications.recipientRole, 'household'), eq(households.uscc, notifications.recipientId)))
          .where(and(eq(notificationDeliveries.status, 'failed'), scope))
          .orderBy(desc(notificationDeliveries.failedAt))
          .limit(request.query.limit ?? 50);
        return {
          items: rows.map(({ delivery, notification }) => ({
            notificationId: notification.id,
            caseId: notification.trailId,
            recipientRole: notification.recipientRole,
            recipientId: notification.recipientId,
            channel: delivery.channel,
            address: delivery.address,
            attempts: delivery.attempts,
            lastError: delivery.lastError,
            failedAt: delivery.failedAt?.toISOString() ?? null,
            title: notification.title,
          })),
        };
      },
    );
  };
}

type ContactDb = RouteDeps['database']['db'];

/** The row of `recipient`'s contact details. */
export function contactOf(recipient: Recipient) {
  return and(eq(notificationContacts.recipientRole, recipient.role), eq(notificationContacts.recipientId, recipient.id));
}

/** Replaces a recipient's contact details (both fields); answers the row as saved. */
export async function saveContact(
  db: ContactDb,
  recipient: Recipient,
  contact: { mobile?: string | null; email?: string | null },
  by: Actor,
  nowMs: number,
): Promise<typeof notificationContacts.$inferSelect> {
  const row = {
    recipientRole: recipient.role,
    recipientId: recipient.id,
    mobile: contact.mobile ?? null,
    email: contact.email ?? null,
    updatedBy: by.id,
    updatedAt: new Date(nowMs),
  };
  const [saved] = await db
    .insert(notificationContacts)
    .values(row)
    .onConflictDoUpdate({ target: [notificationContacts.recipientRole, notificationContacts.recipientId], set: { mobile: row.mobile, email: row.email, updatedBy: row.updatedBy, updatedAt: row.updatedAt } })
    .returning();
  return saved!;
}
