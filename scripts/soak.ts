/**
 * `npm run soak -- --minutes N`: for N minutes, tiering runs and case decisions go on while random
 * faults are done to the parts, each kind in turn — PostgreSQL restarted, the backends of running chunks terminated,
 * the worker killed (SIGKILL) or stopped (SIGTERM) and started again, the Temporal dev server
 * restarted — and at the end the invariants are checked: every run completed with exactly the
 * counts of a run without faults, every case decided once per decision it answered, every answer
 * a 2xx, 4xx or 503 within 30 s, the worker never dead unless killed on purpose. Prints figures;
 * exits 1 if an invariant broke. Everything runs on 127.0.0.1, in `.data/soak` (removed at the end).
 *
 * Options: --minutes (5), --households (20000), --seed (42), --keep (leave .data/soak).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { importFeed } from '../activities/feed-import/importer.js';
import { issueToken, tokenTimes } from '../api/auth.js';
import { buildApp } from '../api/app.js';
import { connectDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import type { Actor } from '../policy/actors.js';
import { cstDateOf, yearOf } from '../policy/dates.js';
import { YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../policy/eligibility.js';
import { FEEDS, FEED_NAMES } from '../policy/feeds.js';
import { DEFAULT_CASE_SETTINGS } from '../policy/recognition-case.js';
import { writeWorkflowBundle } from '../workflows/worker.js';
import { restartablePostgres, restartableTemporal, startWorkerProcess, waitUntil, type WorkerProcess } from './fault-harness.js';
import { defaultAsOf, writeCity } from './generate-city.js';

const { values: options } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    households: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '42' },
    keep: { type: 'boolean', default: false },
  },
});
const minutes = Number(options.minutes);
const householdCount = Number(options.households);
if (!(minutes > 0) || !Number.isInteger(householdCount) || householdCount < 100) {
  console.error('usage: npm run soak -- --minutes N [--households H (>= 100)] [--seed S] [--keep]');
  process.exit(2);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const soakDir = resolve(root, '.data/soak');
const SECRET = randomUUID();
const CITY: Actor = { id: 'soak-city-office', role: 'city' };
const ANSWER_LIMIT_MS = 30_000;
const FAULTS = ['postgres-restart', 'terminate-chunk-backends', 'worker-kill', 'worker-stop', 'temporal-restart'] as const;
type Fault = (typeof FAULTS)[number];

const figures = {
  faults: Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>,
  runs: 0,
  runsExact: 0,
  decisions: 0,
  decisionsTakenOnce: 0,
  answers: {} as Record<string, number>,
  slowestAnswerMs: 0,
  workerDeaths: 0,
};
const violations: string[] = [];

rmSync(soakDir, { recursive: true, force: true });
const today = cstDateOf(Date.now());
const asOf = defaultAsOf(today);
console.log(`soak: ${minutes} min on ${householdCount} households (seed ${options.seed}), runs as of ${asOf}`);

const [pg, temporal] = await Promise.all([restartablePostgres(join(soakDir, 'pg'), 'soak'), restartableTemporal(join(soakDir, 'temporal'))]);
const database = connectDatabase(pg.url, { max: 6 });
await migrateDatabase(database);
const city = await writeCity({ households: householdCount, seed: Number(options.seed), asOf, out: join(soakDir, 'city') });
for (const feed of FEED_NAMES) {
  await importFeed({ database, feed, input: createReadStream(join(soakDir, 'city', FEEDS[feed].fileName)), fileName: FEEDS[feed].fileName, importedBy: CITY.id, today });
}
const bundlePath = join(soakDir, 'workflow-bundle.js');
await writeWorkflowBundle(bundlePath);

const client = new Client({ connection: await Connection.connect({ address: temporal.address }), namespace: temporal.namespace });
const app = await buildApp({
  database,
  temporal: client,
  authSecret: SECRET,
  caseSettings: DEFAULT_CASE_SETTINGS,
  eligibilitySettings: YEAR_ROUND_ELIGIBILITY_SETTINGS,
});
const bearer = (actor: Actor) => ({ authorization: `Bearer ${issueToken(SECRET, actor, tokenTimes(Date.now(), 12 * 3600))}` });

const startWorker = () =>
  startWorkerProcess('scripts/worker.ts', root, {
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    WORKFLOW_BUNDLE_PATH: bundlePath,
    LOG_LEVEL: 'warn',
  });
let worker: WorkerProcess = await startWorker();

/** Every API answer is counted; one that is not 2xx, 4xx or 503, or that took longer than 30 s, breaks an invariant. */
async function call(method: 'GET' | 'POST', url: string, actor: Actor, payload?: unknown, key?: string) {
  const started = Date.now();
  const headers = { ...bearer(actor), ...(key ? { 'idempotency-key': key } : {}) };
  const response = await app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const elapsed = Date.now() - started;
  figures.answers[response.statusCode] = (figures.answers[response.statusCode] ?? 0) + 1;
  figures.slowestAnswerMs = Math.max(figures.slowestAnswerMs, elapsed);
  const honest = (response.statusCode >= 200 && response.statusCode < 300) || (response.statusCode >= 400 && response.statusCode < 500) || response.statusCode === 503;
  if (!honest) violations.push(`${method} ${url} answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
  if (elapsed > ANSWER_LIMIT_MS) violations.push(`${method} ${url} took ${elapsed} ms`);
  return response;
}

/** Sends until the answer is not a 503, with the same key: the decision must be taken once. */
async function untilAnswered(method: 'POST' | 'GET', url: string, actor: Actor, payload?: unknown, key?: string) {
  for (let attempt = 1; ; attempt++) {
    const response = await call(method, url, actor, payload, key);
    if (response.statusCode !== 503) return response;
    if (attempt > 60) throw new Error(`${method} ${url} still answers 503 after ${attempt} tries`);
    await new Promise((r) => setTimeout(r, Number(response.headers['retry-after'] ?? 5) * 1000));
  }
}

/**
 * Does `fault`; while the part is down, `whileDown` checks what the API answers: a case read from
 * its record while no worker runs, 503 with Retry-After while PostgreSQL is down.
 */
async function doFault(fault: Fault, caseUrl: string, reader: Actor): Promise<void> {
  figures.faults[fault] += 1;
  const pause = () => new Promise((r) => setTimeout(r, 500 + Math.random() * 2_000));
  switch (fault) {
    case 'postgres-restart': {
      await pg.stop();
      const during = await call('GET', caseUrl, reader);
      if (during.statusCode !== 503 || during.headers['retry-after'] === undefined) {
        violations.push(`with PostgreSQL down, GET ${caseUrl} answered ${during.statusCode} (Retry-After ${String(during.headers['retry-after'])})`);
      }
      await pause();
      return pg.start();
    }
    case 'terminate-chunk-backends':
      await pg.terminateBackends('copy tiering_results%');
      return;
    case 'worker-kill':
    case 'worker-stop': {
      await (fault === 'worker-kill' ? worker.kill() : worker.stop());
      const during = await call('GET', caseUrl, reader);
      if (during.statusCode !== 200) violations.push(`with no worker, GET ${caseUrl} answered ${during.statusCode}: ${during.body.slice(0, 200)}`);
      await pause();
      worker = await startWorker();
      return;
    }
    case 'temporal-restart':
      await temporal.stop();
      await pause();
      return temporal.start();
  }
}

/**
 * A case of the soak's own: a registered, growth-tiered household (C-SRC) whose application opens the
 * review. The generated city lists some operators as dishonest (C-EX2) or fined (C-EX1); the API's 422
 * for those is right, and the next household is tried.
 */
let caseSerial = 0;
async function openCase(): Promise<{ caseId: string; reviewer: Actor }> {
  for (;;) {
    caseSerial += 1;
    const [row] = await database.sql`
      select r.uscc, r.district_code from tiering_results r
      join tiering_runs run on run.id = r.run_id and run.in_force
      where r.tier = 'growth' and not exists (select 1 from cases c where c.uscc = r.uscc)
      order by r.uscc offset ${caseSerial} limit 1`;
    if (!row) throw new Error('no growth household left to apply');
    const uscc = row.uscc as string;
    const household: Actor = { id: uscc, role: 'household', uscc };
    const applied = await untilAnswered('POST', '/applications', household, { uscc, category: 'quality', claimedCriteria: ['Q1'] });
    if (applied.statusCode === 422) continue;
    if (applied.statusCode !== 201) throw new Error(`the application of ${uscc} answered ${applied.statusCode}: ${applied.body}`);
    return { caseId: applied.json().caseId as string, reviewer: { id: `soak-reviewer-${row.district_code}`, role: 'district', districtCode: row.district_code as string } };
  }
}

interface RunFigures {
  households: number;
  countsByTier: unknown;
  countsByDistrict: unknown;
}
let baseline: RunFigures | null = null;

async function checkRun(runId: number): Promise<void> {
  const [run] = await database.sql`
    select status, households, processed, counts_by_tier, counts_by_district,
           (select count(*)::int from tiering_results where run_id = ${runId}) as results,
           (select coalesce(sum(households), 0)::int from tiering_run_chunks where run_id = ${runId}) as chunked
    from tiering_runs where id = ${runId}`;
  figures.runs += 1;
  const problems: string[] = [];
  if (run!.status !== 'completed') problems.push(`status ${run!.status}`);
  if (run!.processed !== run!.households || run!.results !== run!.households || run!.chunked !== run!.households) {
    problems.push(`households ${run!.households}, processed ${run!.processed}, results ${run!.results}, chunk rows ${run!.chunked}`);
  }
  const figuresOfRun: RunFigures = { households: run!.households, countsByTier: run!.counts_by_tier, countsByDistrict: run!.counts_by_district };
  baseline ??= figuresOfRun;
  if (JSON.stringify(figuresOfRun) !== JSON.stringify(baseline)) problems.push(`counts differ from the run without faults: ${JSON.stringify(figuresOfRun.countsByTier)}`);
  if (problems.length > 0) violations.push(`run ${runId}: ${problems.join('; ')}`);
  else figures.runsExact += 1;
}

async function tieringRun(): Promise<number> {
  const started = await untilAnswered('POST', '/tiering/runs', CITY, { year: yearOf(asOf), asOf, chunkSize: Math.max(500, Math.ceil(householdCount / 40)) });
  // A start answered 503 may have gone through: the retry then finds that run running.
  const running = started.statusCode === 409 ? (started.json().details?.runId as number | undefined) : undefined;
  if (running !== undefined) return running;
  if (started.statusCode !== 202) throw new Error(`POST /tiering/runs answered ${started.statusCode}: ${started.body}`);
  return started.json().runId as number;
}

async function runFinished(runId: number): Promise<boolean> {
  const [row] = await database.sql`select status, tiers_applied_at from tiering_runs where id = ${runId}`.catch(() => [undefined]);
  return row !== undefined && row.status !== 'running' && (row.status !== 'completed' || row.tiers_applied_at !== null);
}

// The run without faults, which every later run must equal, and which puts a run in force for the cases.
const firstRun = await tieringRun();
await waitUntil('the first run is done', () => runFinished(firstRun), 10 * 60_000);
await checkRun(firstRun);
console.log(`baseline run ${firstRun}: ${JSON.stringify(baseline!.countsByTier)} (the generator made ${JSON.stringify(city.tiers)})`);

const endAt = Date.now() + minutes * 60_000;
while (Date.now() < endAt) {
  const { caseId, reviewer } = await openCase();
  await waitUntil('the case is recorded', async () => (await call('GET', `/cases/${caseId}`, reviewer)).statusCode === 200, 120_000);
  const runId = await tieringRun();
  // Each kind in turn, so that N rounds do every kind N / 5 times; when, within the round, is random.
  const fault = FAULTS[(figures.runs - 1) % FAULTS.length]!;
  // The fault strikes while the run runs and while a decision is on its way.
  await new Promise((r) => setTimeout(r, Math.random() * 1_500));
  const key = `soak-${caseId}-accept`;
  const [decided] = await Promise.all([
    (async () => {
      await new Promise((r) => setTimeout(r, Math.random() * 1_000));
      return untilAnswered('POST', `/cases/${caseId}/review`, reviewer, { decision: 'accept', reason: 'soak' }, key);
    })(),
    doFault(fault, `/cases/${caseId}`, reviewer),
  ]);
  figures.decisions += 1;
  await waitUntil(`run ${runId} is done`, () => runFinished(runId), 10 * 60_000);
  await checkRun(runId);
  const trail = await untilAnswered('GET', `/cases/${caseId}/events`, reviewer);
  const accepted = (trail.json() as Array<{ action: string }>).filter((e) => e.action === 'review_accepted').length;
  if (decided.statusCode === 200 && accepted === 1) figures.decisionsTakenOnce += 1;
  else violations.push(`case ${caseId}: the decision answered ${decided.statusCode} and its trail holds ${accepted} review_accepted`);
  if (!worker.alive()) {
    figures.workerDeaths += 1;
    violations.push(`the worker died (not killed on purpose): ${worker.errorOutput().split('\n').slice(-5).join(' | ')}`);
    worker = await startWorker();
  }
  console.log(`round ${figures.runs - 1}: ${fault}; run ${runId} ${violations.length === 0 ? 'exact' : 'see below'}; decision ${decided.statusCode}`);
}

console.log('\nsoak figures');
console.log(`  faults          ${Object.entries(figures.faults).map(([f, n]) => `${f} ${n}`).join(', ')}`);
console.log(`  runs            ${figures.runsExact} of ${figures.runs} completed with exact counts`);
console.log(`  decisions       ${figures.decisionsTakenOnce} of ${figures.decisions} taken exactly once`);
console.log(`  answers         ${Object.entries(figures.answers).map(([s, n]) => `${s}: ${n}`).join(', ')}; slowest ${figures.slowestAnswerMs} ms`);
console.log(`  worker deaths   ${figures.workerDeaths} (besides the kills done on purpose)`);
console.log(violations.length === 0 ? '  invariants      all held' : `  invariants      ${violations.length} broken:\n    ${violations.join('\n    ')}`);

await worker.stop();
await app.close();
await client.connection.close();
await database.close();
await temporal.stop();
await pg.stop();
if (!options.keep && existsSync(soakDir)) rmSync(soakDir, { recursive: true, force: true });
process.exit(violations.length === 0 ? 0 : 1);
