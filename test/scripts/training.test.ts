// The training system end to end on real parts: the time-skipping test server, whose clock the
// city office moves through the API, the demo city imported and tiered by a real yearly run on
// a database of its own, the workers and the API all reading that one clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { TRAINING_CLOCK_TRAIL } from '../../api/routes/training.js';
import { caseEvents, households } from '../../db/schema.js';
import { markTrainingDatabase, refuseTrainingDatabase } from '../../db/training-marker.js';
import type { Actor } from '../../policy/actors.js';
import { cstDateOf, startOfCstDay, yearOf } from '../../policy/dates.js';
import { TIANJIN_DISTRICTS } from '../../policy/districts.js';
import { YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { DEMO_CITY, seedDemoCity } from '../../scripts/demo-city.js';
import { DEMO_HOUSEHOLDS, ensureDemoTiering, seedDemoData } from '../../scripts/demo-data.js';
import { freePort } from '../../scripts/postgres.js';
import { startTrainingTemporal, type TrainingTemporal } from '../../scripts/training-system.js';
import { createWorkers } from '../../workflows/worker.js';
import { ownDatabase } from '../support/own-database.js';
import { bearerFor } from '../support/tokens.js';
import { eventually } from '../support/eventually.js';

const SECRET = 'training-test-secret-of-at-least-32-characters';
const city: Actor = { id: 'city-trainer', role: 'city' };
const bearer = bearerFor(SECRET);

let database: Awaited<ReturnType<typeof ownDatabase>>;
let temporal: TrainingTemporal;
let workers: Worker[];
let workerRuns: Promise<unknown>;
let connection: NativeConnection;
let client: Client;
let app: FastifyInstance;
let cityDir: string;
let year: number;

beforeAll(async () => {
  database = await ownDatabase('training');
  await markTrainingDatabase(database);
  temporal = await startTrainingTemporal(await freePort());
  // Start on a fixed day of the next year, so that the case steps below fit the year whatever today is.
  year = yearOf(cstDateOf(Date.now())) + 1;
  await temporal.clock.advance(startOfCstDay(`${year}-03-02`) + 9 * 3_600_000 - temporal.clock.now());
  const today = cstDateOf(temporal.clock.now());
  await seedDemoData(database, today);
  cityDir = mkdtempSync(join(tmpdir(), 'demo-city-'));
  await seedDemoCity(database, cityDir, today);

  connection = await NativeConnection.connect({ address: temporal.address });
  workers = await createWorkers({ connection, namespace: 'default', db: database.db, now: temporal.clock.now, workflowBundle: { codePath: inject('workflowBundlePath') } });
  workerRuns = Promise.all(workers.map((worker) => worker.run()));
  client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
  await ensureDemoTiering(database, client, today);
  app = await buildApp({
    database,
    temporal: client,
    authSecret: SECRET,
    caseSettings: DEFAULT_CASE_SETTINGS,
    eligibilitySettings: YEAR_ROUND_ELIGIBILITY_SETTINGS,
    training: temporal.clock,
  });
}, 240_000);

afterAll(async () => {
  await app?.close();
  for (const worker of workers ?? []) worker.shutdown();
  await workerRuns;
  await client?.connection.close();
  await connection?.close();
  await temporal?.stop();
  await database?.drop();
  if (cityDir) rmSync(cityDir, { recursive: true, force: true });
});

async function call(method: 'GET' | 'POST', url: string, actor: Actor | null, body?: object) {
  const response = await app.inject({ method, url, headers: actor ? bearer(actor) : {}, ...(body ? { payload: body } : {}) });
  return { status: response.statusCode, headers: response.headers, body: response.json() };
}

const moveClock = (body: object, actor: Actor = city) => call('POST', '/training/clock', actor, body);

async function trail(caseId: string): Promise<string[]> {
  const rows = await database.db.select({ action: caseEvents.action }).from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(caseEvents.seq);
  return rows.map((row) => row.action).filter((action) => action !== 'deadline_set');
}

/** Each of `actions` appears exactly once in the trail: the clock fired it, and fired it once. */
function once(actions: string[], ...expected: string[]): void {
  for (const action of expected) expect(actions.filter((a) => a === action), action).toHaveLength(1);
}

describe('the demo city', () => {
  it('is the generated city plus the hand-made households, and gives every district at least one quota place (C-QUOTA)', async () => {
    const [count] = await database.db.select({ n: sql<number>`count(*)::int` }).from(households);
    expect(count?.n).toBe(DEMO_CITY.households + DEMO_HOUSEHOLDS.length);
    expect((await call('POST', `/quotas/${year}`, city)).status).toBe(201);
    const quota = await call('GET', `/quotas/${year}`, city);
    expect(quota.body.districts.map((d: { districtCode: string }) => d.districtCode).sort()).toEqual(Object.keys(TIANJIN_DISTRICTS).sort());
    for (const district of quota.body.districts) expect(district.cap, district.districtCode).toBeGreaterThanOrEqual(1);
    expect(quota.body.city.cap).toBe(quota.body.districts.reduce((sum: number, d: { cap: number }) => sum + d.cap, 0));
  });
});

describe('the training clock', () => {
  it('marks the database, so that neither a production start nor a second training start takes it', async () => {
    await expect(refuseTrainingDatabase(database)).rejects.toThrow(/training system/);
    await expect(markTrainingDatabase(database)).rejects.toThrow(/empty database only/);
  });

  it('says it is a training system on every answer, and only the city office reads or moves the clock', async () => {
    for (const answer of [await call('GET', '/health', null), await call('GET', '/training/clock', null), await call('GET', '/training/clock', city)]) {
      expect(answer.headers['x-training-system']).toBe('1');
    }
    expect((await call('GET', '/health', null)).body).toMatchObject({ trainingSystem: true });
    const read = await call('GET', '/training/clock', city);
    expect(read.body).toEqual({ now: expect.any(String), today: `${year}-03-02`, trainingSystem: true });
    const district: Actor = { id: 'reviewer', role: 'district', districtCode: '120104' };
    expect((await moveClock({ advance: 'P1D' }, district)).status).toBe(403);
  });

  it('refuses a move that is malformed, backwards or too far, naming the field, and moves nothing', async () => {
    const before = (await call('GET', '/training/clock', city)).body.now;
    for (const body of [{ advance: '5D' }, { advance: 'P0D' }, { advance: 'PT5H' }, { advance: 'P5D', to: `${year}-04-01` }, {}]) {
      expect((await moveClock(body)).status, JSON.stringify(body)).toBe(400);
    }
    const backwards = await moveClock({ to: `${year}-03-01` });
    expect(backwards).toMatchObject({ status: 422, body: { details: { field: 'to' } } });
    const tooFar = await moveClock({ advance: 'P6Y' });
    expect(tooFar).toMatchObject({ status: 422, body: { details: { field: 'advance' } } });
    const after = (await call('GET', '/training/clock', city)).body.now;
    expect(Date.parse(after) - Date.parse(before)).toBeLessThan(60_000);
  });
});

describe('a case on the training clock', () => {
  it('goes from application through publicity and the quota into the recognised phase, then lapses on a missed July report, every step once', async () => {
    const lapsing = DEMO_HOUSEHOLDS[1];
    const reporting = DEMO_HOUSEHOLDS[0];
    const caseIds: string[] = [];
    for (const household of [lapsing, reporting]) {
      const applicant: Actor = { id: household.uscc, role: 'household', uscc: household.uscc };
      const office: Actor = { id: `reviewer-${household.districtCode}`, role: 'district', districtCode: household.districtCode };
      const created = await call('POST', '/applications', applicant, { uscc: household.uscc, category: 'quality', claimedCriteria: ['Q2'], evidenceRefs: ['certificate'] });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const caseId = created.body.caseId as string;
      caseIds.push(caseId);
      expect((await call('POST', `/cases/${caseId}/review`, office, { decision: 'accept', reason: 'certificate checked' })).status).toBe(200);
      const verified = await call('POST', `/cases/${caseId}/review`, office, { decision: 'verified', findings: 'workshop seen', departments: [] });
      expect(verified.body.status).toBe('publicity');
    }
    const [lapsingCase, reportingCase] = caseIds as [string, string];

    // Publicity lasts 5 working days: two weeks on, both are past it, through the quota, recognised.
    const moved = await moveClock({ advance: 'P2W' });
    expect(moved).toMatchObject({ status: 200, body: { today: `${year}-03-16` } });
    for (const caseId of caseIds) {
      const view = await call('GET', `/cases/${caseId}`, city);
      expect(view.body.status, caseId).toBe('recognised');
    }
    const quotaUsed = async (districtCode: string) => (await call('GET', `/quotas/${year}`, city)).body.districts.find((d: { districtCode: string }) => d.districtCode === districtCode).used;
    expect(await quotaUsed(lapsing.districtCode)).toBe(1);

    // The July report: reminded on 1 July; one files and its office accepts, the other stays silent.
    await moveClock({ to: `${year + 1}-07-02` });
    const reporter: Actor = { id: reporting.uscc, role: 'household', uscc: reporting.uscc };
    const filed = await call('POST', `/cases/${reportingCase}/annual-reports`, reporter, { year: year + 1, revenue: 200_000, employees: 2 });
    expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    const office: Actor = { id: `reviewer-${reporting.districtCode}`, role: 'district', districtCode: reporting.districtCode };
    const accepted = await call('POST', `/cases/${reportingCase}/annual-reports/${year + 1}/decision`, office, { decision: 'accept', reason: 'figures checked' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);

    // Escalated on 1 August, cancelled after 30 days' grace; the place stays used: it goes back only within its recognition year.
    await moveClock({ to: `${year + 1}-09-02` });
    expect((await call('GET', `/cases/${lapsingCase}`, city)).body.status).toBe('cancelled');
    expect((await call('GET', `/cases/${reportingCase}`, city)).body.status).toBe('recognised');
    expect(await quotaUsed(lapsing.districtCode)).toBe(1);

    const lapsed = await eventually(() => trail(lapsingCase), (actions) => actions.includes('annual_report_missed'));
    expect(lapsed.slice(0, 6)).toEqual(['submitted', 'review_accepted', 'verification_passed', 'publicity_started', 'publicity_closed', 'quota_requested']);
    once(lapsed, 'publicity_closed', 'recognised', 'annual_report_reminder', 'annual_report_overdue', 'annual_report_missed');
    const reported = await trail(reportingCase);
    once(reported, 'recognised', 'annual_report_reminder', 'annual_report_filed', 'annual_report_accepted');
    expect(reported).not.toContain('annual_report_overdue');

    // Revoked (C-REVOKE): the ban refuses the household's next application (C-BAN).
    const revoked = await call('POST', `/cases/${reportingCase}/revocation`, city, { ground: 'fraud', reason: 'forged certificate found', evidenceRefs: ['inspection-report'] });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    const again = await call('POST', '/applications', reporter, { uscc: reporting.uscc, category: 'quality', claimedCriteria: ['Q2'], evidenceRefs: ['certificate'] });
    expect(again.status).toBe(422);
    expect(JSON.stringify(again.body)).toContain('C-BAN');

    // Every move of the clock is in its own audit trail, with who moved it and from when to when.
    const moves = await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, TRAINING_CLOCK_TRAIL)).orderBy(caseEvents.seq);
    expect(moves.map((m) => [m.actorId, m.action, m.fromStatus, m.toStatus])).toEqual([
      [city.id, 'training_clock_advanced', `${year}-03-02`, `${year}-03-16`],
      [city.id, 'training_clock_advanced', `${year}-03-16`, `${year + 1}-07-02`],
      [city.id, 'training_clock_advanced', `${year + 1}-07-02`, `${year + 1}-09-02`],
    ]);
  });
});
