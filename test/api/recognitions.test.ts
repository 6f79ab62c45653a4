import type { WorkflowHandle } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { quotaPlaces, recognitionBans, recognitions } from '../../db/recognition-schema.js';
import { cases, households } from '../../db/schema.js';
import { householdTiers } from '../../db/tiering-schema.js';
import type { Actor } from '../../policy/actors.js';
import { addDays, addYears, cstDateOf } from '../../policy/dates.js';
import { usccCheckCharacter } from '../../policy/uscc.js';
import { recognitionViewQuery, type RecognitionView } from '../../workflows/recognition-case/contract.js';
import {
  acceptAndVerify,
  auditTrail,
  runsOf,
  setQuota,
  simulatedToday,
  sleepUntilDate,
  sleepUntilRecognised,
  sleepUntilView,
  startApplication,
} from '../support/recognition.js';
import { districtOffice, recordHistory, registerDepartments, registerHousehold } from '../support/stack.js';
import { YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { caseApiStack } from '../support/api-stack.js';
import { bearerFor } from '../support/tokens.js';
import type { RecognitionTermSettings } from '../../policy/vocabulary.js';

const SECRET = 'recognition-api-test-secret-with-at-least-32-bytes';
const QUOTA_YEAR = 2089;
const CITY: Actor = { id: 'city-office', role: 'city' };
const CULTURE: Actor = { id: 'culture-officer', role: 'department', department: 'city-culture-tourism' };

/** The API's clock: the simulated time, moved on by each test before it calls the API. */
let clock: number;

const { env, database, app, taskQueue } = await caseApiStack({ authSecret: SECRET, eligibilitySettings: YEAR_ROUND_ELIGIBILITY_SETTINGS, now: () => clock });
clock = await env.currentTimeMs();

const bearer = bearerFor(SECRET, () => clock);

const post = (url: string, actor: Actor, payload: Record<string, unknown>) => app.inject({ method: 'POST', url, headers: bearer(actor), payload });

/** A fresh household's case, recognised and in the recognised phase; the API's clock set to the simulated now. */
async function recognisedCase(district: string, termSettings: Partial<RecognitionTermSettings>) {
  await setQuota(database, QUOTA_YEAR, district, 50);
  const started = await startApplication(env, database, { taskQueue, district, year: QUOTA_YEAR, termSettings });
  await acceptAndVerify(started.handle, district);
  const view = await sleepUntilRecognised(env, started.handle);
  await eventsSettled(started.handle);
  clock = await env.currentTimeMs();
  return { ...started, view, url: (path: string) => `/cases/${started.caseId}/${path}` };
}

/** The audit trail once everything the workflow decided so far is saved. */
async function eventsSettled(handle: WorkflowHandle) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const view = await handle.query(recognitionViewQuery);
    const events = await auditTrail(database, handle.workflowId);
    if (events.at(-1)?.seq === view.seq) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${handle.workflowId}: events not saved after 5 s`);
}

/** Every refused request answers its status and names the field (and clause) at fault. */
async function expectRefusal(
  response: Awaited<ReturnType<typeof post>>,
  status: number,
  details: { field?: string; clause?: string | null; status?: string },
): Promise<void> {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.json().details).toMatchObject(details);
}

describe('revocation and the ban it leaves (C-REVOKE, C-BAN)', () => {
  it('revokes for fraud, records a five-year ban, frees the place, and refuses the household a new application', async () => {
    const district = '120114';
    const c = await recognisedCase(district, { spotCheckRate: 0 });
    const before = await eventsSettled(c.handle);

    await expectRefusal(await post(c.url('revocation'), c.household, { ground: 'fraud', reason: 'x' }), 403, { field: 'role' });
    await expectRefusal(await post(c.url('revocation'), CULTURE, { ground: 'fraud', reason: 'x' }), 403, { field: 'role' });
    await expectRefusal(await post(c.url('revocation'), districtOffice('120101'), { ground: 'fraud', reason: 'x' }), 403, { field: 'actor', clause: 'C-REVOKE' });
    await expectRefusal(await post(c.url('revocation'), CITY, { ground: 'sloppiness', reason: 'x' }), 400, { field: 'ground' });
    await expectRefusal(await post(c.url('revocation'), CITY, { ground: 'fraud', reason: '  ' }), 422, { field: 'reason', clause: 'C-REVOKE' });
    expect(await auditTrail(database, c.caseId)).toHaveLength(before.length);

    const revoked = await post(c.url('revocation'), districtOffice(district), {
      ground: 'fraud',
      reason: 'the Q2 certificate was forged',
      evidenceRefs: ['inspection-report-17'],
    });
    expect(revoked.statusCode, revoked.body).toBe(200);
    const revokedOn = await simulatedToday(env);
    expect(revoked.json()).toMatchObject({
      phase: 'recognised',
      status: 'revoked',
      revocation: { ground: 'fraud', revokedOn, bannedUntil: addYears(revokedOn, 5), by: `reviewer-${district}` },
      lastDecision: { action: 'revoked', by: { id: `reviewer-${district}` }, reason: 'the Q2 certificate was forged' },
    });
    await c.handle.result();

    const [ban] = await database.db.select().from(recognitionBans).where(eq(recognitionBans.caseId, c.caseId));
    expect(ban).toMatchObject({ uscc: c.uscc, revokedOn, bannedUntil: addYears(revokedOn, 5), decidedBy: `reviewer-${district}` });
    const [entry] = await database.db.select().from(recognitions).where(eq(recognitions.caseId, c.caseId));
    expect(entry).toMatchObject({ status: 'revoked' });
    const [place] = await database.db.select().from(quotaPlaces).where(eq(quotaPlaces.caseId, c.caseId));
    expect(place!.releasedAt).not.toBeNull();
    const trail = await auditTrail(database, c.caseId);
    expect(trail.slice(-2)).toMatchObject([
      { action: 'revoked', toStatus: 'revoked', actorId: `reviewer-${district}`, clauses: ['C-REVOKE', 'C-BAN'] },
      { action: 'quota_place_released', actorRole: 'system', clauses: ['C-QUOTA'] },
    ]);

    // Applied for on the real date, for which the test households' tiering run is in force; the
    // ban, five years from the revocation, covers it either way.
    const simulated = clock;
    clock = Date.now();
    const application = await post('/applications', c.household, { uscc: c.uscc, category: 'quality', claimedCriteria: ['Q2'] });
    clock = simulated;
    expect(application.statusCode, application.body).toBe(422);
    expect(application.json().details).toMatchObject({ field: 'uscc', clause: 'C-BAN' });
    expect(await database.db.select().from(cases).where(eq(cases.uscc, c.uscc))).toHaveLength(1);

    await expectRefusal(await post(c.url('revocation'), CITY, { ground: 'fraud', reason: 'again' }), 409, { field: 'caseId' });
    const runs = await runsOf(env, c.caseId, c.firstRunId);
    await recordHistory('revoked-with-ban', env.client.workflow.getHandle(c.caseId, runs.at(-1)));
  });
});

describe('mutual recognition (C-XREGION)', () => {
  it('registers a household recognised in Hebei with its remaining validity, and closes its case when it moves on', async () => {
    clock = await env.currentTimeMs();
    const today = cstDateOf(clock);
    const { uscc, actor: household } = await registerHousehold(database, '120110');
    const transfer = {
      uscc,
      origin: 'hebei',
      category: 'distinctive',
      recognisedOn: addYears(today, -1),
      validUntil: addDays(addYears(today, 2), -1),
      originRef: '冀市监个〔2025〕88号',
    };
    await expectRefusal(await post('/recognitions/transfers', districtOffice('120110'), transfer), 403, { field: 'role' });
    await expectRefusal(await post('/recognitions/transfers', household, transfer), 403, { field: 'role' });
    await expectRefusal(await post('/recognitions/transfers', CITY, { ...transfer, origin: 'tianjin' }), 400, { field: 'origin' });
    await expectRefusal(await post('/recognitions/transfers', CITY, { ...transfer, validUntil: addDays(today, -1) }), 422, {
      field: 'validUntil',
      clause: 'C-XREGION',
    });
    const first17 = '92120110XR0000001';
    const unknown = first17 + usccCheckCharacter(first17);
    await expectRefusal(await post('/recognitions/transfers', CITY, { ...transfer, uscc: unknown }), 422, { field: 'uscc', clause: 'C-XREGION' });

    const registered = await post('/recognitions/transfers', CITY, transfer);
    expect(registered.statusCode, registered.body).toBe(201);
    const { caseId } = registered.json();
    expect(registered.json()).toEqual({ caseId, uscc, origin: 'hebei', status: 'recognised', validUntil: transfer.validUntil });
    const handle = env.client.workflow.getHandle(caseId);
    await eventsSettled(handle);

    const shown = await app.inject({ method: 'GET', url: `/cases/${caseId}`, headers: bearer(household) });
    expect(shown.statusCode).toBe(200);
    const view = shown.json() as RecognitionView;
    expect(view).toMatchObject({
      phase: 'recognised',
      route: 'transfer',
      origin: 'hebei',
      status: 'recognised',
      spotCheck: null,
      recognition: { recognisedOn: transfer.recognisedOn, validUntil: transfer.validUntil, benefitsFrom: today },
      transferIn: { origin: 'hebei', originRef: transfer.originRef, registeredBy: CITY.id, registeredOn: today },
      tierAtTermStart: { tier: 'growth' },
    });
    expect(view.reports.map((r) => r.year)).toEqual(view.reports.map((_, i) => view.firstReportYear + i));
    const [entry] = await database.db.select().from(recognitions).where(eq(recognitions.caseId, caseId));
    expect(entry).toMatchObject({ origin: 'hebei', status: 'recognised', category: 'distinctive', validUntil: transfer.validUntil });
    expect(await database.db.select().from(quotaPlaces).where(eq(quotaPlaces.caseId, caseId))).toEqual([]);

    await expectRefusal(await post('/recognitions/transfers', CITY, transfer), 422, { field: 'uscc', clause: 'C-ONE-TYPE' });
    await expectRefusal(await post(`/cases/${caseId}/revocation`, CITY, { ground: 'fraud', reason: 'x' }), 422, { field: 'ground', clause: 'C-REVOKE' });
    await expectRefusal(await post(`/cases/${caseId}/transfer-out`, CITY, { destination: 'beijing' }), 403, { field: 'role' });
    await expectRefusal(await post(`/cases/${caseId}/transfer-out`, household, { destination: 'shanghai' }), 400, { field: 'destination' });

    const moved = await post(`/cases/${caseId}/transfer-out`, household, { destination: 'beijing', note: 'moved to Tongzhou' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ status: 'transferred', transferOut: { destination: 'beijing', movedOn: today, reportedBy: uscc } });
    await handle.result();
    const [after] = await database.db.select().from(recognitions).where(eq(recognitions.caseId, caseId));
    expect(after).toMatchObject({ status: 'transferred' });
    expect((await auditTrail(database, caseId)).map((e) => [e.seq, e.action])).toEqual([
      [1, 'transfer_registered'],
      [2, 'transferred_out'],
    ]);
    await recordHistory('incoming-transfer-then-moved-on', handle);
  });
});

describe('who decides what in the recognised phase', () => {
  it("keeps the spot check to the city office and the supplement to the household, and a refused request writes nothing", async () => {
    const district = '120111';
    const c = await recognisedCase(district, { spotCheckRate: 1 });
    const other = await registerHousehold(database, district);
    expect(c.view.spotCheck).toMatchObject({ status: 'selected' });
    const url = c.url('spot-check');
    const before = await eventsSettled(c.handle);

    await expectRefusal(await post(url, c.household, { decision: 'confirm' }), 403, { field: 'role' });
    await expectRefusal(await post(url, districtOffice(district), { decision: 'confirm' }), 403, { field: 'role' });
    await expectRefusal(await post(url, CITY, { decision: 'request_supplement', reason: 'licence' }), 422, { field: 'dueOn', clause: 'C-FILE' });
    await expectRefusal(await post(url, CITY, { decision: 'request_supplement', reason: 'licence', dueOn: cstDateOf(clock) }), 422, {
      field: 'dueOn',
      clause: 'C-FILE',
    });
    await expectRefusal(await post(url, CITY, { decision: 'refuse', reason: ' ' }), 422, { field: 'reason', clause: 'C-FILE' });
    await expectRefusal(await post(c.url('spot-check/supplement'), c.household, { evidenceRefs: ['x.pdf'] }), 409, { clause: 'C-FILE' });
    // The application phase's decisions are over once the case is recognised.
    await expectRefusal(await post(c.url('review'), districtOffice(district), { decision: 'accept' }), 409, { field: 'caseId', status: 'recognised' });
    const lateObjection = await app.inject({ method: 'POST', url: `/publicity/${c.caseId}/objections`, payload: { reason: 'too late' } });
    await expectRefusal(lateObjection, 409, { field: 'caseId', status: 'recognised' });
    expect(await auditTrail(database, c.caseId)).toHaveLength(before.length);

    const dueOn = addDays(cstDateOf(clock), 10);
    const asked = await post(url, CITY, { decision: 'request_supplement', reason: 'the original certificate', dueOn });
    expect(asked.statusCode, asked.body).toBe(200);
    expect(asked.json()).toMatchObject({ spotCheck: { status: 'awaiting_supplement', supplementRequest: { dueOn } } });
    await expectRefusal(await post(c.url('spot-check/supplement'), other.actor, { evidenceRefs: ['x.pdf'] }), 403, { field: 'actor', clause: 'C-FILE' });
    await expectRefusal(await post(c.url('spot-check/supplement'), CITY, { evidenceRefs: ['x.pdf'] }), 403, { field: 'role' });
    await expectRefusal(await post(c.url('spot-check/supplement'), c.household, { evidenceRefs: [] }), 400, { field: 'evidenceRefs' });
    const supplied = await post(c.url('spot-check/supplement'), c.household, { evidenceRefs: ['certificate-original.pdf'] });
    expect(supplied.json()).toMatchObject({ spotCheck: { status: 'supplement_received', supplements: [{ evidenceRefs: ['certificate-original.pdf'] }] } });
    const confirmed = await post(url, CITY, { decision: 'confirm', reason: 'original seen' });
    expect(confirmed.json()).toMatchObject({ status: 'recognised', spotCheck: { status: 'confirmed', decision: { decision: 'confirmed', by: CITY.id } } });
    await expectRefusal(await post(url, CITY, { decision: 'refuse', reason: 'changed our mind' }), 409, { field: 'decision', clause: 'C-FILE' });

    const [projection] = await database.db.select().from(cases).where(eq(cases.caseId, c.caseId));
    expect(projection).toMatchObject({ status: 'recognised', waitingFor: null });
    const ended = await post(c.url('transfer-out'), districtOffice(district), { destination: 'hebei' });
    expect(ended.json()).toMatchObject({ status: 'transferred' });
    await c.handle.result();
    await recordHistory('spot-check-supplement-confirmed-term-1', env.client.workflow.getHandle(c.caseId));
  });

  it('takes annual reports from the household alone, reviews them by its district office, and re-checks a new operator', async () => {
    const district = '120112';
    const c = await recognisedCase(district, { spotCheckRate: 0 });
    const other = await registerHousehold(database, district);
    const reportYear = c.view.firstReportYear;
    const report = { year: reportYear, revenue: 250_000, employees: 2 };
    const before = await eventsSettled(c.handle);

    await expectRefusal(await post(c.url('annual-reports'), districtOffice(district), report), 403, { field: 'role' });
    await expectRefusal(await post(c.url('annual-reports'), other.actor, report), 403, { field: 'actor', clause: 'C-ANNUAL' });
    await expectRefusal(await post(c.url('annual-reports'), c.household, report), 422, { field: 'year', clause: 'C-ANNUAL' });
    await expectRefusal(await post(c.url('annual-reports'), c.household, { ...report, year: reportYear + 40 }), 422, { field: 'year', clause: 'C-ANNUAL' });
    await expectRefusal(await post(c.url('annual-reports'), c.household, { ...report, revenue: -1 }), 400, { field: 'revenue' });
    await expectRefusal(await post(c.url('annual-reports'), c.household, { ...report, operatorChanged: true, newOperatorId: 'op-not-registered' }), 422, {
      field: 'newOperatorId',
      clause: 'C-ANNUAL',
    });
    await expectRefusal(await post(c.url(`annual-reports/${reportYear}/decision`), districtOffice(district), { decision: 'accept' }), 409, { clause: 'C-ANNUAL' });
    await expectRefusal(await post(c.url('evaluation'), districtOffice(district), { criterion: 'X2', met: true, evidenceRefs: ['award.pdf'] }), 409, {
      field: 'criterion',
      clause: 'C-EVAL',
    });
    await expectRefusal(await post(c.url('evaluation'), CULTURE, { criterion: 'X4', met: true }), 422, { field: 'criterion', clause: 'C-EVAL' });
    await expectRefusal(await post(c.url('evaluation'), c.household, { criterion: 'X2', met: true }), 403, { field: 'role' });
    await expectRefusal(await post(c.url('evaluation'), districtOffice('120101'), { criterion: 'X2', met: true, evidenceRefs: ['a.pdf'] }), 403, {
      field: 'actor',
      clause: 'C-EVAL',
    });
    await expectRefusal(await post(c.url('cancellation'), districtOffice('120101'), { reason: 'x' }), 403, { field: 'actor', clause: 'C-ANNUAL' });
    await expectRefusal(await post(c.url('cancellation'), CITY, { reason: 'x' }), 403, { field: 'role' });
    const change = { newOperatorId: `op-${c.uscc}`, changedOn: cstDateOf(clock) };
    await expectRefusal(await post(c.url('operator-change'), districtOffice(district), change), 403, { field: 'role' });
    await expectRefusal(await post(c.url('operator-change'), other.actor, change), 403, { field: 'actor', clause: 'C-ANNUAL' });
    await expectRefusal(await post(c.url('operator-change'), c.household, { ...change, changedOn: addDays(cstDateOf(clock), 1) }), 422, {
      field: 'changedOn',
      clause: 'C-ANNUAL',
    });
    await expectRefusal(await post(c.url('transfer-out'), other.actor, { destination: 'beijing' }), 403, { field: 'actor', clause: 'C-XREGION' });
    expect(await auditTrail(database, c.caseId)).toHaveLength(before.length);

    await sleepUntilDate(env, `${reportYear}-03-02`);
    clock = await env.currentTimeMs();
    const filed = await post(c.url('annual-reports'), c.household, { ...report, note: 'two employees' });
    expect(filed.statusCode, filed.body).toBe(200);
    expect(filed.json().reports[0]).toMatchObject({ year: reportYear, status: 'filed', filing: { late: false, revenue: 250_000, employees: 2 } });
    const [projection] = await database.db.select().from(cases).where(eq(cases.caseId, c.caseId));
    expect(projection).toMatchObject({ waitingFor: 'district' });
    await expectRefusal(await post(c.url(`annual-reports/${reportYear}/decision`), districtOffice('120101'), { decision: 'accept' }), 403, {
      field: 'actor',
      clause: 'C-ANNUAL',
    });
    await expectRefusal(await post(c.url(`annual-reports/${reportYear}/decision`), CITY, { decision: 'accept' }), 403, { field: 'role' });
    await expectRefusal(await post(c.url(`annual-reports/${reportYear}/decision`), districtOffice(district), { decision: 'reject' }), 422, {
      field: 'reason',
      clause: 'C-ANNUAL',
    });
    // The data say the base standard fails: accepting needs the office's reason (C-ANNUAL).
    const [tier] = await database.db.select().from(householdTiers).where(eq(householdTiers.uscc, c.uscc));
    await database.db.update(householdTiers).set({ tier: 'unclassified' }).where(eq(householdTiers.uscc, c.uscc));
    await expectRefusal(await post(c.url(`annual-reports/${reportYear}/decision`), districtOffice(district), { decision: 'accept' }), 422, {
      field: 'reason',
      clause: 'C-ANNUAL',
    });
    await database.db.update(householdTiers).set({ tier: tier!.tier }).where(eq(householdTiers.uscc, c.uscc));
    const accepted = await post(c.url(`annual-reports/${reportYear}/decision`), districtOffice(district), { decision: 'accept' });
    expect(accepted.json().reports[0]).toMatchObject({ status: 'accepted', decision: { decision: 'accepted', by: `reviewer-${district}` } });
    expect((await eventsSettled(c.handle)).at(-1)).toMatchObject({
      action: 'annual_report_accepted',
      details: { year: reportYear, tierInForce: { tier: tier!.tier, year: tier!.year } },
    });

    // The new operator already runs a recognised household in the district (C-ONE-PERSON).
    const sibling = await registerHousehold(database, district);
    const newOperator = `op-${sibling.uscc}`;
    await database.db.insert(recognitions).values({
      caseId: `recognition-${sibling.uscc}-${QUOTA_YEAR}`,
      uscc: sibling.uscc,
      name: '兄弟个体户',
      districtCode: district,
      category: 'renowned',
      recognisedOn: cstDateOf(clock),
      validUntil: addDays(addYears(cstDateOf(clock), 3), -1),
      benefitsFrom: `${reportYear + 1}-01-01`,
      status: 'recognised',
      updatedAt: new Date(clock),
      version: 1,
    });
    await database.db.update(households).set({ operatorId: newOperator }).where(eq(households.uscc, c.uscc));
    const changed = await post(c.url('operator-change'), c.household, { newOperatorId: newOperator, changedOn: cstDateOf(clock), note: 'sold to my brother' });
    expect(changed.statusCode, changed.body).toBe(200);
    const cancelled = await c.handle.result();
    expect(cancelled).toMatchObject({ status: 'cancelled', operatorChange: { newOperatorId: newOperator } });
    const trail = await auditTrail(database, c.caseId);
    expect(trail.at(-1)).toMatchObject({ action: 'operator_recheck_failed', toStatus: 'cancelled', actorRole: 'system', clauses: ['C-ANNUAL', 'C-ONE-PERSON'] });
    await recordHistory('report-accepted-then-operator-recheck-failed', c.handle);
  });
});

describe('reading a recognised case', () => {
  it('shows the recognised phase through GET /cases/{caseId} to the household, its district office and the city office only', async () => {
    const district = '120113';
    const c = await recognisedCase(district, { spotCheckRate: 0 });
    for (const [actor, status] of [
      [c.household, 200],
      [districtOffice(district), 200],
      [CITY, 200],
      [districtOffice('120101'), 403],
      [CULTURE, 403],
    ] as const) {
      const response = await app.inject({ method: 'GET', url: `/cases/${c.caseId}`, headers: bearer(actor) });
      expect(response.statusCode, `${actor.role} ${actor.id}`).toBe(status);
    }
    const response = await app.inject({ method: 'GET', url: `/cases/${c.caseId}`, headers: bearer(c.household) });
    expect(response.json()).toMatchObject({
      phase: 'recognised',
      caseId: c.caseId,
      status: 'recognised',
      termNo: 1,
      recognition: c.view.recognition,
      reports: c.view.reports.map((r) => ({ year: r.year, dueOn: r.dueOn, status: 'due' })),
      evaluation: { opensOn: c.view.evaluation.opensOn, openedAt: null },
    });
    const events = await app.inject({ method: 'GET', url: `/cases/${c.caseId}/events`, headers: bearer(CITY) });
    expect(events.json().map((e: { action: string }) => e.action)).toContain('filed');
    const cancelled = await post(c.url('cancellation'), districtOffice(district), { reason: 'deregistered its business (T-B1)' });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', lastDecision: { action: 'cancelled' } });
    await c.handle.result();
  });
});

describe('the recommending department in the recognised phase (C-REC, C-EVAL)', () => {
  it('reads its recognition, finds the final-year evaluation on its worklist, and alone answers X4', async () => {
    const district = '120115';
    const recommender: Actor = { id: 'xiqing-market-1', role: 'department', department: `${district}-commerce`, districtCode: district };
    await registerDepartments(database, { id: `${district}-commerce`, name: '宝坻区商务局', level: 'district', districtCode: district });
    const namesakeElsewhere: Actor = { ...recommender, id: 'heping-namesake', districtCode: '120101' };
    await setQuota(database, QUOTA_YEAR, district, 50);
    const started = await startApplication(env, database, { taskQueue, district, year: QUOTA_YEAR, termSettings: { spotCheckRate: 0 }, recommendedBy: recommender });
    const url = (path: string) => `/cases/${started.caseId}/${path}`;
    const worklistOf = async (actor: Actor) =>
      (await app.inject({ method: 'GET', url: '/worklist?pageSize=100', headers: bearer(actor) })).json().map((c: { caseId: string }) => c.caseId);
    const reviewer = districtOffice(district);

    clock = await env.currentTimeMs();
    expect((await post(url('consent'), started.household, { consent: true })).statusCode).toBe(200);
    await acceptAndVerify(started.handle, district);
    const recognised = await sleepUntilRecognised(env, started.handle);
    expect(recognised).toMatchObject({ route: 'department', recommendingDepartment: recommender.department });
    clock = await env.currentTimeMs();
    for (const [actor, status] of [[recommender, 200], [namesakeElsewhere, 403], [CULTURE, 403]] as const) {
      const response = await app.inject({ method: 'GET', url: `/cases/${started.caseId}`, headers: bearer(actor) });
      expect(response.statusCode, actor.id).toBe(status);
    }
    expect(await worklistOf(recommender)).not.toContain(started.caseId);

    for (const report of recognised.reports.filter((r) => r.dueOn < recognised.evaluation.opensOn)) {
      await sleepUntilDate(env, addDays(report.dueOn, -20));
      clock = await env.currentTimeMs();
      expect((await post(url('annual-reports'), started.household, { year: report.year, revenue: 200_000, employees: 2 })).statusCode).toBe(200);
      expect((await post(url(`annual-reports/${report.year}/decision`), reviewer, { decision: 'accept' })).statusCode).toBe(200);
    }
    await sleepUntilDate(env, addDays(recognised.evaluation.opensOn, 1));
    await eventsSettled(started.handle);
    clock = await env.currentTimeMs();
    expect(await worklistOf(recommender)).toContain(started.caseId);
    expect(await worklistOf(namesakeElsewhere)).not.toContain(started.caseId);
    expect(await worklistOf(CULTURE)).not.toContain(started.caseId);

    const before = await eventsSettled(started.handle);
    await expectRefusal(await post(url('evaluation'), namesakeElsewhere, { criterion: 'X4', met: true }), 403, { field: 'actor', clause: 'C-EVAL' });
    await expectRefusal(await post(url('evaluation'), CULTURE, { criterion: 'X4', met: true }), 403, { field: 'actor', clause: 'C-EVAL' });
    await expectRefusal(await post(url('evaluation'), reviewer, { criterion: 'X4', met: true }), 403, { field: 'actor', clause: 'C-EVAL' });
    expect(await auditTrail(database, started.caseId)).toHaveLength(before.length);

    const agreed = await post(url('evaluation'), recommender, { criterion: 'X4', met: true, note: 'still our quality benchmark' });
    expect(agreed.statusCode, agreed.body).toBe(200);
    expect(agreed.json()).toMatchObject({ extension: { criteria: ['X4'] } });
    await sleepUntilView(env, started.handle, (v) => 'termNo' in v && v.termNo === 2);
    await eventsSettled(started.handle);
    expect(await worklistOf(recommender)).not.toContain(started.caseId);
    expect((await post(url('transfer-out'), reviewer, { destination: 'beijing' })).statusCode).toBe(200);
    await started.handle.result();
    const runs = await runsOf(env, started.caseId, started.firstRunId);
    await recordHistory('department-x4-extension-term-1', env.client.workflow.getHandle(started.caseId, runs.at(-2)));
  });
});
