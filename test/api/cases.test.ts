import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { issueToken } from '../../api/auth.js';
import { caseEvents, cases } from '../../db/schema.js';
import type { Actor } from '../../policy/actors.js';
import { CRITERION_TEXT } from '../../policy/criteria-text.js';
import { addDays, cstDateOf } from '../../policy/dates.js';
import { addWorkingDays, isWorkingDay } from '../../policy/calendar.js';
import { loadWorkingDayCalendar } from '../../activities/calendar.js';
import { INFORMATION_MAX_WORKING_DAYS } from '../../api/routes/cases.js';
import { usccCheckCharacter } from '../../policy/uscc.js';
import { districtOffice, registerHousehold } from '../support/stack.js';
import { YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { caseApiStack } from '../support/api-stack.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'api-test-secret-with-at-least-32-bytes';
let now: number;

const { env, database, app } = await caseApiStack({ authSecret: SECRET, eligibilitySettings: YEAR_ROUND_ELIGIBILITY_SETTINGS, now: () => now });
now = await env.currentTimeMs();

const bearer = (actor: Actor, secret = SECRET) => bearerFor(secret, () => now)(actor);

function apply(actor: Actor, body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/applications', headers: bearer(actor), payload: body });
}

describe('health and documentation', () => {
  it('reports PostgreSQL and Temporal as up', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', database: 'up', temporal: 'up' });
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/health', '/applications', '/cases/{caseId}', '/cases/{caseId}/review']),
    );
  });
});

describe('authentication', () => {
  it.each([
    ['no token', {}],
    ['a token signed with another secret', bearer({ id: 'x', role: 'city' }, 'other-secret')],
    ['a malformed token', { authorization: 'Bearer not-a-token' }],
  ])('answers 401 for %s', async (_name, headers) => {
    const response = await app.inject({ method: 'POST', url: '/applications', headers, payload: {} });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: 'Unauthorized', details: { field: 'authorization' } });
  });

  it('refuses a token expired beyond the clock tolerance', async () => {
    const expired = issueToken(SECRET, { id: 'x', role: 'city' }, { issuedAt: Math.floor(now / 1000) - 3600, expiresAt: Math.floor(now / 1000) - 31 });
    const response = await app.inject({ method: 'GET', url: '/cases/recognition-92120104MA06B7Q405-2026', headers: { authorization: `Bearer ${expired}` } });
    expect(response.statusCode).toBe(401);
    expect(response.json().message).toMatch(/已过期（exp）/);
  });
});

describe('GET /households/{uscc}/application-form (C-NOFEE)', () => {
  const form = (uscc: string, actor: Actor) => app.inject({ method: 'GET', url: `/households/${uscc}/application-form`, headers: bearer(actor) });

  it('pre-fills the application from the registry and explains every clause, writing nothing', async () => {
    const household = await registerHousehold(database, '120105');
    const response = await form(household.uscc, household.actor);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      uscc: household.uscc,
      route: 'self',
      year: Number(cstDateOf(now).slice(0, 4)),
      caseId: `recognition-${household.uscc}-${cstDateOf(now).slice(0, 4)}`,
      household: { districtCode: '120105', districtName: '河北区', status: 'active' },
      eligible: true,
    });
    expect(body.eligibility.map((r: { clause: string }) => r.clause)).toEqual(
      expect.arrayContaining(['C-CYCLE', 'T-B1', 'C-SRC', 'C-EX1', 'C-EX2', 'C-BAN', 'C-ONE-TYPE', 'C-ONE-PERSON']),
    );
    expect(body.criteria.quality).toEqual(['Q1', 'Q2', 'Q3', 'Q4', 'Q5']);
    expect(Object.keys(body.criterionText)).toEqual(Object.values(body.criteria).flat());
    expect(body.criterionText.Q1).toBe(CRITERION_TEXT.Q1);
    const trail = await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, body.caseId));
    expect(trail).toEqual([]);
  });

  it("says the household cannot apply again once the year's case exists (C-ONE-TYPE), as the application would", async () => {
    const household = await registerHousehold(database, '120105');
    const filed = await apply(household.actor, { uscc: household.uscc, category: 'quality', claimedCriteria: ['Q2'] });
    expect(filed.statusCode, filed.body).toBe(201);
    const { caseId } = filed.json();
    await vi.waitUntil(async () => (await database.db.select().from(cases).where(eq(cases.caseId, caseId))).length === 1, { timeout: 10_000 });

    const body = (await form(household.uscc, household.actor)).json();
    expect(body.eligible).toBe(false);
    expect(body.eligibility.find((r: { clause: string }) => r.clause === 'C-ONE-TYPE')).toMatchObject({
      passed: false,
      facts: { yearCase: { caseId, status: 'under_review' } },
    });
  });

  it('shows a department the recommendation route, and an untiered household as not eligible (C-SRC)', async () => {
    const household = await registerHousehold(database, '120105', { eligible: false });
    const department: Actor = { id: 'hebei-commerce-1', role: 'department', department: '河北区商务局', districtCode: '120105' };
    const response = await form(household.uscc, department);
    expect(response.json()).toMatchObject({ route: 'department', eligible: false, criteria: { quality: ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6'] } });
    expect(response.json().eligibility.find((r: { clause: string }) => r.clause === 'C-SRC')).toMatchObject({ passed: false });
  });

  it.each([
    ['another household', (other: string) => ({ id: 'h', role: 'household', uscc: other }) as Actor, 403],
    ['a district office of another district', () => districtOffice('120101'), 403],
    ['a district office token without its district', () => ({ id: 'reviewer', role: 'district' }) as Actor, 401],
    ['a department of another district', () => ({ id: 'd', role: 'department', department: '和平区商务局', districtCode: '120101' }) as Actor, 403],
    ['its district office', () => districtOffice('120105'), 200],
    ['the city office', () => ({ id: 'c', role: 'city' }) as Actor, 200],
  ])('answers %s with %i', async (_name, actorFor, status) => {
    const household = await registerHousehold(database, '120105');
    const other = await registerHousehold(database, '120105');
    expect((await form(household.uscc, actorFor(other.uscc))).statusCode).toBe(status);
  });

  it('answers 400 for a malformed USCC and 404 for one not in the registry', async () => {
    const city: Actor = { id: 'c', role: 'city' };
    const malformed = await form('92120105MA05L9XX1X', city);
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().details).toMatchObject({ field: 'uscc', rule: 'GB 32100-2015' });
    const first17 = '92120105000000009';
    expect((await form(first17 + usccCheckCharacter(first17), city)).statusCode).toBe(404);
  });
});

describe('POST /applications', () => {
  it('tells a caller who may not apply so (403) before it looks at the input, and says who may in the OpenAPI document', async () => {
    const refused = await apply(districtOffice('120104'), {});
    expect(refused.statusCode).toBe(403);
    expect(refused.json().details).toMatchObject({ field: 'role', allowed: ['household'] });
    expect(refused.json().message).toBe('区市场监管局无权办理此事项（可办理的是：个体工商户）；请以有权办理的账号登录');
    const malformed = await apply({ id: '92120104MA06B7Q405', role: 'household', uscc: '92120104MA06B7Q405' }, {});
    expect(malformed.statusCode).toBe(400);
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(document.paths['/applications'].post.description).toMatch(/May be called by: household\.$/);
  });

  it('names the field and the rule of a malformed USCC (GB 32100-2015)', async () => {
    const { uscc, actor } = await registerHousehold(database);
    const wrongCheck = uscc.slice(0, 17) + (uscc.endsWith('0') ? '1' : '0');
    const response = await apply({ ...actor, uscc: wrongCheck }, { uscc: wrongCheck, category: 'quality', claimedCriteria: ['Q1'] });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', details: { field: 'uscc', rule: 'GB 32100-2015' } });
  });

  it.each([
    ['an application without a category', { claimedCriteria: ['Q1'] }, 'category'],
    ['a category the plan does not name', { category: 'famous', claimedCriteria: ['Q1'] }, 'category'],
    ['a fee, which recognition never charges (C-NOFEE)', { category: 'quality', claimedCriteria: ['Q1'], fee: 100 }, 'fee'],
  ])('answers 400 naming the field for %s', async (_rule, body, field) => {
    const { uscc, actor } = await registerHousehold(database);
    const response = await apply(actor, { uscc, ...body });
    expect(response.statusCode).toBe(400);
    expect(response.json().details.field).toBe(field);
  });

  it.each([
    ["another category's criterion", ['K1'], 'C-SELF'],
    ['a criterion only a recommending department gives', ['Q6'], 'C-REC'],
  ])('answers 422 with the clause for %s', async (_rule, claimedCriteria, clause) => {
    const { uscc, actor } = await registerHousehold(database);
    const response = await apply(actor, { uscc, category: 'quality', claimedCriteria });
    expect(response.statusCode).toBe(422);
    expect(response.json().details).toMatchObject({ field: 'claimedCriteria', clause });
  });

  it('lets a household apply only for itself, and nobody else apply for it', async () => {
    const { uscc } = await registerHousehold(database);
    const other = await registerHousehold(database);
    const forOther = await apply(other.actor, { uscc, category: 'quality', claimedCriteria: ['Q1'] });
    expect(forOther.statusCode).toBe(403);
    expect(forOther.json().details.clause).toBe('C-SELF');
    const byDistrict = await apply(districtOffice('120104'), { uscc, category: 'quality', claimedCriteria: ['Q1'] });
    expect(byDistrict.statusCode).toBe(403);
  });

  it('answers 422 for a household missing from the registry', async () => {
    const first17 = '92120104WW0000001';
    const uscc = first17 + usccCheckCharacter(first17);
    const response = await apply({ id: uscc, role: 'household', uscc }, { uscc, category: 'quality', claimedCriteria: ['Q1'] });
    expect(response.statusCode).toBe(422);
    expect(response.json().details).toMatchObject({ field: 'uscc' });
  });

  it('starts one case per household and year; a second application answers 409 and starts nothing', async () => {
    const { uscc, actor } = await registerHousehold(database);
    const year = Number(cstDateOf(now).slice(0, 4));
    const first = await apply(actor, { uscc, category: 'quality', claimedCriteria: ['Q2'], evidenceRefs: ['brand.pdf'] });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ caseId: `recognition-${uscc}-${year}`, uscc, year, category: 'quality', status: 'under_review' });
    expect(first.headers.location).toBe(`/cases/recognition-${uscc}-${year}`);

    const second = await apply(actor, { uscc, category: 'renowned', claimedCriteria: ['K1'] });
    expect(second.statusCode).toBe(409);
    expect(second.json().details).toMatchObject({ clause: 'C-ONE-TYPE', caseId: first.json().caseId });
    const view = await app.inject({ method: 'GET', url: `/cases/${first.json().caseId}`, headers: bearer(actor) });
    // A year-round window's cases may be recognised until the end of the year; the case keeps that day.
    expect(view.json()).toMatchObject({ category: 'quality', claimedCriteria: ['Q2'], settings: { recognitionsDoneBy: '12-31' } });
  });
});

describe('the district review through the API', () => {
  async function openCase(district = '120104') {
    const { uscc, actor } = await registerHousehold(database, district);
    const response = await apply(actor, { uscc, category: 'distinctive', claimedCriteria: ['F1', 'F5'] });
    expect(response.statusCode).toBe(201);
    return { caseId: response.json().caseId as string, household: actor };
  }

  /** Until the review deadline is stored, so that counting audit rows afterwards compares like with like. */
  async function waitForDeadline(caseId: string): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const events = await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId));
      if (events.some((e) => e.action === 'deadline_set')) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no deadline on ${caseId} after 5 s`);
  }

  const review = (caseId: string, actor: Actor, payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: `/cases/${caseId}/review`, headers: bearer(actor), payload });

  it('shows a case only to its household, its district office and the city office', async () => {
    const { caseId, household } = await openCase();
    for (const [actor, status] of [
      [household, 200],
      [districtOffice('120104'), 200],
      [{ id: 'city', role: 'city' }, 200],
      [districtOffice('120101'), 403],
      [{ id: 'dept', role: 'department', department: 'culture' }, 403],
    ] as const) {
      const response = await app.inject({ method: 'GET', url: `/cases/${caseId}`, headers: bearer(actor) });
      expect(response.statusCode, `${actor.role} ${actor.id}`).toBe(status);
    }
  });

  it("refuses another district's office and another household (403) before it looks at their input", async () => {
    const { caseId, household } = await openCase();
    await waitForDeadline(caseId);
    for (const payload of [{ decision: 'postpone' }, { decision: 'reject' }, { decision: 'reject', reason: 'x\u0000' }, { decision: 'accept', extra: 1 }]) {
      const response = await review(caseId, districtOffice('120101'), payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(403);
      expect(response.json().details).toMatchObject({ field: 'actor', clause: 'C-SELF' });
    }
    const other = await registerHousehold(database);
    const information = await app.inject({ method: 'POST', url: `/cases/${caseId}/information`, headers: bearer(other.actor), payload: { evidenceRefs: [] } });
    expect(information.statusCode).toBe(403);
    // The case's own parties still get the 400 or 422 their input deserves.
    expect((await review(caseId, districtOffice('120104'), { decision: 'postpone' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: `/cases/${caseId}/information`, headers: bearer(household), payload: { evidenceRefs: [] } })).statusCode).toBe(400);
  });

  it('takes a request for information due on a working day within 30 working days, and no other', async () => {
    const { caseId } = await openCase();
    await waitForDeadline(caseId);
    const own = districtOffice('120104');
    const calendar = await loadWorkingDayCalendar(database.db);
    const today = cstDateOf(now);
    const latest = addWorkingDays(calendar, today, INFORMATION_MAX_WORKING_DAYS).date;
    const dayOff = (() => {
      for (let day = addDays(today, 1); ; day = addDays(day, 1)) if (!isWorkingDay(calendar, day).working) return day;
    })();
    const ask = (informationDueOn: string) => review(caseId, own, { decision: 'request_information', reason: '营业执照复印件', informationDueOn });
    for (const [dueOn, message] of [
      ['2099-06-01', /最迟为/],
      [addDays(latest, 1), /最迟为/],
      [dayOff, /不是工作日/],
    ] as const) {
      const refused = await ask(dueOn);
      expect(refused.statusCode, dueOn).toBe(422);
      expect(refused.json()).toMatchObject({ message: expect.stringMatching(message), details: { field: 'informationDueOn' } });
    }
    const asked = await ask(latest);
    expect(asked.statusCode, asked.body).toBe(200);
    expect(asked.json()).toMatchObject({ status: 'awaiting_information', informationRequest: { dueOn: latest } });
  });

  it('refuses bad decisions with the field and clause, writing nothing, and takes a valid one once', async () => {
    const { caseId, household } = await openCase();
    const own = districtOffice('120104');
    await waitForDeadline(caseId);
    const eventsBefore = await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId));

    const noReason = await review(caseId, own, { decision: 'reject' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json()).toMatchObject({ error: 'Unprocessable Entity', details: { field: 'reason' } });

    const otherDistrict = await review(caseId, districtOffice('120101'), { decision: 'accept' });
    expect(otherDistrict.statusCode).toBe(403);
    expect(otherDistrict.json().details).toMatchObject({ field: 'actor', clause: 'C-SELF' });

    const ownApplication = await review(caseId, household, { decision: 'accept' });
    expect(ownApplication.statusCode).toBe(403);

    const unknownDecision = await review(caseId, own, { decision: 'approve' });
    expect(unknownDecision.statusCode).toBe(400);
    expect(unknownDecision.json().details.field).toBe('decision');

    // The recognised phase's decisions have not begun while the case is under review.
    const spotCheck = await app.inject({
      method: 'POST',
      url: `/cases/${caseId}/spot-check`,
      headers: bearer({ id: 'city', role: 'city' }),
      payload: { decision: 'confirm', reason: 'sampled' },
    });
    expect(spotCheck.statusCode, spotCheck.body).toBe(409);
    expect(spotCheck.json().details).toEqual({ field: 'caseId', clause: 'C-FILE', status: 'under_review' });

    const eventsAfterRefusals = await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId));
    expect(eventsAfterRefusals.length).toBe(eventsBefore.length);

    const accepted = await review(caseId, own, { decision: 'accept', category: 'quality', reason: 'a 30-year shop fits quality best' });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ status: 'on_site_verification', category: 'quality', lastDecision: { by: { id: own.id } } });

    const again = await review(caseId, own, { decision: 'accept' });
    expect(again.statusCode).toBe(409);
    expect(again.json().details).toMatchObject({ field: 'decision', clause: 'C-SELF' });

    const trail = await app.inject({ method: 'GET', url: `/cases/${caseId}/events`, headers: bearer(own) });
    expect(trail.statusCode).toBe(200);
    const [submitted] = trail.json();
    expect(submitted).toMatchObject({
      action: 'submitted',
      clauses: ['C-SELF', 'C-NOFEE', 'C-CYCLE', 'T-B1', 'C-SRC', 'C-EX1', 'C-EX2', 'C-BAN', 'C-ONE-TYPE', 'C-ONE-PERSON'],
    });
    const admittedOn = submitted.details.eligibility as Array<{ clause: string; passed: boolean; facts: Record<string, unknown> }>;
    expect(admittedOn.every((result) => result.passed)).toBe(true);
    expect(admittedOn.find((result) => result.clause === 'C-SRC')).toMatchObject({ facts: { route: 'self' } });
    expect(trail.json().find((e: { action: string }) => e.action === 'review_accepted')).toMatchObject({
      action: 'review_accepted',
      actorId: own.id,
      actorRole: 'district',
      reason: 'a 30-year shop fits quality best',
      clauses: ['C-SELF', 'C-ONE-TYPE'],
    });
  });

  it("refuses a token that claims the workflows' own system role (401)", async () => {
    const response = await app.inject({ method: 'GET', url: '/worklist', headers: bearer({ id: 'system', role: 'system' }) });
    expect(response.statusCode).toBe(401);
    expect(response.json().details).toEqual({ field: 'authorization' });
  });

  it('answers 404 for a path no route serves, with or without a token', async () => {
    for (const headers of [{}, bearer({ id: 'city', role: 'city' })]) {
      const response = await app.inject({ method: 'GET', url: '/public/no-such-list', headers });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: 'Not Found', details: { field: 'url' } });
      expect(response.json().message).toBe('没有此地址（GET /public/no-such-list）：平台页面请从首页 / 进入，接口见 /docs');
    }
  });

  it('answers 404 for a case that does not exist', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/cases/recognition-92120104WW0000001X-2026',
      headers: bearer({ id: 'city', role: 'city' }),
    });
    expect(response.statusCode).toBe(404);
  });
});
