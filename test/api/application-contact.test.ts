// The contact a household gives on its application, through the API and a real case workflow.
import { describe, expect, it } from 'vitest';
import { YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { caseApiStack } from '../support/api-stack.js';
import { registerHousehold } from '../support/stack.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'application-contact-test-secret-of-at-least-32-bytes';
let now: number;

const { env, database, app } = await caseApiStack({ authSecret: SECRET, eligibilitySettings: YEAR_ROUND_ELIGIBILITY_SETTINGS, now: () => now });
now = await env.currentTimeMs();

const bearer = bearerFor(SECRET, () => now);
const application = (uscc: string, contact: Record<string, string>) => ({ uscc, category: 'quality', claimedCriteria: ['Q2'], evidenceRefs: ['certificate'], contact });

describe('a contact given on the application', () => {
  it('reaches the case’s first notification, which also waits in the inbox', async () => {
    const { uscc, actor } = await registerHousehold(database, '120105');
    const applied = await app.inject({ method: 'POST', url: '/applications', headers: bearer(actor), payload: application(uscc, { email: 'shop@example.org', mobile: '13800138000' }) });
    expect(applied.statusCode).toBe(201);
    expect((await app.inject({ method: 'GET', url: '/notifications/contact', headers: bearer(actor) })).json()).toMatchObject({ email: 'shop@example.org', mobile: '13800138000' });

    let inbox: { items: Array<{ kind: string; deliveries: Array<{ channel: string; status: string }> }>; unreadCount: number } = { items: [], unreadCount: 0 };
    for (let tries = 0; inbox.items.length === 0 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      inbox = (await app.inject({ method: 'GET', url: '/notifications', headers: bearer(actor) })).json();
    }
    expect(inbox).toMatchObject({
      unreadCount: 1,
      items: [{ kind: 'application_received', title: '认定申请已受理', deliveries: [{ channel: 'email', status: 'pending' }, { channel: 'sms', status: 'pending' }] }],
    });
  });

  it('is left as it was when the application is refused', async () => {
    const { uscc, actor } = await registerHousehold(database, '120105');
    await app.inject({ method: 'PUT', url: '/notifications/contact', headers: bearer(actor), payload: { email: 'before@example.org' } });
    expect((await app.inject({ method: 'POST', url: '/applications', headers: bearer(actor), payload: application(uscc, { email: 'first@example.org' }) })).statusCode).toBe(201);
    const again = await app.inject({ method: 'POST', url: '/applications', headers: bearer(actor), payload: application(uscc, { email: 'second@example.org' }) });
    expect(again.statusCode).toBe(409);
    expect((await app.inject({ method: 'GET', url: '/notifications/contact', headers: bearer(actor) })).json()).toMatchObject({ email: 'first@example.org', mobile: null });
  });
});
