import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { caseEvents } from '../../db/schema.js';
import { householdTiers } from '../../db/tiering-schema.js';
import type { Actor } from '../../policy/actors.js';
import type { Tier } from '../../policy/tiering.js';
import { districtOffice, registerDepartments, registerHousehold } from '../support/stack.js';
import { YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { caseApiStack } from '../support/api-stack.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'recommendation-test-secret-with-at-least-32-bytes';
const DISTRICT = '120106';
const districtDepartment: Actor = { id: 'hongqiao-culture-1', role: 'department', department: `${DISTRICT}-culture-tourism`, districtCode: DISTRICT };
const otherDistrictDepartment: Actor = { id: 'heping-culture-1', role: 'department', department: '120101-culture-tourism', districtCode: '120101' };
let now: number;

const { env, database, app } = await caseApiStack({ authSecret: SECRET, eligibilitySettings: YEAR_ROUND_ELIGIBILITY_SETTINGS, now: () => now });
now = await env.currentTimeMs();
await registerDepartments(
  database,
  { id: `${DISTRICT}-culture-tourism`, name: '红桥区文化和旅游局', level: 'district', districtCode: DISTRICT },
  { id: '120101-culture-tourism', name: '和平区文化和旅游局', level: 'district', districtCode: '120101' },
);

const bearer = bearerFor(SECRET, () => now);

function recommend(actor: Actor, body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/recommendations', headers: bearer(actor), payload: body });
}

function consent(actor: Actor, caseId: string, body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: `/cases/${caseId}/consent`, headers: bearer(actor), payload: body });
}

/** A registered household whose tier in force is `tier`. */
async function householdOfTier(tier: Tier) {
  const household = await registerHousehold(database, DISTRICT);
  await database.db.update(householdTiers).set({ tier }).where(eq(householdTiers.uscc, household.uscc));
  return household;
}

describe('POST /recommendations (C-REC)', () => {
  it('lets a district department recommend a survival household; the household consents and the district office reviews', async () => {
    const household = await householdOfTier('survival');
    const response = await recommend(districtDepartment, { uscc: household.uscc, category: 'renowned', claimedCriteria: ['K2'], reason: '天津老字号' });
    expect(response.statusCode).toBe(201);
    const { caseId } = response.json();
    expect(response.json()).toMatchObject({ uscc: household.uscc, category: 'renowned', status: 'awaiting_consent' });

    const view = await app.inject({ method: 'GET', url: `/cases/${caseId}`, headers: bearer(household.actor) });
    expect(view.json()).toMatchObject({
      route: 'department',
      status: 'awaiting_consent',
      claimedCriteria: ['K5', 'K2'],
      recommendation: { department: `${DISTRICT}-culture-tourism`, level: 'district', reason: '天津老字号' },
    });

    const bySomeoneElse = await consent(districtDepartment, caseId, { consent: true });
    expect(bySomeoneElse.statusCode).toBe(403);
    const consented = await consent(household.actor, caseId, { consent: true, reason: '愿意接受推荐' });
    expect(consented.statusCode).toBe(200);
    expect(consented.json()).toMatchObject({ status: 'under_review', lastDecision: { action: 'consent_given', reason: '愿意接受推荐' } });
    // The consent's reason is kept in the audit record, as a refusal's is.
    await expect
      .poll(async () => (await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId))).find((e) => e.action === 'consent_given')?.reason, { timeout: 5_000 })
      .toBe('愿意接受推荐');
    const again = await consent(household.actor, caseId, { consent: false });
    expect(again.statusCode).toBe(409);

    const rejected = await app.inject({
      method: 'POST',
      url: `/cases/${caseId}/review`,
      headers: bearer(districtOffice(DISTRICT)),
      payload: { decision: 'reject', reason: 'the evidence is out of date' },
    });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json().status).toBe('rejected');
  });

  it('lets the recommending department follow its case (read, trail, search) and keeps other departments out', async () => {
    const household = await householdOfTier('growth');
    const { caseId } = (await recommend(districtDepartment, { uscc: household.uscc, category: 'quality', claimedCriteria: [], reason: '质量标杆' })).json();
    const sameNameOtherDistrict: Actor = { ...districtDepartment, id: 'heping-namesake', districtCode: '120101' };
    const cityDepartment: Actor = { id: 'city-commerce-1', role: 'department', department: 'city-commerce' };

    const read = (actor: Actor, url: string) => app.inject({ method: 'GET', url, headers: bearer(actor) });
    expect((await read(districtDepartment, `/cases/${caseId}`)).json()).toMatchObject({ caseId, status: 'awaiting_consent' });
    // The case answers before its first audit record is saved; under load that takes a moment.
    await expect.poll(async () => (await read(districtDepartment, `/cases/${caseId}/events`)).json().length, { timeout: 10_000 }).toBeGreaterThan(0);
    const trail = await read(districtDepartment, `/cases/${caseId}/events`);
    expect(trail.statusCode).toBe(200);
    expect(trail.json()[0]).toMatchObject({ action: 'recommended', actorId: districtDepartment.id, clauses: expect.arrayContaining(['C-REC', 'C-SRC']) });
    expect(trail.json()[0].details.eligibility.find((result: { clause: string }) => result.clause === 'C-SRC')).toMatchObject({
      passed: true,
      facts: { route: 'department' },
    });
    for (const outsider of [otherDistrictDepartment, sameNameOtherDistrict, cityDepartment]) {
      expect((await read(outsider, `/cases/${caseId}`)).statusCode).toBe(403);
      expect((await read(outsider, `/cases/${caseId}/events`)).statusCode).toBe(403);
    }

    const found = await read(districtDepartment, `/cases?pageSize=100`);
    expect(found.statusCode).toBe(200);
    expect(found.json().map((c: { caseId: string }) => c.caseId)).toContain(caseId);
    expect((await read(cityDepartment, `/cases?pageSize=100`)).json().map((c: { caseId: string }) => c.caseId)).not.toContain(caseId);
    const elsewhere = await read(districtDepartment, `/cases?districtCode=120101`);
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json().details).toMatchObject({ field: 'districtCode' });
  });

  it('refuses a district department recommending a household of another district', async () => {
    const household = await householdOfTier('growth');
    const response = await recommend(otherDistrictDepartment, { uscc: household.uscc, category: 'quality', claimedCriteria: [], reason: '质量标杆' });
    expect(response.statusCode).toBe(403);
    expect(response.json().details).toMatchObject({ field: 'uscc', clause: 'C-REC' });
  });

  it('refuses a household recommending itself', async () => {
    const household = await householdOfTier('growth');
    const response = await recommend(household.actor, { uscc: household.uscc, category: 'quality', claimedCriteria: [], reason: '自荐' });
    expect(response.statusCode).toBe(403);
  });

  it('answers 422 with every clause for an unclassified household', async () => {
    const household = await householdOfTier('unclassified');
    const response = await recommend(districtDepartment, { uscc: household.uscc, category: 'emerging', claimedCriteria: [], reason: '新兴业态' });
    expect(response.statusCode).toBe(422);
    const { details } = response.json();
    expect(details).toMatchObject({ field: 'uscc', clause: 'C-SRC' });
    expect(details.eligibility.find((r: { clause: string }) => r.clause === 'C-SRC')).toMatchObject({
      passed: false,
      facts: { route: 'department', tier: 'unclassified' },
    });
  });

  it('answers 422 for a criterion outside the category', async () => {
    const household = await householdOfTier('growth');
    const response = await recommend(districtDepartment, { uscc: household.uscc, category: 'quality', claimedCriteria: ['K1'], reason: '质量标杆' });
    expect(response.statusCode).toBe(422);
    expect(response.json().details).toMatchObject({ field: 'claimedCriteria', clause: 'C-REC' });
  });

  it('answers 409 on a second recommendation that year; the household may decline the first', async () => {
    const household = await householdOfTier('growth');
    const body = { uscc: household.uscc, category: 'distinctive', claimedCriteria: ['F1'], reason: '非遗传承' };
    const first = await recommend(districtDepartment, body);
    expect(first.statusCode).toBe(201);
    const second = await recommend({ id: 'city-commerce-1', role: 'department', department: 'city-commerce' }, body);
    expect(second.statusCode).toBe(409);
    expect(second.json().details).toMatchObject({ clause: 'C-ONE-TYPE', caseId: first.json().caseId });

    const declined = await consent(household.actor, first.json().caseId, { consent: false, reason: '暂不参加' });
    expect(declined.statusCode).toBe(200);
    expect(declined.json()).toMatchObject({ status: 'declined', lastDecision: { action: 'consent_declined', reason: '暂不参加' } });
  });
});
