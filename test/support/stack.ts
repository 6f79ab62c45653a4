import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerCaseSearchAttributes } from '../../scripts/search-attributes.js';
import type { Worker } from '@temporalio/worker';
import { and, eq } from 'drizzle-orm';
import { afterAll, inject } from 'vitest';
import { connectDatabase, type Database } from '../../db/client.js';
import { departments } from '../../db/recognition-schema.js';
import { households } from '../../db/schema.js';
import { householdTiers, tieringRuns } from '../../db/tiering-schema.js';
import type { Actor } from '../../policy/actors.js';
import type { Department } from '../../policy/departments.js';
import { cstDateOf, startOfCstDay } from '../../policy/dates.js';
import { TIANJIN_DISTRICTS } from '../../policy/districts.js';
import { storedTrace } from '../../policy/tier-trace.js';
import { DEFAULT_TIER_THRESHOLDS, TIER_RULES_VERSION, decideTier, type HouseholdFacts } from '../../policy/tiering.js';
import { usccCheckCharacter } from '../../policy/uscc.js';
import { createWorker } from '../../workflows/worker.js';
import { createTimeSkippingEnv } from './temporal.js';

export function testDatabase(): Database {
  return connectDatabase(inject('databaseUrl'), { max: 5 });
}

/**
 * A test file's time-skipping server and its connection to the run's database, awaited as the
 * file loads (`const { env, database } = await timeSkippingStack();`) and closed after its last
 * test. A file that needs a database of its own (an empty one, or one no other file's runs
 * touch) names how to make it in `ownDatabase`; it is dropped after the last test.
 */
export async function timeSkippingStack(
  options: { ownDatabase?: () => Promise<{ database: Database; drop(): Promise<void> }> } = {},
): Promise<{ env: TestWorkflowEnvironment; database: Database }> {
  const [env, own] = await Promise.all([createTimeSkippingEnv(), options.ownDatabase?.()]);
  const database = own?.database ?? testDatabase();
  afterAll(async () => {
    await (own ? own.drop() : database.close());
    await env.teardown();
  });
  await registerCaseSearchAttributes(env.connection, env.namespace ?? 'default');
  return { env, database };
}

/** A worker on its own task queue, running the bundle the global setup built once. */
export async function caseWorker(
  env: TestWorkflowEnvironment,
  database: Database,
): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = `cases-${randomUUID()}`;
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    db: database.db,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  return { worker, taskQueue };
}

/** Growth + development households per district in the fixture run: caps of 100 places each (C-QUOTA). */
const FIXTURE_GROWTH_PER_DISTRICT = 2000;
const fixtureRuns = new Map<number, Promise<{ runId: number; completedAt: Date }>>();

/**
 * A completed tiering run of `year` in force since 1 January (CST), so that applications of that
 * year are open (C-CYCLE) and its quota can be set (C-QUOTA). Test files share the database and
 * run in parallel: the fixed workflow ID makes the first insert win and the others find it.
 */
function tieringRunInForce(database: Database, year: number): Promise<{ runId: number; completedAt: Date }> {
  let run = fixtureRuns.get(year);
  if (!run) {
    run = (async () => {
      const workflowId = `test-fixture-tiering-run-${year}`;
      const completedAt = new Date(startOfCstDay(`${year}-01-01`));
      const districts = Object.keys(TIANJIN_DISTRICTS);
      const counts = { survival: 0, growth: FIXTURE_GROWTH_PER_DISTRICT, development: 0, unclassified: 0 };
      const total = FIXTURE_GROWTH_PER_DISTRICT * districts.length;
      await database.db
        .insert(tieringRuns)
        .values({
          year,
          version: 1,
          asOf: `${year}-01-01`,
          thresholds: DEFAULT_TIER_THRESHOLDS,
          ruleVersion: TIER_RULES_VERSION,
          status: 'completed',
          workflowId,
          requestedBy: 'test-fixture',
          startedAt: completedAt,
          completedAt,
          households: total,
          processed: total,
          countsByTier: { ...counts, growth: total },
          countsByDistrict: Object.fromEntries(districts.map((code) => [code, counts])),
          quotaBase: total,
          inForce: true,
        })
        .onConflictDoNothing();
      const [inForce] = await database.db
        .select({ runId: tieringRuns.id, completedAt: tieringRuns.completedAt })
        .from(tieringRuns)
        .where(and(eq(tieringRuns.year, year), eq(tieringRuns.inForce, true)));
      if (!inForce?.completedAt) throw new Error(`no completed tiering run of ${year} in force for the test households`);
      return { runId: inForce.runId, completedAt: inForce.completedAt };
    })();
    fixtureRuns.set(year, run);
  }
  return run;
}

/** What a growth household looks like to the tiering rules on 1 January of `year`. */
function growthFacts(uscc: string, year: number): HouseholdFacts {
  return {
    uscc,
    establishedOn: '2018-05-01',
    status: 'active',
    seasonal: false,
    suspendedOn: null,
    annualReports: [{ year: year - 1, filedOn: `${year}-01-01`, revenue: 200_000 }],
    tax: [{ year: year - 1, taxRegisteredOn: '2018-06-01', generalTaxpayer: false, vatPaid: 3_000, iitPaid: 0, abnormal: false }],
    socialInsurance: [],
    ipRights: [],
    creditEvents: [],
  };
}

let serial = 0;
/**
 * A fresh household with a valid USCC in `district`, registered so that applications find it.
 * By default it may apply this (CST) year: its tier in force is growth from the year's tiering
 * run (C-SRC), which is in force (C-CYCLE; with YEAR_ROUND_ELIGIBILITY_SETTINGS on any date).
 * `eligible: false` leaves it untiered, so an application fails C-SRC.
 */
export async function registerHousehold(
  database: Database,
  district = '120104',
  options: { eligible?: boolean } = {},
): Promise<{ uscc: string; actor: Actor }> {
  serial += 1;
  const organisation = `T${String(process.pid % 100_000).padStart(5, '0')}${String(serial).padStart(3, '0')}`;
  const first17 = `92${district}${organisation}`;
  const uscc = first17 + usccCheckCharacter(first17);
  await database.db
    .insert(households)
    .values({
      uscc,
      name: `测试个体户${serial}`,
      operatorId: `op-${uscc}`,
      operatorName: '测试',
      districtCode: district,
      establishedOn: '2018-05-01',
      status: 'active',
    })
    .onConflictDoNothing();
  if (options.eligible ?? true) {
    const year = Number(cstDateOf(Date.now()).slice(0, 4));
    const run = await tieringRunInForce(database, year);
    const facts = growthFacts(uscc, year);
    const decision = decideTier(facts, `${year}-01-01`, DEFAULT_TIER_THRESHOLDS);
    await database.db
      .insert(householdTiers)
      .values({
        uscc,
        year,
        tier: decision.tier,
        source: 'run',
        runId: run.runId,
        asOf: `${year}-01-01`,
        ruleVersion: TIER_RULES_VERSION,
        trace: storedTrace(decision, facts, DEFAULT_TIER_THRESHOLDS),
        decidedAt: run.completedAt,
      })
      .onConflictDoNothing();
  }
  return { uscc, actor: { id: uscc, role: 'household', uscc } };
}

/** Registers departments beside the seeded city-level ones (the deployment's districts' departments). */
export async function registerDepartments(database: Database, ...entries: Department[]): Promise<void> {
  await database.db.insert(departments).values(entries).onConflictDoNothing({ target: departments.id });
}

export function districtOffice(districtCode: string): Actor {
  return { id: `reviewer-${districtCode}`, role: 'district', districtCode };
}

/**
 * With RECORD_HISTORIES=1 the scenario's history is saved for the replay test, which then
 * guards running cases against incompatible workflow changes.
 */
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  const folder = new URL('../histories/', import.meta.url);
  mkdirSync(folder, { recursive: true });
  // A failure's stack trace names the recording machine's paths; replay reads none of it.
  const withoutStackTraces = historyToJSON(history).replace(/"stackTrace":\s*"(?:[^"\\]|\\.)*"/g, '"stackTrace": ""');
  writeFileSync(new URL(`${name}.json`, folder), withoutStackTraces);
}
