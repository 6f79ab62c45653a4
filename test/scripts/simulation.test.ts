// A short run of the lifecycle simulation on real parts (time-skipping server, PostgreSQL, the
// workers and the API): the invariants hold, and the run reaches the recognised phase and its
// first July.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { markTrainingDatabase } from '../../db/training-marker.js';
import { cstDateOf, yearOf } from '../../policy/dates.js';
import { DEFAULT_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { freePort } from '../../scripts/postgres.js';
import { SIMULATION_RATE_LIMITS, randomSecret, runSimulation } from '../../scripts/simulation.js';
import { startTrainingTemporal } from '../../scripts/training-system.js';
import { createWorkers } from '../../workflows/worker.js';
import { ownDatabase } from '../support/own-database.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

it('runs a small cohort through two years with every invariant held', async () => {
  const database = await ownDatabase('simulation');
  cleanup.push(database.drop);
  await markTrainingDatabase(database);
  const temporal = await startTrainingTemporal(await freePort());
  cleanup.push(temporal.stop);
  const connection = await NativeConnection.connect({ address: temporal.address });
  cleanup.push(() => connection.close());
  const workers: Worker[] = await createWorkers({ connection, namespace: 'default', db: database.db, now: temporal.clock.now, workflowBundle: { codePath: inject('workflowBundlePath') } });
  const workerRuns = Promise.all(workers.map((worker) => worker.run()));
  cleanup.push(async () => {
    for (const worker of workers) worker.shutdown();
    await workerRuns;
  });
  const clientConnection = await Connection.connect({ address: temporal.address });
  cleanup.push(() => clientConnection.close());
  const authSecret = randomSecret();
  const app = await buildApp({ database, temporal: new Client({ connection: clientConnection }), authSecret, caseSettings: DEFAULT_CASE_SETTINGS, eligibilitySettings: DEFAULT_ELIGIBILITY_SETTINGS, training: temporal.clock, rateLimits: SIMULATION_RATE_LIMITS });
  cleanup.push(() => app.close());
  const cityDir = mkdtempSync(join(tmpdir(), 'simulated-city-'));
  cleanup.push(async () => rmSync(cityDir, { recursive: true, force: true }));

  const startYear = yearOf(cstDateOf(Date.now())) + 1;
  const report = await runSimulation({ app, database, clock: temporal.clock, authSecret, cityDir }, { years: 2, households: 800, seed: 7, startYear });

  expect(report.invariants).toEqual({ quotaNeverExceeded: [], clockActionsOnce: [], validForItsTerm: [], noCaseLost: [] });
  expect(report.casesStarted).toBeGreaterThan(20);
  const outcomes = Object.values(report.casesByYearAndOutcome);
  expect(outcomes.some((o) => (o.recognised ?? 0) + (o.cancelled ?? 0) + (o.revoked ?? 0) > 0)).toBe(true);
  expect(report.fired.annual_report_reminder ?? 0).toBeGreaterThan(0);
  expect(report.fired.reminder_sent ?? 0).toBeGreaterThan(0);
  for (const rows of Object.values(report.quotaByYear)) for (const row of rows) expect(row.used).toBeLessThanOrEqual(row.cap);
}, 300_000);
