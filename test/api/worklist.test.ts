import { describe, expect, it } from 'vitest';
import { recognitions } from '../../db/recognition-schema.js';
import { cases } from '../../db/schema.js';
import type { Actor } from '../../policy/actors.js';
import { addDays, cstDateOf } from '../../policy/dates.js';
import { districtOffice, registerHousehold } from '../support/stack.js';
import { YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { CASE_STATUSES } from '../../policy/recognition-case.js';
import { caseApiStack } from '../support/api-stack.js';
import { bearerFor } from '../support/tokens.js';
import { eventually } from '../support/eventually.js';

const SECRET = 'worklist-secret-with-at-least-32-bytes';
const city: Actor = { id: 'city-supervisor', role: 'city' };
let now: number;

const { env, database, app } = await caseApiStack({ authSecret: SECRET, eligibilitySettings: YEAR_ROUND_ELIGIBILITY_SETTINGS, now: () => now });
now = await env.currentTimeMs();

const bearer = bearerFor(SECRET, () => now);
const get = (url: string, actor: Actor | null) => app.inject({ method: 'GET', url, headers: actor ? bearer(actor) : {} });
const post = (url: string, actor: Actor, payload: Record<string, unknown>) => app.inject({ method: 'POST', url, headers: bearer(actor), payload });

const until = <T>(read: () => Promise<T>, done: (value: T) => boolean) => eventually(read, done, { withinMs: 5_000, everyMs: 50 });

/** A case projection row of district 120117 as the case writer stores it, its view reduced to the name lists show. */
function caseRow(caseId: string, fields: { year: number; status: string; route?: string; dueOn?: string | null; waitingFor: string | null }) {
  return {
    caseId,
    uscc: caseId.slice(0, 18),
    category: 'quality',
    route: 'self',
    districtCode: '120117',
    dueOn: null,
    version: 1,
    view: { householdName: caseId },
    createdAt: new Date(now),
    updatedAt: new Date(now),
    ...fields,
  };
}

describe('worklists follow the case from role to role', () => {
  it('puts a new case on its district office’s list, then a consulted department’s, then the publicity list', async () => {
    const { uscc, actor: household } = await registerHousehold(database, '120105');
    const reviewer = districtOffice('120105');
    const created = await post('/applications', household, { uscc, category: 'distinctive', claimedCriteria: ['F1'] });
    expect(created.statusCode).toBe(201);
    const caseId = created.json().caseId as string;

    const districtList = await until(
      async () => (await get('/worklist', reviewer)).json() as Array<{ caseId: string; dueOn: string | null }>,
      (list) => list.some((c) => c.caseId === caseId && c.dueOn !== null),
    );
    expect(districtList.find((c) => c.caseId === caseId)).toMatchObject({ status: 'under_review', waitingFor: 'district', overdue: false });
    expect((await get('/worklist', districtOffice('120101'))).json().map((c: { caseId: string }) => c.caseId)).not.toContain(caseId);

    await post(`/cases/${caseId}/review`, reviewer, { decision: 'accept' });
    await post(`/cases/${caseId}/review`, reviewer, { decision: 'verified', findings: 'visited', departments: ['city-culture-tourism'] });
    const culture: Actor = { id: 'culture-officer', role: 'department', department: 'city-culture-tourism' };
    const cultureList = await until(
      async () => (await get('/worklist', culture)).json() as Array<{ caseId: string }>,
      (list) => list.some((c) => c.caseId === caseId),
    );
    expect(cultureList.find((c) => c.caseId === caseId)).toMatchObject({ status: 'soliciting_opinions', waitingFor: 'department' });
    expect((await get('/worklist', { ...culture, department: 'city-commerce' })).json().map((c: { caseId: string }) => c.caseId)).not.toContain(caseId);

    await post(`/cases/${caseId}/opinions`, culture, { opinion: 'support' });
    const notices = await until(
      async () => (await get('/public/publicity', null)).json() as Array<{ caseId: string }>,
      (list) => list.some((n) => n.caseId === caseId),
    );
    expect(notices.find((n) => n.caseId === caseId)).toMatchObject({ uscc, objectUrl: `/publicity/${caseId}/objections` });
    expect((await get('/worklist', culture)).json().map((c: { caseId: string }) => c.caseId)).not.toContain(caseId);
  });

  it('lists overdue cases first, then by due date, undated last', async () => {
    const today = cstDateOf(now);
    const row = (caseId: string, dueOn: string | null) => caseRow(caseId, { year: 2095, status: 'under_review', dueOn, waitingFor: 'district' });
    await database.db
      .insert(cases)
      .values([
        row('92120117WL0000001A-later', addDays(today, 9)),
        row('92120117WL0000002B-none', null),
        row('92120117WL0000003C-overdue', addDays(today, -2)),
        row('92120117WL0000004D-soon', addDays(today, 1)),
      ])
      .onConflictDoNothing();
    const list = (await get('/worklist', districtOffice('120117'))).json() as Array<{ caseId: string; overdue: boolean }>;
    expect(list.map((c) => c.caseId.split('-')[1])).toEqual(['overdue', 'soon', 'later', 'none']);
    expect(list.map((c) => c.overdue)).toEqual([true, false, false, false]);

    const search = await get('/cases?year=2095&districtCode=120117&dueBefore=' + today, city);
    expect(search.json().map((c: { caseId: string }) => c.caseId)).toEqual(['92120117WL0000003C-overdue']);
    const underReview = await get('/cases?year=2095&status=under_review', city);
    expect(underReview.json()).toHaveLength(4);
    expect((await get('/cases?year=2095&status=recognised', city)).json()).toEqual([]);
    const otherDistrict = await get('/cases?districtCode=120117', districtOffice('120101'));
    expect(otherDistrict.statusCode).toBe(403);
    expect(otherDistrict.json()).toMatchObject({ message: 'a district office searches its own district (120101)', details: { field: 'districtCode' } });
    expect((await get('/cases?year=2095', districtOffice('120101'))).json()).toEqual([]);
    expect((await get('/cases', { id: 'x', role: 'household', uscc: '92120117WL0000001A' })).statusCode).toBe(403);
  });

  it('finds recognitions by whom they wait for and how they came: the spot checks awaiting the city, the self-applied ones C-REVOKE concerns', async () => {
    const recognised = (caseId: string, route: string, waitingFor: string | null) => caseRow(caseId, { year: 2096, route, status: 'recognised', waitingFor });
    await database.db
      .insert(cases)
      .values([
        recognised('92120117RC0000001A-self-spot-checked', 'self', 'city'),
        recognised('92120117RC0000002B-self-reporting', 'self', 'household'),
        recognised('92120117RC0000003C-recommended-spot-checked', 'department', 'city'),
        recognised('92120117RC0000004D-transferred', 'transfer', null),
      ])
      .onConflictDoNothing();
    const found = async (query: string) =>
      ((await get(`/cases?year=2096&status=recognised&${query}`, city)).json() as Array<{ caseId: string }>).map((c) => c.caseId.split('-').slice(1).join('-')).sort();
    expect(await found('waitingFor=city')).toEqual(['recommended-spot-checked', 'self-spot-checked']);
    expect(await found('route=self')).toEqual(['self-reporting', 'self-spot-checked']);
    expect(await found('route=transfer&waitingFor=city')).toEqual([]);
    for (const [query, field] of [['route=abroad', 'route'], ['waitingFor=public', 'waitingFor']]) {
      const refused = await get(`/cases?${query}`, city);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().details).toMatchObject({ field, rule: 'enum' });
    }
  });

  it.each([
    ['names no district', { id: 'reviewer-nowhere', role: 'district' }],
    ['names a district outside Tianjin', { id: 'reviewer-elsewhere', role: 'district', districtCode: '110101' }],
  ] as const)('refuses a district office token that %s (401), rather than showing every district', async (_how, actor) => {
    const response = await get('/cases?year=2095', actor);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ message: expect.stringContaining('a district office acts for a Tianjin district'), details: { field: 'authorization' } });
  });

  it('answers 400 naming the field for a status no case has, listing the statuses', async () => {
    const response = await get('/cases?status=bogus', city);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      message: expect.stringMatching(/^querystring\/status must be one of: awaiting_consent, under_review, .*, transferred$/),
      details: { field: 'status', rule: 'enum', allowed: CASE_STATUSES },
    });
  });

  it.each([
    ['/worklist', districtOffice('120117')],
    ['/cases', city],
    ['/public/recognitions', null],
    ['/public/publicity', null],
  ])('answers 400 naming the page for a page of %s past the deepest', async (path, actor) => {
    for (const page of ['100001', '1000000000000000000']) {
      const response = await get(`${path}?page=${page}`, actor);
      expect(response.statusCode).toBe(400);
      expect(response.json().details).toMatchObject({ field: 'page' });
    }
  });
});

describe('GET /households/{uscc}/cases', () => {
  it('lists a household’s own cases whatever they wait for, and no other household’s', async () => {
    const mine = await registerHousehold(database, '120113');
    const other = await registerHousehold(database, '120113');
    for (const { uscc, actor } of [mine, other]) {
      expect((await post('/applications', actor, { uscc, category: 'distinctive', claimedCriteria: ['F1'] })).statusCode).toBe(201);
    }
    const listed = await until(
      async () => (await get(`/households/${mine.uscc}/cases`, mine.actor)).json() as Array<{ uscc: string; status: string; waitingFor: string | null }>,
      (list) => list.length > 0,
    );
    expect(listed).toEqual([expect.objectContaining({ uscc: mine.uscc, status: 'under_review', waitingFor: 'district' })]);
    // Its worklist, by contrast, holds only what waits for it.
    expect(((await get('/worklist', mine.actor)).json() as unknown[]).length).toBe(0);
    const others = await get(`/households/${other.uscc}/cases`, mine.actor);
    expect(others.statusCode).toBe(403);
    expect(others.json().details).toEqual({ field: 'uscc', clause: 'C-SELF' });
    expect(others.json().message).toBe('C-SELF：只能查看本户的认定事项，请检查统一社会信用代码');
    // A district office reads its own district's households only.
    expect(((await get(`/households/${mine.uscc}/cases`, districtOffice('120113'))).json() as unknown[]).length).toBe(1);
    expect((await get(`/households/${mine.uscc}/cases`, districtOffice('120101'))).json()).toEqual([]);
  });
});

describe('the public registry', () => {
  it('answers by name, district and category without a token, and shows no operator data', async () => {
    await database.db
      .insert(recognitions)
      .values({
        caseId: 'recognition-registry-test',
        uscc: '92120106RG0000001X',
        name: '红桥区百年老字号茶庄',
        districtCode: '120106',
        category: 'quality',
        recognisedOn: '2096-09-20',
        validUntil: '2099-09-19',
        benefitsFrom: '2097-01-01',
        status: 'recognised',
        updatedAt: new Date(now),
        version: 1,
      })
      .onConflictDoNothing();
    const byName = await get('/public/recognitions?name=老字号茶', null);
    expect(byName.statusCode).toBe(200);
    expect(byName.json()).toEqual([
      {
        uscc: '92120106RG0000001X',
        name: '红桥区百年老字号茶庄',
        districtCode: '120106',
        districtName: '红桥区',
        category: 'quality',
        recognisedOn: '2096-09-20',
        validUntil: '2099-09-19',
        benefitsFrom: '2097-01-01',
        status: 'recognised',
        origin: 'tianjin',
      },
    ]);
    expect((await get('/public/recognitions?districtCode=120106&category=renowned', null)).json()).toEqual([]);
    // The totals behind the list, under the same filters.
    expect((await get('/public/recognitions/counts?name=老字号茶', null)).json()).toEqual({ total: 1, byCategory: { renowned: 0, distinctive: 0, quality: 1, emerging: 0 } });
    expect((await get('/public/recognitions/counts?districtCode=120106&category=renowned', null)).json()).toMatchObject({ total: 0 });
    expect((await get('/public/recognitions/counts?page=2', null)).statusCode).toBe(400);
    const tooShort = await get('/public/recognitions?name=茶', null);
    expect(tooShort.statusCode).toBe(400);
    expect(tooShort.json().details.field).toBe('name');
  });
});
