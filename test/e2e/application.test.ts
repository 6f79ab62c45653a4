import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { issueToken } from '../../api/auth.js';
import type { Database } from '../../db/client.js';
import { cases } from '../../db/schema.js';
import type { Actor } from '../../policy/actors.js';
import { caseWorker, districtOffice, registerHousehold, testDatabase } from '../support/stack.js';
import { createDevServerEnv } from '../support/temporal.js';

const SECRET = 'e2e-secret';
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
    caseSettings: { reviewWorkingDays: 20, reminderWorkingDays: 3 },
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

async function call(method: string, path: string, actor: Actor | null, body?: unknown) {
  const headers: Record<string, string> = {};
  if (actor) headers.authorization = `Bearer ${issueToken(SECRET, actor, Math.floor(Date.now() / 1000) + 600)}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not reached within 10 s');
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
  expect(accepted.body.status).toBe('review_accepted');

  const [projection] = await database.db.select().from(cases).where(eq(cases.caseId, caseId));
  expect(projection).toMatchObject({ status: 'review_accepted', districtCode: '120116', category: 'emerging' });
  const trail = await call('GET', `/cases/${caseId}/events`, household);
  expect(trail.body).toEqual([
    expect.objectContaining({ seq: 1, action: 'submitted', actorId: uscc }),
    expect.objectContaining({ seq: 2, action: 'deadline_set', actorRole: 'system' }),
    expect.objectContaining({ seq: 3, action: 'review_accepted', actorId: reviewer.id, reason: 'E3 verified' }),
  ]);
});
