/**
 * The production topology on one machine, as `npm run topology` and its test run it: PostgreSQL
 * (embedded) holding the application's database and, apart, Temporal's two; the Temporal server
 * built from go.temporal.io/server persisting to them; the API and two workers, each a process of
 * its own. A city is imported and tiered (run 1, the baseline); a household applies; then, while a
 * second run's chunks are being tiered and the district office's acceptance of the case is on its
 * way, the worker that holds both is killed (SIGKILL). Returns the figures and the invariants that
 * broke: the run's counts equal the households and the baseline, every chunk is stored once, the
 * decision is taken once, the audit trail holds no duplicate, and the API answered throughout.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { importFeed } from '../activities/feed-import/importer.js';
import { issueToken, tokenTimes } from '../api/auth.js';
import { connectDatabase, type Database } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import type { Actor } from '../policy/actors.js';
import { cstDateOf, yearOf } from '../policy/dates.js';
import { FEEDS, FEED_NAMES } from '../policy/feeds.js';
import { writeWorkflowBundle } from '../workflows/worker.js';
import { startWorkerProcess, waitUntil, type WorkerProcess } from './fault-harness.js';
import { defaultAsOf, writeCity } from './generate-city.js';
import { freePort, startPostgres, withDatabase } from './postgres.js';
import { temporalServerTools } from './toolchain.js';
import { startTemporalOnPostgres } from './topology-temporal.js';

export interface TopologyOptions {
  households: number;
  chunkSize: number;
  /** Chunk activities at a time: more than one worker's share, so that both take chunks. */
  concurrency: number;
  seed: number;
  /** Where everything lives while it runs (removed at the end unless `keep`). */
  dataDir: string;
  keep: boolean;
  /** Run the API and the workers from `npm run build`'s dist/ with plain node, as the image does, instead of the sources through tsx. */
  compiled?: boolean;
  log?: (line: string) => void;
}

export interface ChunkPlacement {
  chunk: number;
  /** The worker (process ID) whose attempt stored the chunk. */
  worker: number;
  attempt: number;
}

export interface RunFigures {
  runId: number;
  status: string;
  households: number;
  processed: number;
  results: number;
  distinctHouseholds: number;
  chunkRows: number;
  chunkRowHouseholds: number;
  chunksTotal: number;
  countsByTier: Record<string, number>;
  tiersApplied: boolean;
  seconds: number;
  /** Chunks stored, by worker process ID. */
  chunksByWorker: Record<number, number>;
  placements: ChunkPlacement[];
}

export interface ApiAnswers {
  requests: number;
  byStatus: Record<string, number>;
  slowestMs: number;
  /** Each answer that was not 200: what, when (since the poller began) and after how long. */
  failures: string[];
}

export interface TopologyFigures {
  date: string;
  households: number;
  registeredHouseholds: number;
  timings: Record<string, number>;
  temporal: { address: string; historyShards: number; databases: { history: string; visibility: string } };
  workers: number[];
  run1: RunFigures;
  run2: RunFigures;
  kill: {
    worker: number;
    /** Chunks of run 2 the killed worker held, and how many were stored before it died. */
    chunksRunning: number[];
    processedAtKill: number;
    secondsToComplete: number;
  };
  decision: { caseId: string; answers: number[]; ms: number; reviewAccepted: number; status: string; duplicateAuditActions: string[] };
  /** Answers of the API while the killed worker's work was taken over, and over the whole run. */
  apiDuringKill: ApiAnswers;
  apiOverall: ApiAnswers;
  temporalRows: { executions: number; historyNodes: number; visibility: number };
  violations: string[];
}

const CITY: Actor = { id: 'topology-city-office', role: 'city' };
const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

export async function runTopology(options: TopologyOptions): Promise<TopologyFigures> {
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir);
  rmSync(dataDir, { recursive: true, force: true });
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await step();
    timings[name] = Date.now() - started;
    log(`  ${name.padEnd(22)} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
  const stops: Array<() => Promise<unknown>> = [];
  const violations: string[] = [];

  try {
    const tools = temporalServerTools();
    const pgPort = await freePort();
    const pg = await timed('postgres', () => startPostgres({ dataDir: join(dataDir, 'postgres'), port: pgPort, database: 'mingteyouxin' }));
    stops.push(() => pg.stop());
    const adminUrl = new URL(pg.url);
    adminUrl.pathname = '/postgres';

    const temporal = await timed('temporal schema+start', () =>
      startTemporalOnPostgres({ ...tools, postgres: { host: '127.0.0.1', port: pgPort, adminUrl: adminUrl.toString() }, dataDir: join(dataDir, 'temporal') }),
    );
    timings.temporalSchema = temporal.timings.schemaMs;
    timings.temporalStart = temporal.timings.startMs;
    stops.push(() => temporal.stop());

    const database = connectDatabase(pg.url, { max: 4 });
    stops.push(() => database.close());
    const today = cstDateOf(Date.now());
    const asOf = defaultAsOf(today);
    await timed('city written+imported', async () => {
      await migrateDatabase(database);
      await writeCity({ households: options.households, seed: options.seed, asOf, out: join(dataDir, 'city') });
      for (const feed of FEED_NAMES) {
        const fileName = FEEDS[feed].fileName;
        await importFeed({ database, feed, input: createReadStream(join(dataDir, 'city', fileName)), fileName, importedBy: CITY.id, today });
      }
    });
    const [{ registered }] = (await database.sql`select count(*)::int as registered from households`) as unknown as [{ registered: number }];

    const entries = options.compiled ? COMPILED_ENTRIES : SOURCE_ENTRIES;
    const bundlePath = options.compiled ? join(repositoryRoot, 'dist', 'workflow-bundle.js') : join(dataDir, 'workflow-bundle.js');
    if (options.compiled) {
      for (const file of [bundlePath, join(repositoryRoot, entries.api), join(repositoryRoot, entries.worker)]) {
        if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
      }
    } else {
      await timed('workflows bundled', async () => {
        await writeWorkflowBundle(bundlePath);
      });
    }

    const secret = randomUUID() + randomUUID();
    const common = { DATABASE_URL: pg.url, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, LOG_LEVEL: 'warn' };
    const apiPort = await freePort();
    const [workerA, workerB, api] = await timed('api+2 workers ready', () =>
      Promise.all([
        startProcess(entries, 'worker', { ...common, WORKFLOW_BUNDLE_PATH: bundlePath }, 'ready'),
        startProcess(entries, 'worker', { ...common, WORKFLOW_BUNDLE_PATH: bundlePath }, 'ready'),
        startProcess(
          entries,
          'api',
          {
            ...common,
            AUTH_SECRET: secret,
            API_HOST: '127.0.0.1',
            API_PORT: String(apiPort),
            // Applications on any day of the year, so that a case can be opened whatever today is.
            APPLICATION_WINDOW: 'year-round',
            // The poller below reads several times a second as one actor.
            RATE_LIMIT_PER_ACTOR: '100000',
            RATE_LIMIT_ANONYMOUS_READS: '100000',
          },
          null,
        ),
      ]),
    );
    for (const child of [workerA, workerB, api]) stops.push(() => child.stop());
    const workers = [workerA.child.pid!, workerB.child.pid!];
    const base = `http://127.0.0.1:${apiPort}`;
    await waitUntil('the API answers', async () => (await fetch(`${base}/health`).catch(() => null))?.status === 200, 60_000);

    const bearer = (actor: Actor) => `Bearer ${issueToken(secret, actor, tokenTimes(Date.now(), 3600))}`;
    const call = async (method: 'GET' | 'POST', path: string, actor: Actor | null, body?: unknown, key?: string) => {
      const headers: Record<string, string> = {};
      if (actor) headers.authorization = bearer(actor);
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (key) headers['idempotency-key'] = key;
      const response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: response.status, headers: response.headers, json: (await response.json().catch(() => null)) as any };
    };

    const client = new Client({ connection: await Connection.connect({ address: temporal.address }), namespace: temporal.namespace });
    stops.push(() => client.connection.close());

    // Poll the API all along: a health check and a case read, a few times a second.
    const poller = startPoller(base);
    stops.push(() => poller.stop());

    const year = yearOf(asOf);
    const startRun = async () => {
      const startedAt = Date.now();
      const started = await call('POST', '/tiering/runs', CITY, { year, asOf, chunkSize: options.chunkSize, concurrency: options.concurrency });
      if (started.status !== 202) throw new Error(`POST /tiering/runs answered ${started.status}: ${JSON.stringify(started.json)}`);
      return { runId: started.json.runId as number, workflowId: started.json.workflowId as string, startedAt };
    };
    const finished = async (runId: number) => {
      const [row] = await database.sql`select status, tiers_applied_at from tiering_runs where id = ${runId}`;
      return row !== undefined && row.status !== 'running' && (row.status !== 'completed' || row.tiers_applied_at !== null);
    };

    log('run 1: the baseline, both workers up');
    const first = await startRun();
    await waitUntil(`run ${first.runId} is done`, () => finished(first.runId), 10 * 60_000);
    const run1 = await runFigures(database, client, first, workers);

    log('a household applies');
    const { caseId, reviewer } = await openCase(database, call);
    await waitUntil('the case is recorded', async () => (await call('GET', `/cases/${caseId}`, reviewer)).status === 200, 60_000);
    poller.watch(`/cases/${caseId}`, bearer(reviewer));
    const caseWorkerPid = await lastWorkflowTaskWorker(client, caseId);
    const victim = caseWorkerPid === workerB.child.pid! ? workerB : workerA;

    log(`run 2: worker ${victim.child.pid!} (holding the case) is killed while it tiers a chunk and the case's acceptance is on its way`);
    const second = await startRun();
    const runHandle = client.workflow.getHandle(second.workflowId);
    // The activity IDs of the chunks the victim is tiering: first attempts name their worker once it has started them.
    const victimsChunkActivities = async () => {
      const { raw } = await runHandle.describe();
      return (raw.pendingActivities ?? [])
        .filter((a) => a.activityType?.name === 'tierChunk' && a.attempt === 1 && pidOf(a.lastWorkerIdentity) === victim.child.pid!)
        .map((a) => a.activityId ?? '');
    };
    // Frozen (SIGSTOP) once it is seen tiering a chunk, so that what it holds cannot change while it
    // is read: its first attempts still pending half a second later, when any completion it sent
    // before has reached the server. Thawed and tried again if it had just finished its chunks.
    let heldActivities: string[] = [];
    for (let tries = 0; heldActivities.length === 0; tries++) {
      if (tries >= 20) throw new Error(`worker ${victim.child.pid!} was never seen holding a chunk of run ${second.runId}`);
      await waitUntil(
        `worker ${victim.child.pid!} tiers a chunk of run ${second.runId} after some are stored`,
        async () => {
          const [row] = await database.sql`select count(*)::int as stored from tiering_run_chunks where run_id = ${second.runId}`;
          return (row!.stored as number) >= 2 && (await victimsChunkActivities()).length > 0;
        },
        120_000,
      );
      victim.freeze();
      await new Promise((r) => setTimeout(r, 500));
      heldActivities = await victimsChunkActivities();
      if (heldActivities.length === 0) victim.thaw();
    }
    const { byActivityId } = await scheduledChunks(client, second.workflowId);
    const chunksRunning = heldActivities.map((id) => byActivityId.get(id)).filter((chunk) => chunk !== undefined);
    const decisionKey = `topology-${caseId}-accept`;
    const decisionStarted = Date.now();
    // The acceptance goes to the case, whose worker is frozen and then dies with it.
    const decision = untilAnswered(() => call('POST', `/cases/${caseId}/review`, reviewer, { decision: 'accept', reason: '生产拓扑演练：受理' }, decisionKey));
    await new Promise((r) => setTimeout(r, 200));
    poller.mark();
    const killedAt = Date.now();
    await victim.kill();
    const [{ processed: processedAtKill }] = (await database.sql`select processed from tiering_runs where id = ${second.runId}`) as unknown as [{ processed: number }];
    log(`  killed worker ${victim.child.pid!} (SIGKILL) holding chunk(s) ${chunksRunning.join(', ') || 'none'}, with ${processedAtKill} of ${registered} households stored`);
    const answers = await decision;
    const decisionMs = Date.now() - decisionStarted;
    await waitUntil(`run ${second.runId} is done`, () => finished(second.runId), 10 * 60_000);
    const apiDuringKill = poller.sinceMark();
    const run2 = await runFigures(database, client, second, workers);
    // Until the run was complete with its tiers applied, by the database's clock.
    const secondsToComplete = (second.startedAt + run2.seconds * 1000 - killedAt) / 1000;

    const trail = await call('GET', `/cases/${caseId}/events`, reviewer);
    const actions = (trail.json as Array<{ action: string }>).map((e) => e.action);
    const reviewAccepted = actions.filter((a) => a === 'review_accepted').length;
    const duplicates = await database.sql`
      select action from case_events where case_id = ${caseId} group by action, from_status, to_status having count(*) > 1`;
    const [caseRow] = await database.sql`select status from cases where case_id = ${caseId}`;

    const temporalSql = connectDatabase(withDatabase(adminUrl, temporal.databases.history), { max: 1 });
    const visibilitySql = connectDatabase(withDatabase(adminUrl, temporal.databases.visibility), { max: 1 });
    const [rows] = await temporalSql.sql`select (select count(*)::int from executions) as executions, (select count(*)::int from history_node) as history_nodes`;
    const [visibility] = await visibilitySql.sql`select count(*)::int as executions from executions_visibility`;
    await Promise.all([temporalSql.close(), visibilitySql.close()]);

    // The invariants.
    for (const run of [run1, run2]) {
      const name = `run ${run.runId}`;
      if (run.status !== 'completed' || !run.tiersApplied) violations.push(`${name}: status ${run.status}, tiers applied ${run.tiersApplied}`);
      for (const [what, value] of Object.entries({ households: run.households, processed: run.processed, results: run.results, 'distinct households': run.distinctHouseholds, 'chunk rows households': run.chunkRowHouseholds })) {
        if (value !== registered) violations.push(`${name}: ${what} ${value}, households registered ${registered}`);
      }
      if (run.chunkRows !== run.chunksTotal) violations.push(`${name}: ${run.chunkRows} chunk rows of ${run.chunksTotal} chunks`);
      if (run.placements.length !== run.chunksTotal) violations.push(`${name}: ${run.placements.length} chunks completed in the history, ${run.chunksTotal} scheduled`);
      const stored = new Set(run.placements.map((p) => p.chunk));
      if (stored.size !== run.placements.length) violations.push(`${name}: a chunk completed twice in the history`);
    }
    if (JSON.stringify(run2.countsByTier) !== JSON.stringify(run1.countsByTier)) {
      violations.push(`run 2's counts ${JSON.stringify(run2.countsByTier)} differ from run 1's ${JSON.stringify(run1.countsByTier)}`);
    }
    for (const pid of workers) {
      if (!run1.chunksByWorker[pid]) violations.push(`run 1: worker ${pid} tiered no chunk; the chunks did not spread`);
    }
    const survivor = workers.find((pid) => pid !== victim.child.pid!)!;
    const redone = run2.placements.filter((p) => chunksRunning.includes(p.chunk));
    if (chunksRunning.length === 0) violations.push('run 2: the killed worker held no chunk when it died');
    if (redone.some((p) => p.worker !== survivor || p.attempt < 2)) {
      violations.push(`run 2: the killed worker's chunks ${chunksRunning.join(', ')} were stored by ${JSON.stringify(redone)}, not by worker ${survivor} on a later attempt`);
    }
    if (answers.at(-1) !== 200) violations.push(`the acceptance answered ${answers.join(', ')}`);
    if (reviewAccepted !== 1) violations.push(`the case's trail holds ${reviewAccepted} review_accepted`);
    if (duplicates.length > 0) violations.push(`the case's trail repeats ${duplicates.map((d) => d.action).join(', ')}`);
    const overall = poller.overall();
    for (const [label, answers] of [['during the kill', apiDuringKill], ['overall', overall]] as const) {
      const bad = Object.entries(answers.byStatus).filter(([status]) => status !== '200');
      if (bad.length > 0) violations.push(`the API answered ${JSON.stringify(answers.byStatus)} ${label}: ${answers.failures.join('; ')}`);
    }
    if (apiDuringKill.requests === 0) violations.push('the API was not polled while the killed worker\'s work was taken over');
    if (!workers.every((pid) => pid === victim.child.pid! || [workerA, workerB].find((w) => w.child.pid! === pid)!.alive())) {
      violations.push('the surviving worker died');
    }

    return {
      date: new Date().toISOString(),
      households: options.households,
      registeredHouseholds: registered,
      timings,
      temporal: { address: temporal.address, historyShards: temporal.historyShards, databases: temporal.databases },
      workers,
      run1,
      run2,
      kill: { worker: victim.child.pid!, chunksRunning, processedAtKill, secondsToComplete },
      decision: {
        caseId,
        answers,
        ms: decisionMs,
        reviewAccepted,
        status: caseRow?.status as string,
        duplicateAuditActions: duplicates.map((d) => d.action as string),
      },
      apiDuringKill,
      apiOverall: overall,
      temporalRows: { executions: rows!.executions as number, historyNodes: rows!.history_nodes as number, visibility: visibility!.executions as number },
      violations,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    if (!options.keep && existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The worker identity the SDK gives by default is `<pid>@<host>`. */
function pidOf(identity: string | null | undefined): number {
  return Number.parseInt((identity ?? '').split('@')[0] ?? '', 10);
}

function payloadJson(payload: { data?: Uint8Array | null } | null | undefined): any {
  return payload?.data ? JSON.parse(Buffer.from(payload.data).toString('utf8')) : null;
}

/**
 * The run's chunk activities from its history, by scheduling event and by activity ID, and which
 * worker stored which: a chunk's ActivityTaskStarted event (written when the activity completes)
 * names the worker of the attempt that completed it. A run of up to 400 chunks is one execution.
 */
async function scheduledChunks(client: Client, workflowId: string) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const byEventId = new Map<string, number>();
  const byActivityId = new Map<string, number>();
  const placements: ChunkPlacement[] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'tierChunk') {
      const chunk = payloadJson(scheduled.input?.payloads?.[0]).chunk.index as number;
      byEventId.set(String(event.eventId), chunk);
      byActivityId.set(scheduled.activityId ?? '', chunk);
    }
    const started = event.activityTaskStartedEventAttributes;
    const chunk = started ? byEventId.get(String(started.scheduledEventId)) : undefined;
    if (started && chunk !== undefined) placements.push({ chunk, worker: pidOf(started.identity), attempt: started.attempt ?? 1 });
  }
  placements.sort((a, b) => a.chunk - b.chunk);
  return { scheduled: byEventId.size, byActivityId, placements };
}

async function runFigures(database: Database, client: Client, run: { runId: number; workflowId: string; startedAt: number }, workers: number[]): Promise<RunFigures> {
  const [row] = await database.sql`
    select status, households, processed, counts_by_tier, tiers_applied_at, completed_at,
           (select count(*)::int from tiering_results where run_id = ${run.runId}) as results,
           (select count(distinct uscc)::int from tiering_results where run_id = ${run.runId}) as distinct_households,
           (select count(*)::int from tiering_run_chunks where run_id = ${run.runId}) as chunk_rows,
           (select coalesce(sum(households), 0)::int from tiering_run_chunks where run_id = ${run.runId}) as chunk_row_households
    from tiering_runs where id = ${run.runId}`;
  const { scheduled, placements } = await scheduledChunks(client, run.workflowId);
  const chunksByWorker = Object.fromEntries(workers.map((pid) => [pid, placements.filter((p) => p.worker === pid).length]));
  return {
    runId: run.runId,
    status: row!.status as string,
    households: row!.households as number,
    processed: row!.processed as number,
    results: row!.results as number,
    distinctHouseholds: row!.distinct_households as number,
    chunkRows: row!.chunk_rows as number,
    chunkRowHouseholds: row!.chunk_row_households as number,
    chunksTotal: scheduled,
    countsByTier: row!.counts_by_tier as Record<string, number>,
    tiersApplied: row!.tiers_applied_at !== null,
    seconds: (new Date(row!.tiers_applied_at ?? row!.completed_at).getTime() - run.startedAt) / 1000,
    chunksByWorker,
    placements,
  };
}

/** The worker of the case's last workflow task: the one that holds it in its cache (sticky queue). */
async function lastWorkflowTaskWorker(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const started = (history.events ?? []).filter((e) => e.workflowTaskStartedEventAttributes).at(-1);
  return pidOf(started?.workflowTaskStartedEventAttributes?.identity);
}

type Call = (method: 'GET' | 'POST', path: string, actor: Actor | null, body?: unknown, key?: string) => Promise<{ status: number; headers: Headers; json: any }>;

/**
 * A growth household of the run in force applies (C-SRC); the generated city lists some operators
 * as dishonest or fined, whom the API refuses (422), and the next one is tried.
 */
async function openCase(database: Database, call: Call): Promise<{ caseId: string; reviewer: Actor }> {
  for (let offset = 0; offset < 200; offset++) {
    const [row] = await database.sql`
      select r.uscc, r.district_code from tiering_results r
      join tiering_runs run on run.id = r.run_id and run.in_force
      where r.tier = 'growth' order by r.uscc offset ${offset} limit 1`;
    if (!row) break;
    const uscc = row.uscc as string;
    const applied = await call('POST', '/applications', { id: uscc, role: 'household', uscc }, { uscc, category: 'quality', claimedCriteria: ['Q1'] });
    if (applied.status === 422) continue;
    if (applied.status !== 201) throw new Error(`the application of ${uscc} answered ${applied.status}: ${JSON.stringify(applied.json)}`);
    return { caseId: applied.json.caseId as string, reviewer: { id: `topology-reviewer-${row.district_code}`, role: 'district', districtCode: row.district_code as string } };
  }
  throw new Error('no growth household could apply');
}

/** Sends until the answer is not a 503, with the same idempotency key; answers every status seen. */
async function untilAnswered(send: () => Promise<{ status: number; headers: Headers }>): Promise<number[]> {
  const statuses: number[] = [];
  for (;;) {
    const response = await send();
    statuses.push(response.status);
    if (response.status !== 503) return statuses;
    if (statuses.length > 30) return statuses;
    await new Promise((r) => setTimeout(r, Number(response.headers.get('retry-after') ?? 2) * 1000));
  }
}

function startPoller(base: string) {
  let target: { path: string; authorization: string } | null = null;
  let stopped = false;
  const all: Array<{ at: number; path: string; status: number; ms: number }> = [];
  const began = Date.now();
  let markAt = Number.POSITIVE_INFINITY;
  const loop = (async () => {
    while (!stopped) {
      for (const request of [{ path: '/health', authorization: null as string | null }, target]) {
        if (!request) continue;
        const at = Date.now();
        const status = await fetch(`${base}${request.path}`, { headers: request.authorization ? { authorization: request.authorization } : {} })
          .then(async (response) => (await response.arrayBuffer(), response.status))
          .catch(() => 0);
        all.push({ at, path: request.path, status, ms: Date.now() - at });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const summary = (from: number): ApiAnswers => {
    const answers = all.filter((a) => a.at >= from);
    const byStatus: Record<string, number> = {};
    for (const a of answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    const failures = answers.filter((a) => a.status !== 200).map((a) => `${a.path} ${a.status} at +${((a.at - began) / 1000).toFixed(1)} s after ${a.ms} ms`);
    return { requests: answers.length, byStatus, slowestMs: Math.max(0, ...answers.map((a) => a.ms)), failures };
  };
  return {
    watch(path: string, authorization: string) {
      target = { path, authorization };
    },
    mark() {
      markAt = Date.now();
    },
    sinceMark: () => summary(markAt),
    overall: () => summary(0),
    async stop() {
      stopped = true;
      await loop;
    },
  };
}


interface Entries {
  nodeOptions: string[];
  api: string;
  worker: string;
}
const SOURCE_ENTRIES: Entries = { nodeOptions: ['--import', 'tsx'], api: 'api/server.ts', worker: 'scripts/worker.ts' };
const COMPILED_ENTRIES: Entries = { nodeOptions: [], api: 'dist/api/server.js', worker: 'dist/scripts/worker.js' };

/** Starts the API or a worker in a Node process of its own; waits for `readyLine` on its output when given. */
function startProcess(entries: Entries, which: 'api' | 'worker', env: Record<string, string>, readyLine: string | null): Promise<WorkerProcess> {
  return startWorkerProcess(entries[which], repositoryRoot, env, { nodeOptions: entries.nodeOptions, readyLine });
}
