import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { householdTiers, tierObjections } from '../../db/tiering-schema.js';
import type { Actor } from '../../policy/actors.js';
import { addDays, cstDateOf } from '../../policy/dates.js';
import { TIER_RULES_VERSION } from '../../policy/tiering.js';
import { usccCheckCharacter } from '../../policy/uscc.js';
import { districtOffice } from '../support/stack.js';
import { TIER_AS_OF, TIER_YEAR, survivalHousehold, untieredHousehold } from '../support/tiers.js';
import { caseApiStack } from '../support/api-stack.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'objections-test-secret-with-at-least-32-bytes';
const city: Actor = { id: 'city-objections', role: 'city' };
let now: number;

const { env, database, app } = await caseApiStack({ authSecret: SECRET, now: () => now });
now = await env.currentTimeMs();

const bearer = bearerFor(SECRET, () => now);

function file(actor: Actor, body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/tiering/objections', headers: bearer(actor), payload: body });
}

function decide(actor: Actor, objectionId: string, body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: `/tiering/objections/${objectionId}/decision`, headers: bearer(actor), payload: body });
}

/** Queries wait until the workflow has run its first task: poll until the deadline is set. */
async function objectionView(objectionId: string, actor: Actor = city) {
  for (;;) {
    const response = await app.inject({ method: 'GET', url: `/tiering/objections/${objectionId}`, headers: bearer(actor) });
    if (response.statusCode !== 200 || response.json().deadline !== null) return response;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('POST /tiering/objections', () => {
  it('files one objection per household and tier year; a second answers 409', async () => {
    const household = await survivalHousehold(database, '120105');
    const first = await file(household.actor, {
      uscc: household.uscc,
      reason: '2024年营业收入填报有误',
      correctedFacts: { annualReports: [{ year: 2024, filedOn: '2025-03-10', revenue: 150_000 }] },
    });
    expect(first.statusCode).toBe(201);
    const objectionId = `tier-objection-${household.uscc}-${TIER_YEAR}`;
    expect(first.json()).toEqual({ objectionId, uscc: household.uscc, year: TIER_YEAR, contestedTier: 'survival', status: 'open' });
    expect(first.headers.location).toBe(`/tiering/objections/${objectionId}`);

    const second = await file(household.actor, { uscc: household.uscc, reason: '再次申诉' });
    expect(second.statusCode).toBe(409);
    expect(second.json().details).toMatchObject({ clause: 'T-OBJ', objectionId });
  });

  it('answers 409 from the recorded objection once its workflow is no longer retained', async () => {
    const household = await survivalHousehold(database, '120105');
    const objectionId = `tier-objection-${household.uscc}-${TIER_YEAR}`;
    // Decided long ago: Temporal has deleted the closed workflow, the projection remains.
    await database.db.insert(tierObjections).values({
      objectionId,
      uscc: household.uscc,
      year: TIER_YEAR,
      contestedTier: 'survival',
      reason: '异议',
      status: 'dismissed',
      filedBy: household.uscc,
      filedAt: new Date(now),
      decision: 'dismissed',
      decisionReason: '数据无误',
      decidedBy: city.id,
      decidedAt: new Date(now),
      version: 3,
    });
    const again = await file(household.actor, { uscc: household.uscc, reason: '再次申诉' });
    expect(again.statusCode).toBe(409);
    expect(again.json().details).toEqual({ field: 'uscc', clause: 'T-OBJ', objectionId });
    const [row] = await database.db.select().from(tierObjections).where(eq(tierObjections.objectionId, objectionId));
    expect(row).toMatchObject({ status: 'dismissed', version: 3 });
  });

  it("contests the trace of the run's result when the household's tier points at it", async () => {
    const household = await survivalHousehold(database, '120105');
    const [run] = await database.sql`
      insert into tiering_runs (year, version, as_of, thresholds, rule_version, status, workflow_id, requested_by, started_at, in_force)
      values (${TIER_YEAR}, 1, ${TIER_AS_OF}, '{}', ${TIER_RULES_VERSION}, 'completed', ${`objection-test-run-${household.uscc}`}, 'test', now(), false)
      returning id`;
    await database.sql`
      insert into tiering_results (run_id, uscc, district_code, tier, trace)
      values (${run!.id}, ${household.uscc}, '120105', ${household.tier}, ${JSON.stringify(household.trace)}::json)`;
    await database.db
      .update(householdTiers)
      .set({ source: 'run', runId: run!.id as number, trace: null })
      .where(eq(householdTiers.uscc, household.uscc));

    const filed = await file(household.actor, { uscc: household.uscc, reason: '2024年营业收入填报有误' });
    expect(filed.statusCode).toBe(201);
    const view = await objectionView(filed.json().objectionId);
    expect(view.json().contested).toMatchObject({ tier: 'survival', source: 'run', runId: run!.id, trace: household.trace });
  });

  it('lets only the household itself object', async () => {
    const household = await survivalHousehold(database, '120105');
    const other = await survivalHousehold(database, '120105');
    const forOther = await file(other.actor, { uscc: household.uscc, reason: '代为申诉' });
    expect(forOther.statusCode).toBe(403);
    expect(forOther.json().details).toMatchObject({ field: 'uscc', clause: 'T-OBJ' });
    expect((await file(districtOffice('120105'), { uscc: household.uscc, reason: 'x' })).statusCode).toBe(403);
    expect((await file(city, { uscc: household.uscc, reason: 'x' })).statusCode).toBe(403);
  });

  it('answers 409 for a household without a tier, 404 for one missing from the registry', async () => {
    const untiered = await untieredHousehold(database, '120105');
    const noTier = await file(untiered.actor, { uscc: untiered.uscc, reason: '异议' });
    expect(noTier.statusCode).toBe(409);
    expect(noTier.json().details).toMatchObject({ field: 'uscc', clause: 'T-OBJ' });

    const first17 = '92120105WX0000001';
    const unknown = first17 + usccCheckCharacter(first17);
    const missing = await file({ id: unknown, role: 'household', uscc: unknown }, { uscc: unknown, reason: '异议' });
    expect(missing.statusCode).toBe(404);
  });

  it('validates the corrected facts and names the field: malformed 400, against the rules 422', async () => {
    const household = await survivalHousehold(database, '120105');
    const tomorrow = addDays(cstDateOf(now), 1);
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ annualReports: [{ year: 2024, filedOn: '2025-03-10', revenue: -1 }] }, 400, 'correctedFacts.annualReports.0.revenue'],
      [{ socialInsurance: [{ year: 2024, insuredCount: 1.5 }] }, 400, 'correctedFacts.socialInsurance.0.insuredCount'],
      [{ establishedOn: '2019-02-30' }, 400, 'correctedFacts.establishedOn'],
      [{ establishedOn: tomorrow }, 422, 'correctedFacts.establishedOn'],
      [{ annualReports: [{ year: 2024, filedOn: '2024-06-01', revenue: 1 }] }, 422, 'correctedFacts.annualReports.0.filedOn'],
      [{ creditEvents: [{ kind: 'abnormal_operation', listedOn: '2024-05-01', clearedOn: '2024-04-01' }] }, 422, 'correctedFacts.creditEvents.0.clearedOn'],
      [{ operatorName: '张三' }, 400, 'correctedFacts.operatorName'],
      [{}, 400, 'correctedFacts'],
    ];
    for (const [correctedFacts, status, field] of cases) {
      const response = await file(household.actor, { uscc: household.uscc, reason: '数据有误', correctedFacts });
      expect({ correctedFacts, status: response.statusCode, field: response.json().details.field }).toEqual({ correctedFacts, status, field });
    }
    const blankReason = await file(household.actor, { uscc: household.uscc, reason: '   ' });
    expect(blankReason.statusCode).toBe(400);
    expect(blankReason.json().details.field).toBe('reason');
    const malformed = await file(household.actor, { uscc: `${household.uscc.slice(0, 17)}I`, reason: '异议' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().details).toMatchObject({ field: 'uscc', rule: 'GB 32100-2015' });
  });
});

describe('reading objections', () => {
  it('shows an objection to the household itself, its district office and the city office only', async () => {
    const household = await survivalHousehold(database, '120106');
    const filed = await file(household.actor, { uscc: household.uscc, reason: '商标在用', correctedFacts: { seasonal: true } });
    const { objectionId } = filed.json();

    const byCity = await objectionView(objectionId, city);
    expect(byCity.statusCode).toBe(200);
    expect(byCity.json()).toMatchObject({
      objectionId,
      uscc: household.uscc,
      districtCode: '120106',
      status: 'open',
      contested: { tier: 'survival', year: TIER_YEAR, trace: { outcomes: household.trace.outcomes } },
      correctedFacts: { seasonal: true },
      settings: { answerWorkingDays: 15, reminderWorkingDays: 3 },
      deadline: { reminded: false, passed: false },
    });
    expect((await objectionView(objectionId, household.actor)).statusCode).toBe(200);
    expect((await objectionView(objectionId, districtOffice('120106'))).statusCode).toBe(200);
    expect((await objectionView(objectionId, districtOffice('120101'))).statusCode).toBe(403);
    const other = await survivalHousehold(database, '120106');
    expect((await objectionView(objectionId, other.actor)).statusCode).toBe(403);
    expect((await objectionView(`tier-objection-${other.uscc}-${TIER_YEAR}`)).statusCode).toBe(404);
  });

  it("lists the city office's worklist, overdue first, to the city office, and a household its own objections", async () => {
    const overdue = await survivalHousehold(database, '120106');
    const fresh = await survivalHousehold(database, '120106');
    const today = cstDateOf(now);
    const row = (uscc: string, dueOn: string) => ({
      objectionId: `tier-objection-${uscc}-${TIER_YEAR}`,
      uscc,
      year: TIER_YEAR,
      contestedTier: 'survival',
      reason: '异议',
      status: 'open',
      filedBy: uscc,
      filedAt: new Date(now),
      dueOn,
      version: 2,
    });
    // The worklist reads the projection: rows as the workflow writes them, one past its due date.
    await database.db.insert(tierObjections).values([row(fresh.uscc, addDays(today, 30)), row(overdue.uscc, addDays(today, -1))]);

    const response = await app.inject({ method: 'GET', url: '/tiering/objections?status=open&pageSize=100', headers: bearer(city) });
    expect(response.statusCode, response.body).toBe(200);
    const { items, total } = response.json() as { items: Array<{ objectionId: string; overdue: boolean; status: string }>; total: number };
    expect(total).toBeGreaterThanOrEqual(2);
    expect(items.every((item) => item.status === 'open')).toBe(true);
    const firstNotOverdue = items.findIndex((item) => !item.overdue);
    expect(items.slice(firstNotOverdue).some((item) => item.overdue)).toBe(false);
    const position = (uscc: string) => items.findIndex((item) => item.objectionId === `tier-objection-${uscc}-${TIER_YEAR}`);
    expect(items[position(overdue.uscc)]).toMatchObject({ overdue: true, name: expect.any(String), districtCode: '120106' });
    expect(position(overdue.uscc)).toBeLessThan(position(fresh.uscc));

    const own = await app.inject({ method: 'GET', url: '/tiering/objections', headers: bearer(fresh.actor) });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({ total: 1, items: [{ objectionId: `tier-objection-${fresh.uscc}-${TIER_YEAR}`, overdue: false }] });

    const byDistrict = await app.inject({ method: 'GET', url: '/tiering/objections', headers: bearer(districtOffice('120106')) });
    expect(byDistrict.statusCode).toBe(403);
    const badStatus = await app.inject({ method: 'GET', url: '/tiering/objections?status=pending', headers: bearer(city) });
    expect(badStatus.statusCode).toBe(400);
    for (const page of ['100001', '1000000000000000000']) {
      const tooDeep = await app.inject({ method: 'GET', url: `/tiering/objections?page=${page}`, headers: bearer(city) });
      expect(tooDeep.statusCode).toBe(400);
      expect(tooDeep.json().details).toMatchObject({ field: 'page' });
    }
  });
});

describe('POST /tiering/objections/{objectionId}/decision', () => {
  it('takes the decision from the city office; dismissing needs a reason; a decided objection answers 409', async () => {
    const household = await survivalHousehold(database, '120110');
    const { objectionId } = (await file(household.actor, { uscc: household.uscc, reason: '异议' })).json();
    await objectionView(objectionId);

    expect((await decide(household.actor, objectionId, { decision: 'dismissed', reason: 'x' })).statusCode).toBe(403);
    expect((await decide(districtOffice('120110'), objectionId, { decision: 'dismissed', reason: 'x' })).statusCode).toBe(403);
    const noReason = await decide(city, objectionId, { decision: 'dismissed' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().details).toMatchObject({ field: 'reason', clause: 'T-OBJ' });
    const nothingCorrected = await decide(city, objectionId, { decision: 'upheld' });
    expect(nothingCorrected.statusCode).toBe(422);
    expect(nothingCorrected.json().details).toMatchObject({ field: 'correctedFacts', clause: 'T-OBJ' });

    const dismissed = await decide(city, objectionId, { decision: 'dismissed', reason: '年报数据与税务数据一致' });
    expect(dismissed.statusCode).toBe(200);
    expect(dismissed.json()).toMatchObject({ status: 'dismissed', decision: { decision: 'dismissed', reason: '年报数据与税务数据一致' } });
    const again = await decide(city, objectionId, { decision: 'dismissed', reason: '重复' });
    expect(again.statusCode).toBe(409);
    const [current] = await database.db.select().from(householdTiers).where(eq(householdTiers.uscc, household.uscc));
    expect(current).toMatchObject({ tier: 'survival' });
  });

  it('upholds with the facts the city office corrects and its reason, never lowering the tier, and changes the current tier', async () => {
    const household = await survivalHousehold(database, '120110');
    const { objectionId } = (await file(household.actor, { uscc: household.uscc, reason: '缴纳过个人所得税' })).json();
    await objectionView(objectionId);
    const correctedFacts = {
      tax: [{ year: 2024, taxRegisteredOn: '2019-05-01', generalTaxpayer: false, vatPaid: 0, iitPaid: 1200, abnormal: false }],
    };
    const typed = await decide(city, objectionId, { decision: 'upheld', correctedFacts, tier: 'development' });
    expect(typed.statusCode).toBe(422);
    expect(typed.json().details).toMatchObject({ field: 'tier', clause: 'T-OBJ' });

    const noReason = await decide(city, objectionId, { decision: 'upheld', correctedFacts });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().details).toEqual({ field: 'reason', clause: 'T-OBJ' });
    const lowered = await decide(city, objectionId, { decision: 'upheld', reason: '已吊销', correctedFacts: { status: 'revoked' } });
    expect(lowered.statusCode).toBe(422);
    expect(lowered.json()).toMatchObject({
      message: expect.stringMatching(/below the contested survival/),
      details: { field: 'correctedFacts', clause: 'T-OBJ' },
    });

    const upheld = await decide(city, objectionId, { decision: 'upheld', reason: '税务数据显示2024年缴纳个人所得税', correctedFacts });
    expect(upheld.statusCode).toBe(200);
    expect(upheld.json()).toMatchObject({ status: 'upheld', decision: { tier: 'growth', by: { id: 'city-objections' } } });
    const [current] = await database.db.select().from(householdTiers).where(eq(householdTiers.uscc, household.uscc));
    expect(current).toMatchObject({ tier: 'growth', source: 'objection' });

    const publicAnswer = await app.inject({ method: 'GET', url: `/public/households/${household.uscc}` });
    expect(publicAnswer.json()).toMatchObject({ tier: 'growth', tierLabel: '成长型', source: 'objection', ruleVersionDrift: false });
    expect(publicAnswer.json().reasons).toContain('2024年实际缴纳增值税0元、个人所得税1200元。');
  });

  it('answers 404 for an unknown objection', async () => {
    const household = await survivalHousehold(database, '120110');
    const response = await decide(city, `tier-objection-${household.uscc}-${TIER_YEAR}`, { decision: 'dismissed', reason: 'x' });
    expect(response.statusCode).toBe(404);
  });
});
