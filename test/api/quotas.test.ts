import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createQuotaActivities, yearQuotaAuditId } from '../../activities/quota.js';
import { buildApp } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import { caseEvents } from '../../db/schema.js';
import { tieringRuns } from '../../db/tiering-schema.js';
import type { Actor } from '../../policy/actors.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { districtOffice, testDatabase } from '../support/stack.js';
import { bearerFor } from '../support/tokens.js';

// Years no other test file uses: 2097 gets a run in force, 2098 never does.
const YEAR = 2097;
const NO_RUN_YEAR = 2098;
const SECRET = 'quota-api-test-secret-with-at-least-32-bytes';
const NANKAI = '120104';
const HEPING = '120101';

let database: Database;
let app: FastifyInstance;
let runId: number;

beforeAll(async () => {
  database = testDatabase();
  app = await buildApp({
    database,
    // The quota routes never reach Temporal: a connection that is never opened will do.
    temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
    authSecret: SECRET,
    caseSettings: DEFAULT_CASE_SETTINGS,
  });
  const [run] = await database.db
    .insert(tieringRuns)
    .values({
      year: YEAR,
      version: 1,
      asOf: `${YEAR}-08-01`,
      thresholds: {},
      ruleVersion: 'test',
      status: 'completed',
      workflowId: `quota-api-test-run-${YEAR}`,
      requestedBy: 'quota-api-test',
      startedAt: new Date(),
      completedAt: new Date(),
      countsByDistrict: {
        [HEPING]: { survival: 20, growth: 70, development: 30, unclassified: 2 },
        [NANKAI]: { survival: 9, growth: 25, development: 15, unclassified: 0 },
      },
      quotaBase: 140,
      inForce: true,
    })
    .returning({ id: tieringRuns.id });
  runId = run!.id;
});

afterAll(async () => {
  await app?.close();
  await database?.close();
});

const CITY: Actor = { id: 'city-office', role: 'city' };
const bearer = bearerFor(SECRET);
const getQuota = (year: number | string, actor: Actor) => app.inject({ method: 'GET', url: `/quotas/${year}`, headers: bearer(actor) });
const setQuota = (year: number, actor: Actor) => app.inject({ method: 'POST', url: `/quotas/${year}`, headers: bearer(actor) });

describe('a year without a quota', () => {
  it('answers 404, saying no quota is set because no tiering run is in force', async () => {
    const response = await getQuota(NO_RUN_YEAR, CITY);
    expect(response.statusCode).toBe(404);
    expect(response.json().message).toMatch(/no recognition quota has been set for 2098 because no tiering run of 2098 is in force/);
    expect(response.json().details).toEqual({ field: 'year', clause: 'C-QUOTA' });
  });

  it('cannot be given one by the city office while no run is in force (422, C-QUOTA)', async () => {
    const response = await setQuota(NO_RUN_YEAR, CITY);
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toMatch(/C-CYCLE/);
  });

  it('says which run is in force when the quota is merely not set yet', async () => {
    const response = await getQuota(YEAR, CITY);
    expect(response.statusCode).toBe(404);
    expect(response.json().message).toContain(`tiering run ${runId} is in force`);
  });
});

describe('POST /quotas/{year}', () => {
  it.each([
    ['a district office', districtOffice(NANKAI)],
    ['a department', { id: 'commerce', role: 'department', department: 'commerce' } as Actor],
    ['a household', { id: '92120104MA06B7Q405', role: 'household', uscc: '92120104MA06B7Q405' } as Actor],
  ])('is refused to %s (403), which sets nothing', async (_who, actor) => {
    expect((await setQuota(YEAR, actor)).statusCode).toBe(403);
    expect((await getQuota(YEAR, CITY)).statusCode).toBe(404);
  });

  it('lets the city office set the caps from the run in force, once', async () => {
    const response = await setQuota(YEAR, CITY);
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe(`/quotas/${YEAR}`);
    const body = response.json();
    expect(body).toMatchObject({ year: YEAR, rate: 0.05, tieringRunId: runId, runInForceId: runId });
    expect(body.city).toEqual({ cap: 7, used: 0, free: 7, waiting: 0 });
    expect(body.districts).toHaveLength(16);
    expect(body.districts).toContainEqual({ districtCode: HEPING, districtName: '和平区', cap: 5, used: 0, free: 5, waiting: 0 });
    expect(body.districts).toContainEqual({ districtCode: NANKAI, districtName: '南开区', cap: 2, used: 0, free: 2, waiting: 0 });

    const again = await setQuota(YEAR, CITY);
    expect(again.statusCode).toBe(409);
    expect(again.json().details).toEqual({ field: 'year', clause: 'C-QUOTA' });

    // Who set the caps, when, from which run, and how: one audit record, not repeated by the refusal.
    const trail = await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, yearQuotaAuditId(YEAR)));
    expect(trail).toEqual([
      expect.objectContaining({
        seq: 1,
        actorId: CITY.id,
        actorRole: 'city',
        action: 'quota_set',
        clauses: ['C-QUOTA'],
        details: expect.objectContaining({ tieringRunId: runId, cityCap: 7, districtCaps: expect.objectContaining({ [HEPING]: 5, [NANKAI]: 2 }) }),
      }),
    ]);
  });
});

describe('GET /quotas/{year}', () => {
  beforeAll(async () => {
    const quota = createQuotaActivities({ db: database.db });
    for (let i = 0; i < 3; i++) {
      await quota.takeQuotaPlace({ caseId: `quota-api-${YEAR}-${i}`, year: YEAR, districtCode: NANKAI, readyAt: new Date(Date.UTC(YEAR, 8, 1, i)).toISOString() });
    }
  });

  it('shows the city office every district with its places used and cases waiting', async () => {
    const response = await getQuota(YEAR, CITY);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.city).toEqual({ cap: 7, used: 2, free: 5, waiting: 1 });
    expect(body.districts).toHaveLength(16);
    expect(body.districts).toContainEqual({ districtCode: NANKAI, districtName: '南开区', cap: 2, used: 2, free: 0, waiting: 1 });
  });

  it('shows a district office its own district and the city-wide row only', async () => {
    const response = await getQuota(YEAR, districtOffice(HEPING));
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.city).toEqual({ cap: 7, used: 2, free: 5, waiting: 1 });
    expect(body.districts).toEqual([{ districtCode: HEPING, districtName: '和平区', cap: 5, used: 0, free: 5, waiting: 0 }]);
  });

  it.each([
    ['a household', { id: '92120104MA06B7Q405', role: 'household', uscc: '92120104MA06B7Q405' } as Actor],
    ['a department', { id: 'commerce', role: 'department', department: 'commerce' } as Actor],
    ['the public', { id: 'anyone', role: 'public' } as Actor],
  ])('is refused to %s (403)', async (_who, actor) => {
    expect((await getQuota(YEAR, actor)).statusCode).toBe(403);
  });

  it('refuses a district office token that names no district (401): it would see every district', async () => {
    expect((await getQuota(YEAR, { id: 'reviewer', role: 'district' })).statusCode).toBe(401);
  });

  it('answers 401 without a token and 400 naming the field for a malformed year', async () => {
    expect((await app.inject({ method: 'GET', url: `/quotas/${YEAR}` })).statusCode).toBe(401);
    const malformed = await getQuota('next', CITY);
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().details.field).toBe('year');
  });

  it('is documented in the OpenAPI document', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(document.paths['/quotas/{year}'])).toEqual(expect.arrayContaining(['get', 'post']));
  });
});
