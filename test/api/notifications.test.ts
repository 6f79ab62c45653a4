import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import { notifications } from '../../db/notification-schema.js';
import type { Actor } from '../../policy/actors.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { usccCheckCharacter } from '../../policy/uscc.js';
import { isolatedDatabase } from '../support/notifications.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'notification-api-test-secret-of-at-least-32-bytes';
const NOW = Date.parse('2026-12-07T10:00:00+08:00');

let database: Database;
let drop: () => Promise<void>;
let app: FastifyInstance;

const shopA: Actor = { id: '92120104MA00000A1X', role: 'household', uscc: '92120104MA00000A1X' };
const shopB: Actor = { id: '92120104MA00000B2X', role: 'household', uscc: '92120104MA00000B2X' };
const nankai: Actor = { id: 'reviewer-120104', role: 'district', districtCode: '120104' };
const heping: Actor = { id: 'reviewer-120101', role: 'district', districtCode: '120101' };
const culture: Actor = { id: 'culture-officer', role: 'department', department: '区文化和旅游局' };

const auth = bearerFor(SECRET, () => NOW);

async function tell(recipient: { role: string; id: string }, seq: number, title: string) {
  const [row] = await database.db
    .insert(notifications)
    .values({ trailId: 'recognition-test-2026', eventSeq: seq, recipientRole: recipient.role, recipientId: recipient.id, kind: 'review_due', step: '审核', title, body: `${title}。`, createdAt: new Date(NOW + seq) })
    .returning({ id: notifications.id });
  return row!.id;
}

beforeAll(async () => {
  ({ database, drop } = await isolatedDatabase('notify_api'));
  app = await buildApp({ database, temporal: new Client(), authSecret: SECRET, caseSettings: DEFAULT_CASE_SETTINGS, now: () => NOW });
  for (let seq = 1; seq <= 3; seq++) await tell({ role: 'household', id: shopA.uscc! }, seq, `甲户通知${seq}`);
  await tell({ role: 'household', id: shopB.uscc! }, 1, '乙户通知');
  await tell({ role: 'district', id: '120104' }, 2, '南开区通知');
  await tell({ role: 'department', id: culture.department! }, 3, '文旅局通知');
});

afterAll(async () => {
  await app?.close();
  await drop?.();
});

describe('the inbox', () => {
  it('shows each actor only its own notifications, newest first, paged, with the unread count', async () => {
    const first = await app.inject({ method: 'GET', url: '/notifications?limit=2', headers: auth(shopA) });
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page).toMatchObject({ unreadCount: 3, items: [{ title: '甲户通知3', readAt: null, deliveries: [] }, { title: '甲户通知2' }] });
    const next = await app.inject({ method: 'GET', url: `/notifications?limit=2&beforeId=${page.nextBeforeId}`, headers: auth(shopA) });
    expect(next.json()).toMatchObject({ items: [{ title: '甲户通知1' }], nextBeforeId: null });

    for (const [actor, titles] of [
      [shopB, ['乙户通知']],
      [nankai, ['南开区通知']],
      [heping, []],
      [culture, ['文旅局通知']],
    ] as const) {
      const inbox = await app.inject({ method: 'GET', url: '/notifications', headers: auth(actor) });
      expect(inbox.json().items.map((i: { title: string }) => i.title)).toEqual(titles);
    }
  });

  it('marks read only the caller’s own: another’s answers as unknown', async () => {
    const mine = (await app.inject({ method: 'GET', url: '/notifications', headers: auth(shopB) })).json().items[0].id as number;
    const notYours = await app.inject({ method: 'POST', url: `/notifications/${mine}/read`, headers: auth(shopA) });
    expect(notYours.statusCode).toBe(404);
    expect(notYours.json()).toMatchObject({ details: { field: 'id' } });
    const read = await app.inject({ method: 'POST', url: `/notifications/${mine}/read`, headers: auth(shopB) });
    expect(read.json()).toMatchObject({ id: mine, readAt: new Date(NOW).toISOString() });
    expect((await app.inject({ method: 'GET', url: '/notifications/unread-count', headers: auth(shopB) })).json()).toEqual({ unreadCount: 0 });
    expect((await app.inject({ method: 'GET', url: '/notifications/unread-count', headers: auth(shopA) })).json()).toEqual({ unreadCount: 3 });
    expect((await app.inject({ method: 'POST', url: '/notifications/read-all', headers: auth(shopA) })).json()).toEqual({ marked: 3 });
    expect((await app.inject({ method: 'GET', url: '/notifications?unreadOnly=true', headers: auth(shopA) })).json()).toMatchObject({ items: [], unreadCount: 0 });
  });

  it('bounds its inputs and keeps the public out', async () => {
    const tooMany = await app.inject({ method: 'GET', url: '/notifications?limit=101', headers: auth(shopA) });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({ details: { field: 'limit' } });
    const unknown = await app.inject({ method: 'GET', url: '/notifications?box=all', headers: auth(shopA) });
    expect(unknown.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/notifications' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/notifications', headers: auth({ id: 'someone', role: 'public' }) })).statusCode).toBe(403);
  });
});

describe('contact details', () => {
  it('are validated: a mainland mobile number, an email', async () => {
    const badMobile = await app.inject({ method: 'PUT', url: '/notifications/contact', headers: auth(shopA), payload: { mobile: '12345' } });
    expect(badMobile.statusCode).toBe(400);
    expect(badMobile.json()).toMatchObject({ details: { field: 'mobile' } });
    const badEmail = await app.inject({ method: 'PUT', url: '/notifications/contact', headers: auth(shopA), payload: { email: 'shop at example.org' } });
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json()).toMatchObject({ details: { field: 'email' } });
    expect((await app.inject({ method: 'GET', url: '/notifications/contact', headers: auth(shopA) })).json()).toEqual({ mobile: null, email: null, updatedAt: null });
  });

  it('are each actor’s own: a household its own, an office its setting', async () => {
    const saved = await app.inject({ method: 'PUT', url: '/notifications/contact', headers: auth(shopA), payload: { mobile: '13800138000', email: 'shop@example.org' } });
    expect(saved.json()).toEqual({ mobile: '13800138000', email: 'shop@example.org', updatedAt: new Date(NOW).toISOString() });
    await app.inject({ method: 'PUT', url: '/notifications/contact', headers: auth(nankai), payload: { email: 'nankai@example.org' } });
    expect((await app.inject({ method: 'GET', url: '/notifications/contact', headers: auth(nankai) })).json()).toMatchObject({ email: 'nankai@example.org', mobile: null });
    expect((await app.inject({ method: 'GET', url: '/notifications/contact', headers: auth(shopB) })).json()).toMatchObject({ email: null, mobile: null });
    // Removing one keeps the inbox: nothing else.
    const cleared = await app.inject({ method: 'PUT', url: '/notifications/contact', headers: auth(shopA), payload: { mobile: null } });
    expect(cleared.json()).toMatchObject({ mobile: null, email: null });
  });

  it('given on an application are checked before anything else is done', async () => {
    const first17 = '92120104MA00000C3';
    const shop: Actor = { id: first17 + usccCheckCharacter(first17), role: 'household', uscc: first17 + usccCheckCharacter(first17) };
    const refused = await app.inject({
      method: 'POST',
      url: '/applications',
      headers: auth(shop),
      payload: { uscc: shop.uscc, category: 'quality', claimedCriteria: ['Q2'], contact: { mobile: '138001380001' } },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ details: { field: expect.stringContaining('mobile') } });
  });
});
