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
import { createNotificationChannels } from '../../activities/notification-channels.js';
import { createNotificationActivities } from '../../activities/notifications.js';
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
import { startTrainingNotificationDelivery, startTrainingTemporal, type TrainingTemporal } from '../../scripts/training-system.js';
import { createWorkers } from '../../workflows/worker.js';
import { ownDatabase } from '../support/own-database.js';
import { bearerFor } from '../support/tokens.js';
import { eventually } from '../support/eventually.js';
import { startSmtpSink, type SmtpSink } from '../support/notifications.js';

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
let mail: SmtpSink;
let stopDelivery: () => Promise<void>;

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
  // Email goes out as under npm run training: from the loop in the training process, reading the training clock.
  mail = await startSmtpSink();
  const channels = createNotificationChannels({ smtpUrl: mail.url, smtpFrom: 'training <noreply@localhost>', smsGatewayUrl: null });
  stopDelivery = startTrainingNotificationDelivery(createNotificationActivities({ db: database.db, channels, now: temporal.clock.now }), (err) => {
    throw err;
  });
}, 240_000);

afterAll(async () => {
  await stopDelivery?.();
  await mail?.close();
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

describe('cases on the training clock', () => {
  const [reporting, lapsing, expiring, recommended] = [DEMO_HOUSEHOLDS[0], DEMO_HOUSEHOLDS[1], DEMO_HOUSEHOLDS[2], DEMO_HOUSEHOLDS[3]];
  const householdOf = (h: { uscc: string }): Actor => ({ id: h.uscc, role: 'household', uscc: h.uscc });
  const officeOf = (h: { districtCode: string }): Actor => ({ id: `reviewer-${h.districtCode}`, role: 'district', districtCode: h.districtCode });
  /** The demo district department that recommends the farm stay (C-REC): its own district's household, reviewed by that district's office. */
  const recommender: Actor = { id: 'officer-120119-agriculture', role: 'department', department: '120119-agriculture', districtCode: recommended.districtCode };

  /** The district office accepts the case and records the on-site verification, with no department to consult: publicity begins. */
  async function reviewIntoPublicity(caseId: string, office: Actor) {
    expect((await call('POST', `/cases/${caseId}/review`, office, { decision: 'accept', reason: 'certificate checked' })).status).toBe(200);
    const verified = await call('POST', `/cases/${caseId}/review`, office, { decision: 'verified', findings: 'workshop seen', departments: [] });
    expect(verified.body.status).toBe('publicity');
  }

  async function fileAndAccept(caseId: string, household: (typeof DEMO_HOUSEHOLDS)[number], reportYear: number) {
    const filed = await call('POST', `/cases/${caseId}/annual-reports`, householdOf(household), { year: reportYear, revenue: 200_000, employees: 2 });
    expect(filed.status, JSON.stringify(filed.body)).toBe(200);
    const accepted = await call('POST', `/cases/${caseId}/annual-reports/${reportYear}/decision`, officeOf(household), { decision: 'accept', reason: 'figures checked' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  }

  const statusOf = async (caseId: string) => (await call('GET', `/cases/${caseId}`, city)).body.status;

  it('take a self-applied and a recommended case to recognition, through July reports, the final-year evaluation, extension, expiry, a lapse and a revocation with its ban, every step once', async () => {
    const caseIds: string[] = [];
    for (const household of [lapsing, reporting, expiring]) {
      const contact = household === reporting ? { contact: { email: 'pancakes@example.org' } } : {};
      const created = await call('POST', '/applications', householdOf(household), { uscc: household.uscc, category: 'quality', claimedCriteria: ['Q2'], evidenceRefs: ['certificate'], ...contact });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      caseIds.push(created.body.caseId as string);
      await reviewIntoPublicity(created.body.caseId, officeOf(household));
    }
    const [lapsingCase, reportingCase, expiringCase] = caseIds as [string, string, string];

    // A district department recommends the farm stay; the operator consents, and its district office reviews as for an application (C-REC).
    const proposed = await call('POST', '/recommendations', recommender, { uscc: recommended.uscc, category: 'quality', claimedCriteria: [], reason: 'a farm stay the district promotes' });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    expect(proposed.body.status).toBe('awaiting_consent');
    const recommendedCase = proposed.body.caseId as string;
    const consented = await call('POST', `/cases/${recommendedCase}/consent`, householdOf(recommended), { consent: true });
    expect(consented.status, JSON.stringify(consented.body)).toBe(200);
    expect(consented.body.status).toBe('under_review');
    await reviewIntoPublicity(recommendedCase, officeOf(recommended));
    caseIds.push(recommendedCase);

    // Publicity lasts 5 working days: two weeks on, all are past it, through the quota, recognised.
    const moved = await moveClock({ advance: 'P2W' });
    expect(moved).toMatchObject({ status: 200, body: { today: `${year}-03-16` } });
    for (const caseId of caseIds) expect(await statusOf(caseId), caseId).toBe('recognised');
    const quotaUsed = async (districtCode: string) => (await call('GET', `/quotas/${year}`, city)).body.districts.find((d: { districtCode: string }) => d.districtCode === districtCode).used;
    for (const household of [lapsing, reporting, expiring, recommended]) expect(await quotaUsed(household.districtCode), household.districtCode).toBe(1);
    const recognisedView = (await call('GET', `/cases/${recommendedCase}`, city)).body;
    // Publicity ended on the fifth working day, 9 March; recognised the next day, valid for three years less a day (C-VALID).
    expect(recognisedView.recognition).toMatchObject({ recognisedOn: `${year}-03-10`, validUntil: `${year + 3}-03-09` });

    // The July report: reminded on 1 July, by email too, which goes out after the move; three file and their offices accept, the fourth stays silent.
    await moveClock({ to: `${year + 1}-07-02` });
    const reminded = await eventually(
      async () => mail.received.filter((m) => m.to.includes('pancakes@example.org')).map((m) => m.subject),
      (subjects) => subjects.includes(`请提交${year + 1}年度信息报告`),
      { withinMs: 40_000, everyMs: 500 },
    );
    expect(reminded.filter((subject) => subject === `请提交${year + 1}年度信息报告`)).toHaveLength(1);
    for (const [caseId, household] of [[reportingCase, reporting], [expiringCase, expiring], [recommendedCase, recommended]] as const) await fileAndAccept(caseId, household, year + 1);

    // Escalated on 1 August, cancelled after 30 days' grace; the place stays used: it goes back only within its recognition year.
    await moveClock({ to: `${year + 1}-09-02` });
    expect(await statusOf(lapsingCase)).toBe('cancelled');
    for (const caseId of [reportingCase, expiringCase, recommendedCase]) expect(await statusOf(caseId), caseId).toBe('recognised');
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
    const again = await call('POST', '/applications', householdOf(reporting), { uscc: reporting.uscc, category: 'quality', claimedCriteria: ['Q2'], evidenceRefs: ['certificate'] });
    expect(again.status).toBe(422);
    expect(JSON.stringify(again.body)).toContain('C-BAN');

    // The last year of validity opens the final-year evaluation (C-EVAL): the recommending department finds X4 met, which extends by three years;
    // the district office finds X1 not met for the self-applied one, which nothing else meets.
    await moveClock({ to: `${year + 2}-03-17` });
    for (const caseId of [expiringCase, recommendedCase]) {
      const view = (await call('GET', `/cases/${caseId}`, city)).body;
      expect(view.evaluation?.openedAt, caseId).toEqual(expect.any(String));
      expect(view.extension ?? null, caseId).toBeNull();
    }
    const x1 = await call('POST', `/cases/${expiringCase}/evaluation`, officeOf(expiring), { criterion: 'X1', met: false, note: 'revenue did not grow markedly' });
    expect(x1.status, JSON.stringify(x1.body)).toBe(200);
    const notTheirs = await call('POST', `/cases/${expiringCase}/evaluation`, recommender, { criterion: 'X4', met: true });
    expect(notTheirs).toMatchObject({ status: 422, body: { details: { field: 'criterion', clause: 'C-EVAL' } } });
    const x4 = await call('POST', `/cases/${recommendedCase}/evaluation`, recommender, { criterion: 'X4', met: true, note: 'the department agrees' });
    expect(x4.status, JSON.stringify(x4.body)).toBe(200);
    const extended = await eventually(
      async () => (await call('GET', `/cases/${recommendedCase}`, city)).body,
      (view) => view.extension != null,
    );
    expect(extended.extension).toMatchObject({ fromValidUntil: `${year + 3}-03-09`, toValidUntil: `${year + 6}-03-09`, criteria: ['X4'] });
    expect(extended.recognition.validUntil).toBe(`${year + 6}-03-09`);

    // Both still file in the final year's July; a day after its validity ends the self-applied one expires, the extended one goes on.
    await moveClock({ to: `${year + 2}-07-02` });
    for (const [caseId, household] of [[expiringCase, expiring], [recommendedCase, recommended]] as const) await fileAndAccept(caseId, household, year + 2);
    await moveClock({ to: `${year + 3}-03-09` });
    expect(await statusOf(expiringCase)).toBe('recognised');
    await moveClock({ advance: 'P1D' });
    expect(await statusOf(expiringCase)).toBe('expired');
    expect(await statusOf(recommendedCase)).toBe('recognised');

    const expired = await eventually(() => trail(expiringCase), (actions) => actions.includes('expired'));
    once(expired, 'recognised', 'evaluation_opened', 'evaluation_finding', 'expired');
    expect(expired.filter((a) => a === 'annual_report_reminder')).toHaveLength(2);
    expect(expired).not.toContain('extended');
    const continued = await trail(recommendedCase);
    expect(continued.slice(0, 2)).toEqual(['recommended', 'consent_given']);
    once(continued, 'recommended', 'consent_given', 'publicity_closed', 'recognised', 'evaluation_opened', 'evaluation_finding', 'extended');
    expect(continued.filter((a) => a === 'annual_report_accepted')).toHaveLength(2);
    expect(continued).not.toContain('expired');
    expect(continued).not.toContain('annual_report_overdue');

    // Every move of the clock is in its own audit trail, with who moved it and from when to when.
    const moves = await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, TRAINING_CLOCK_TRAIL)).orderBy(caseEvents.seq);
    expect(moves.map((m) => [m.actorId, m.action, m.fromStatus, m.toStatus])).toEqual(
      [
        [`${year}-03-02`, `${year}-03-16`],
        [`${year}-03-16`, `${year + 1}-07-02`],
        [`${year + 1}-07-02`, `${year + 1}-09-02`],
        [`${year + 1}-09-02`, `${year + 2}-03-17`],
        [`${year + 2}-03-17`, `${year + 2}-07-02`],
        [`${year + 2}-07-02`, `${year + 3}-03-09`],
        [`${year + 3}-03-09`, `${year + 3}-03-10`],
      ].map(([from, to]) => [city.id, 'training_clock_advanced', from, to]),
    );
  }, 300_000);
});
