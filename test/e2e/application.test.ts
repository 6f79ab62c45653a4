import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { buildApp } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import { publicityNotices, publicityObjections } from '../../db/recognition-schema.js';
import { cases } from '../../db/schema.js';
import type { Actor } from '../../policy/actors.js';
import { caseWorker, districtOffice, registerHousehold, testDatabase } from '../support/stack.js';
import { YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { createDevServerEnv } from '../support/temporal.js';
import { bearerFor } from '../support/tokens.js';
import { eventually } from '../support/eventually.js';
import { CASE_CATEGORY_ATTRIBUTE, CASE_YEAR_ATTRIBUTE } from '../../workflows/recognition-case/contract.js';

const SECRET = 'e2e-secret-with-at-least-32-bytes';
let env: TestWorkflowEnvironment;
let database: Database;
let app: FastifyInstance;
let worker: Worker;
let workerRun: Promise<void>;
let baseUrl: string;

beforeAll(async () => {
  env = await createDevServerEnv();
  database = testDatabase();
  const started = await caseWorker(env, database);
  worker = started.worker;
  workerRun = worker.run();
  app = await buildApp({
    database,
    temporal: env.client,
    authSecret: SECRET,
    caseSettings: DEFAULT_CASE_SETTINGS,
    eligibilitySettings: YEAR_ROUND_ELIGIBILITY_SETTINGS,
    taskQueue: started.taskQueue,
  });
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  worker?.shutdown();
  await workerRun;
  await database?.close();
  await env?.teardown();
});

async function call(method: string, path: string, actor: Actor | null, body?: unknown, extraHeaders: Record<string, string> = {}) {
  const headers: Record<string, string> = { ...extraHeaders };
  if (actor) headers.authorization = bearerFor(SECRET, Date.now, 600)(actor).authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

it('runs an application through district review over HTTP on the dev server and PostgreSQL', async () => {
  const { uscc, actor: household } = await registerHousehold(database, '120116');
  const reviewer = districtOffice('120116');

  expect((await call('GET', '/health', null)).body).toEqual({ status: 'ok', database: 'up', temporal: 'up' });

  const created = await call('POST', '/applications', household, {
    uscc,
    category: 'emerging',
    claimedCriteria: ['E3'],
    evidenceRefs: ['platform-follower-report'],
  });
  expect(created.status).toBe(201);
  const caseId = created.body.caseId as string;

  const duplicate = await call('POST', '/applications', household, { uscc, category: 'quality', claimedCriteria: ['Q1'] });
  expect(duplicate.status).toBe(409);
  expect(duplicate.body).toMatchObject({ error: 'Conflict', details: { clause: 'C-ONE-TYPE' } });

  const waiting = await eventually(
    () => call('GET', `/cases/${caseId}`, reviewer),
    (r) => r.body.deadline !== null,
  );
  expect(waiting.body).toMatchObject({ status: 'under_review', deadline: { kind: 'review', reminded: false } });

  const invalid = await call('POST', `/cases/${caseId}/review`, reviewer, {
    decision: 'request_information',
    reason: 'follower statistics',
    informationDueOn: '2020-01-01',
  });
  expect(invalid.status).toBe(422);
  expect(invalid.body.details).toMatchObject({ field: 'informationDueOn' });

  const accepted = await call('POST', `/cases/${caseId}/review`, reviewer, { decision: 'accept', reason: 'E3 verified' });
  expect(accepted.status).toBe(200);
  expect(accepted.body.status).toBe('on_site_verification');
  // The answer already carries the due date of the step the decision opened.
  expect(accepted.body.deadline).toMatchObject({ kind: 'verification', passed: false });

  const verified = await call('POST', `/cases/${caseId}/review`, reviewer, {
    decision: 'verified',
    findings: 'studio and live-commerce equipment seen on site',
    departments: ['city-commerce'],
  });
  expect(verified.body.status).toBe('soliciting_opinions');
  const commerce: Actor = { id: 'commerce-officer', role: 'department', department: 'city-commerce' };
  const wrongDepartment = await call('POST', `/cases/${caseId}/opinions`, { ...commerce, department: 'city-culture-tourism' }, { opinion: 'support' });
  expect(wrongDepartment.status).toBe(403);
  const opinion = await call('POST', `/cases/${caseId}/opinions`, commerce, { opinion: 'support', comment: 'no complaints on file' });
  expect(opinion.status).toBe(200);
  expect(opinion.body.status).toBe('publicity');

  // Anyone may object while the notice is up, without a token.
  const objection = await call('POST', `/publicity/${caseId}/objections`, null, { reason: 'follower numbers are bought' });
  expect(objection.status).toBe(201);
  expect(objection.body).toEqual({ caseId, objectionNo: 1 });
  const dismissed = await call('POST', `/cases/${caseId}/review`, reviewer, {
    decision: 'resolve_objection',
    objectionNo: 1,
    upheld: false,
    reason: 'platform statistics verified',
  });
  expect(dismissed.body).toMatchObject({ status: 'publicity', objections: [{ objectionNo: 1, resolution: 'dismissed' }] });

  // A neighbour objects under its own name: the district office sees who, the applicant does not.
  const neighbour = await registerHousehold(database, '120116');
  const once = { 'idempotency-key': 'f3b1c2d4-neighbour-objection' };
  const named = await call('POST', `/publicity/${caseId}/objections`, neighbour.actor, { reason: 'the studio is a rented showroom' }, once);
  expect(named.body).toEqual({ caseId, objectionNo: 2 });
  // Sent again after a lost answer: the same objection, not a third.
  const resent = await call('POST', `/publicity/${caseId}/objections`, neighbour.actor, { reason: 'the studio is a rented showroom' }, once);
  expect(resent.body).toEqual({ caseId, objectionNo: 2 });
  // The same key with another reason, or from another sender, is a mistake the client hears of, and files nothing.
  for (const [sender, reason] of [
    [neighbour.actor, 'another reason altogether'],
    [null, 'the studio is a rented showroom'],
  ] as const) {
    const reused = await call('POST', `/publicity/${caseId}/objections`, sender, { reason }, once);
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ message: expect.stringMatching(/Idempotency-Key/), details: { field: 'idempotency-key', clause: 'C-SELF' } });
  }
  const secondDismissed = await call('POST', `/cases/${caseId}/review`, reviewer, {
    decision: 'resolve_objection',
    objectionNo: 2,
    upheld: false,
    reason: 'lease and equipment verified',
  });
  expect(secondDismissed.body.objections[1]).toMatchObject({ filedBy: neighbour.uscc, resolution: 'dismissed' });
  const seenByApplicant = await call('GET', `/cases/${caseId}`, household);
  expect(seenByApplicant.body.objections.map((o: { filedBy: string }) => o.filedBy)).toEqual(['anonymous', 'anonymous']);
  const seenByOffice = await call('GET', `/cases/${caseId}`, reviewer);
  expect(seenByOffice.body.objections.map((o: { filedBy: string }) => o.filedBy)).toEqual(['anonymous', neighbour.uscc]);

  // Publicity has a due date and no reminder: the view says null, not an empty date.
  const publicity = await eventually(
    () => call('GET', `/cases/${caseId}`, reviewer),
    (r) => r.body.deadline?.kind === 'publicity',
  );
  expect(publicity.body.deadline).toMatchObject({ kind: 'publicity', remindOn: null });

  // Every objection resolved: nothing waits for the office until the window closes.
  const [projection] = await eventually(
    () => database.db.select().from(cases).where(eq(cases.caseId, caseId)),
    ([row]) => row?.version === seenByOffice.body.seq,
  );
  expect(projection).toMatchObject({ status: 'publicity', districtCode: '120116', category: 'emerging', waitingFor: null });
  const [notice] = await eventually(
    () => database.db.select().from(publicityNotices).where(eq(publicityNotices.caseId, caseId)),
    (rows) => rows.length === 1,
  );
  expect(notice).toMatchObject({ status: 'open', uscc });
  const resolutions = await database.db.select().from(publicityObjections).where(eq(publicityObjections.caseId, caseId)).orderBy(publicityObjections.objectionNo);
  expect(resolutions.map((o) => [o.objectionNo, o.resolution, o.resolvedBy])).toEqual([
    [1, 'dismissed', reviewer.id],
    [2, 'dismissed', reviewer.id],
  ]);
  const trail = await call('GET', `/cases/${caseId}/events`, household);
  expect(trail.body.map((e: { action: string }) => e.action).filter((a: string) => a !== 'deadline_set')).toEqual([
    'submitted',
    'review_accepted',
    'verification_passed',
    'opinion_given',
    'opinions_closed',
    'publicity_started',
    'objection_filed',
    'objection_resolved',
    'objection_filed',
    'objection_resolved',
  ]);
  expect(trail.body[0]).toMatchObject({ seq: 1, action: 'submitted', actorId: uscc });
  const objectors = (events: Array<{ action: string; actorId: string }>) => events.filter((e) => e.action === 'objection_filed').map((e) => e.actorId);
  expect(objectors(trail.body as never)).toEqual(['anonymous', 'anonymous']);
  expect(objectors((await call('GET', `/cases/${caseId}/events`, reviewer)).body as never)).toEqual(['anonymous', neighbour.uscc]);
  // The workflow keeps waiting for the window to close; the dev server is torn down with it.
});

it('lists cases in Temporal by their search attributes, with a memo to read, and follows the status a decision moves', async () => {
  const { uscc, actor: household } = await registerHousehold(database, '120101');
  const reviewer = districtOffice('120101');
  const created = await call('POST', '/applications', household, { uscc, category: 'quality', claimedCriteria: ['Q1'] });
  expect(created.status).toBe(201);
  const caseId = created.body.caseId as string;
  // Visibility follows the history a moment later: list until the case shows.
  const listed = async (query: string) => {
    const found = [];
    for await (const execution of env.client.workflow.list({ query })) found.push(execution);
    return found;
  };
  const underReview = await eventually(
    () => listed(`DistrictCode='120101' AND CaseStatus='under_review' AND Uscc='${uscc}'`),
    (found) => found.length === 1,
  );
  expect(underReview[0]!.workflowId).toBe(caseId);
  const attributes = underReview[0]!.typedSearchAttributes;
  expect(attributes.get(CASE_CATEGORY_ATTRIBUTE)).toBe('quality');
  expect(attributes.get(CASE_YEAR_ATTRIBUTE)).toBe(Number(caseId.slice(-4)));
  expect(underReview[0]!.memo).toEqual({ householdName: expect.stringMatching(/^测试个体户\d+$/), districtName: '和平区', route: 'self' });

  await eventually(
    () => call('GET', `/cases/${caseId}`, reviewer),
    (r) => r.body.deadline !== null,
  );
  const accepted = await call('POST', `/cases/${caseId}/review`, reviewer, { decision: 'accept', reason: 'Q1 certificate verified' });
  expect(accepted.body.status).toBe('on_site_verification');
  const moved = await eventually(
    () => listed(`Uscc='${uscc}' AND CaseStatus='on_site_verification'`),
    (found) => found.length === 1,
  );
  expect(moved[0]!.workflowId).toBe(caseId);
  expect(await listed(`Uscc='${uscc}' AND CaseStatus='under_review'`)).toEqual([]);
});
