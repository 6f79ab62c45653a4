import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { caseWorker, testDatabase } from './stack.js';
import { createTimeSkippingEnv } from './temporal.js';

export interface CaseApiStack {
  env: TestWorkflowEnvironment;
  database: Database;
  app: FastifyInstance;
  /** The worker's own task queue, where the API starts its cases. */
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * The API over a time-skipping Temporal server, with a running case worker, on the test
 * database. `now` is the API's clock: the tests move it along with the simulated time.
 */
export async function startCaseApiStack(
  deps: { authSecret: string; now: () => number } & Partial<Omit<AppDeps, 'database' | 'temporal' | 'taskQueue'>>,
): Promise<CaseApiStack> {
  const env = await createTimeSkippingEnv();
  const database = testDatabase();
  const { worker, taskQueue } = await caseWorker(env, database);
  const workerRun = worker.run();
  // The time-skipping server's clock runs ahead of the wall clock that decisions' time limits are set in.
  const app = await buildApp({ database, temporal: env.client, caseSettings: DEFAULT_CASE_SETTINGS, taskQueue, decisionsExpire: false, ...deps });
  return {
    env,
    database,
    app,
    taskQueue,
    async stop() {
      await app.close();
      worker.shutdown();
      await workerRun;
      await database.close();
      await env.teardown();
    },
  };
}

/** The API on the test database, for routes that never reach Temporal: its client would connect only when used. */
export async function startDatabaseApi(authSecret: string): Promise<{ database: Database; app: FastifyInstance; stop(): Promise<void> }> {
  const database = testDatabase();
  const app = await buildApp({ database, temporal: new Client(), authSecret, caseSettings: DEFAULT_CASE_SETTINGS });
  return {
    database,
    app,
    async stop() {
      await app.close();
      await database.close();
    },
  };
}
