import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll } from 'vitest';
import { buildApp } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { caseWorker, testDatabase, timeSkippingStack } from './stack.js';
import type { AppDeps } from '../../api/deps.js';

export interface CaseApiStack {
  env: TestWorkflowEnvironment;
  database: Database;
  app: FastifyInstance;
  /** The worker's own task queue, where the API starts its cases. */
  taskQueue: string;
}

/**
 * The API over a time-skipping Temporal server, with a running case worker, on the test
 * database, for a test file: awaited as the file loads and stopped after its last test. `now` is
 * the API's clock: the tests move it along with the simulated time.
 */
export async function caseApiStack(
  deps: { authSecret: string; now: () => number } & Partial<Omit<AppDeps, 'database' | 'temporal' | 'taskQueue'>>,
): Promise<CaseApiStack> {
  const { env, database } = await timeSkippingStack();
  const { worker, taskQueue } = await caseWorker(env, database);
  const workerRun = worker.run();
  // The time-skipping server's clock runs ahead of the wall clock that decisions' time limits are set in.
  const app = await buildApp({ database, temporal: env.client, caseSettings: DEFAULT_CASE_SETTINGS, taskQueue, decisionsExpire: false, ...deps });
  // After-all hooks run last registered first: the API and the worker stop before the server and the database.
  afterAll(async () => {
    await app.close();
    worker.shutdown();
    await workerRun;
  });
  return { env, database, app, taskQueue };
}

/**
 * The API on the test database, for routes that never reach Temporal (its client would connect
 * only when used), for a test file: awaited as the file loads and closed after its last test.
 */
export async function databaseApi(authSecret: string): Promise<{ database: Database; app: FastifyInstance }> {
  const database = testDatabase();
  const app = await buildApp({ database, temporal: new Client(), authSecret, caseSettings: DEFAULT_CASE_SETTINGS });
  afterAll(async () => {
    await app.close();
    await database.close();
  });
  return { database, app };
}
