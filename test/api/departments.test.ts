// Departments as data (README "Departments as data"): the registry, consulting from it (C-SELF),
// and opinions, recommendations (C-REC) and X4 (C-EVAL) decided by identity, not by name.
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../policy/actors.js';
import { YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { caseApiStack } from '../support/api-stack.js';
import { auditTrail } from '../support/recognition.js';
import { districtOffice, registerDepartments, registerHousehold } from '../support/stack.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'departments-test-secret-with-at-least-32-bytes';
let now: number;

// Two districts' culture bureaus: the same kind of department, told apart by ID and district.
const NANKAI_CULTURE = { id: '120104-culture-tourism', name: '南开区文化和旅游局', level: 'district' as const, districtCode: '120104' };
const HEPING_CULTURE = { id: '120101-culture-tourism', name: '和平区文化和旅游局', level: 'district' as const, districtCode: '120101' };

const { env, database, app } = await caseApiStack({ authSecret: SECRET, eligibilitySettings: YEAR_ROUND_ELIGIBILITY_SETTINGS, now: () => now });
now = await env.currentTimeMs();
await registerDepartments(database, NANKAI_CULTURE, HEPING_CULTURE);

const bearer = bearerFor(SECRET, () => now);
const post = (url: string, actor: Actor, payload: Record<string, unknown>) => app.inject({ method: 'POST', url, headers: bearer(actor), payload });

/** A self-application of a Nankai household, accepted and waiting for its on-site verification. */
async function caseToVerify(): Promise<string> {
  const { uscc, actor } = await registerHousehold(database, '120104');
  const created = await post('/applications', actor, { uscc, category: 'quality', claimedCriteria: ['Q2'] });
  expect(created.statusCode).toBe(201);
  const caseId = created.json().caseId as string;
  expect((await post(`/cases/${caseId}/review`, districtOffice('120104'), { decision: 'accept' })).statusCode).toBe(200);
  return caseId;
}

describe('the department registry', () => {
  it('lists the seeded city-level departments and, for a district, its own beside them', async () => {
    const all = (await app.inject({ method: 'GET', url: '/departments' })).json() as Array<{ id: string; level: string; districtCode: string | null }>;
    expect(all).toEqual(expect.arrayContaining([{ id: 'city-commerce', name: '市商务局', level: 'city', districtCode: null }, NANKAI_CULTURE, HEPING_CULTURE]));
    const nankai = (await app.inject({ method: 'GET', url: '/departments?districtCode=120104' })).json() as Array<{ id: string; districtCode: string | null }>;
    expect(nankai.map((d) => d.id)).toContain(NANKAI_CULTURE.id);
    expect(nankai.map((d) => d.id)).toContain('city-culture-tourism');
    expect(nankai.every((d) => d.districtCode === null || d.districtCode === '120104')).toBe(true);
    const districtLevel = (await app.inject({ method: 'GET', url: '/departments?level=district&districtCode=120101' })).json();
    expect(districtLevel).toEqual([HEPING_CULTURE]);
    const badCode = await app.inject({ method: 'GET', url: '/departments?districtCode=110101' });
    expect(badCode.statusCode).toBe(400);
    expect(badCode.json().details).toMatchObject({ field: 'districtCode' });
  });
});

describe('consulting and answering by identity', () => {
  it('consults only registered departments of the city or the case’s district, naming the field and clause', async () => {
    const caseId = await caseToVerify();
    const verify = (departments: string[]) =>
      post(`/cases/${caseId}/review`, districtOffice('120104'), { decision: 'verified', findings: '现场核实经营场所', departments });
    const typo = await verify(['city-comerce']);
    expect(typo.statusCode).toBe(422);
    expect(typo.json()).toMatchObject({ details: { field: 'departments', clause: 'C-SELF' } });
    expect(typo.json().message).toContain('city-comerce');
    const elsewhere = await verify([HEPING_CULTURE.id]);
    expect(elsewhere.statusCode).toBe(422);
    expect(elsewhere.json().details).toMatchObject({ field: 'departments', clause: 'C-SELF' });
    // Another district's office learns that the case is not its own first, whatever it names.
    const outsider = await post(`/cases/${caseId}/review`, districtOffice('120101'), { decision: 'verified', findings: 'x', departments: ['nonsense'] });
    expect(outsider.statusCode).toBe(403);
    expect((await auditTrail(database, caseId)).map((e) => e.action)).not.toContain('verification_passed');

    const consulting = await verify([NANKAI_CULTURE.id, 'city-commerce']);
    expect(consulting.statusCode).toBe(200);
    expect(consulting.json()).toMatchObject({ status: 'soliciting_opinions', consultedDepartments: [NANKAI_CULTURE.id, 'city-commerce'] });
  });

  it('refuses the opinion of another district’s department (403) and takes the rightful one’s', async () => {
    const caseId = await caseToVerify();
    await post(`/cases/${caseId}/review`, districtOffice('120104'), { decision: 'verified', findings: '现场核实经营场所', departments: [NANKAI_CULTURE.id] });
    const opinion = (actor: Actor) => post(`/cases/${caseId}/opinions`, actor, { opinion: 'support' });

    // The case: a token naming the consulted department but district 120101.
    const wrongDistrict = await opinion({ id: 'heping-officer', role: 'department', department: NANKAI_CULTURE.id, districtCode: '120101' });
    expect(wrongDistrict.statusCode).toBe(403);
    expect(wrongDistrict.json().details).toMatchObject({ field: 'actor', clause: 'C-SELF' });
    // Heping's own culture bureau, rightly registered, was not consulted on a Nankai case.
    const otherDepartment = await opinion({ id: 'heping-officer', role: 'department', department: HEPING_CULTURE.id, districtCode: '120101' });
    expect(otherDepartment.statusCode).toBe(403);
    expect(otherDepartment.json().details).toMatchObject({ field: 'actor', clause: 'C-SELF' });
    // A name is not an identity.
    const byName = await opinion({ id: 'nankai-officer', role: 'department', department: NANKAI_CULTURE.name, districtCode: '120104' });
    expect(byName.statusCode).toBe(403);

    const rightful = await opinion({ id: 'nankai-officer', role: 'department', department: NANKAI_CULTURE.id, districtCode: '120104' });
    expect(rightful.statusCode).toBe(200);
    expect(rightful.json()).toMatchObject({ status: 'publicity', opinions: [{ department: NANKAI_CULTURE.id, opinion: 'support', by: 'nankai-officer' }] });
    const trail = await auditTrail(database, caseId);
    expect(trail.filter((e) => e.action === 'opinion_given')).toMatchObject([{ actorId: 'nankai-officer', details: { department: NANKAI_CULTURE.id } }]);
  });

  it('takes a recommendation only from a registered department at its own level and district (C-REC)', async () => {
    const { uscc } = await registerHousehold(database, '120104');
    const body = { uscc, category: 'quality', claimedCriteria: [], reason: '质量标杆' };
    const unregistered = await post('/recommendations', { id: 'x', role: 'department', department: '南开区商务局', districtCode: '120104' }, body);
    expect(unregistered.statusCode).toBe(403);
    expect(unregistered.json().details).toMatchObject({ field: 'actor', clause: 'C-REC' });
    const cityWithDistrict = await post('/recommendations', { id: 'x', role: 'department', department: 'city-commerce', districtCode: '120104' }, body);
    expect(cityWithDistrict.statusCode).toBe(403);
    expect(cityWithDistrict.json().details).toMatchObject({ field: 'actor', clause: 'C-REC' });

    const nankai: Actor = { id: 'nankai-officer', role: 'department', department: NANKAI_CULTURE.id, districtCode: '120104' };
    const recommended = await post('/recommendations', nankai, body);
    expect(recommended.statusCode).toBe(201);
    const view = await app.inject({ method: 'GET', url: `/cases/${recommended.json().caseId}`, headers: bearer(nankai) });
    expect(view.json()).toMatchObject({ recommendation: { department: NANKAI_CULTURE.id, level: 'district' } });
  });
});
