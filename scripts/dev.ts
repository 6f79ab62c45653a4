/**
 * Starts the whole system on embedded defaults in one process: PostgreSQL, the Temporal dev
 * server (with its Web UI), migrations and demo data, the worker and the API. Ctrl-C stops
 * everything; data stays in DATA_DIR for the next start.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createNotificationChannels } from '../activities/notification-channels.js';
import { createNotificationActivities } from '../activities/notifications.js';
import { issueToken, tokenTimes, tokenTrustProblem } from '../api/auth.js';
import { buildApp } from '../api/app.js';
import { connectDatabase, survivePostgresSocketFault } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { markTrainingDatabase, refuseTrainingDatabase } from '../db/training-marker.js';
import type { Actor } from '../policy/actors.js';
import { cstDateOf, yearOf } from '../policy/dates.js';
import { recognitionCaseId } from '../workflows/recognition-case/contract.js';
import { ensureNotificationDelivery } from '../workflows/notification-delivery/start.js';
import { registerCaseSearchAttributes } from './search-attributes.js';
import { ensureTieringSchedule } from '../workflows/tiering-run/schedule.js';
import { createWorkers, runUntilStopped } from '../workflows/worker.js';
import { WEB_ROOT, loadConfig } from '../api/config.js';
import { TRAINING_DATA_DIR, developmentSecret } from './config.js';
import { DEMO_ACTORS, DEMO_DEPARTMENTS, DEMO_HOUSEHOLDS, ensureDemoTiering, seedDemoData } from './demo-data.js';
import { householdsToTryLines, seedDemoCity } from './demo-city.js';
import {
  freshTrainingDataDir,
  startTrainingNotificationDelivery,
  startTrainingTemporal,
  trainingBannerLines,
  type TrainingTemporal,
} from './training-system.js';
import { startPostgres } from './postgres.js';
import { startTemporalDevServer } from './temporal-dev-server.js';
import { ensureWebBuild } from './web-build.js';

survivePostgresSocketFault();
// The worker's state changes (RUNNING, DRAINING, …) are for operators of a deployed worker; before
// the addresses a person starting the system reads only its warnings, unless LOG_LEVEL asks for more.
const SDK_LOG_LEVELS = { trace: 'TRACE', debug: 'DEBUG' } as const;
Runtime.install({ logger: new DefaultLogger(SDK_LOG_LEVELS[process.env.LOG_LEVEL as keyof typeof SDK_LOG_LEVELS] ?? 'WARN') });
// A demo system takes applications on any day, so that its first case steps can be tried now.
const config = loadConfig(process.env, { applicationWindow: 'year-round', ...(training() ? { dataDir: TRAINING_DATA_DIR } : {}) });
const dataDir = resolve(config.dataDir);
mkdirSync(dataDir, { recursive: true });
// Server-side imports read from here only; it exists from the first start so that files can be dropped in.
mkdirSync(resolve(config.importDir), { recursive: true });
// Without a secret or an identity provider in the environment, the development system signs with
// a random secret of its own, kept in DATA_DIR so that printed tokens outlive a restart.
const storedSecret = config.tokenTrust.secret === undefined && !config.tokenTrust.jwksUrl;
const tokenTrust = storedSecret ? { ...config.tokenTrust, secret: developmentSecret(dataDir, true) } : config.tokenTrust;
const trustProblem = tokenTrustProblem(tokenTrust);
if (trustProblem) {
  console.error(trustProblem);
  process.exit(2);
}
const stops: Array<() => Promise<unknown>> = [];
let trainingTemporal: TrainingTemporal | null = null;

/** How to issue more tokens for this system: a training system keeps its secret in its own data directory. */
function tokenCommand(): string {
  return training() ? 'npm run token -- --training' : 'npm run token --';
}

/** `npm run training`: the same system on Temporal's time-skipping test server, whose clock the city office moves. */
function training(): boolean {
  return process.argv.includes('--training');
}

async function main(): Promise<void> {
  if (training()) {
    if (config.temporalAddress) throw new Error('npm run training starts its own time-skipping Temporal server: unset TEMPORAL_ADDRESS');
    freshTrainingDataDir(dataDir);
  }
  await ensureWebBuild();
  const postgres = await startPostgres({
    dataDir: join(dataDir, 'postgres'),
    port: config.embeddedPostgresPort,
    database: 'mingteyouxin',
  });
  stops.push(postgres.stop);

  trainingTemporal = training() ? await startTrainingTemporal(config.temporalPort) : null;
  if (trainingTemporal) stops.push(trainingTemporal.stop);
  const now = trainingTemporal?.clock.now ?? Date.now;
  const temporalAddress = trainingTemporal?.address ?? config.temporalAddress ?? (await startOwnTemporal());
  const database = connectDatabase(postgres.url);
  stops.push(database.close);
  await migrateDatabase(database);
  await (trainingTemporal ? markTrainingDatabase : refuseTrainingDatabase)(database);
  const today = cstDateOf(now());
  await seedDemoData(database, today);
  await seedDemoCity(database, join(dataDir, 'demo-city'), today);

  // Emails link to the pages this system serves, unless PLATFORM_URL names another address.
  const notificationChannels = createNotificationChannels({
    ...config.notifications,
    platformUrl: config.notifications.platformUrl ?? `http://${config.apiHost}:${config.apiPort}`,
  });
  const workerConnection = await NativeConnection.connect({ address: temporalAddress });
  stops.push(() => workerConnection.close());
  const workers = await createWorkers({
    connection: workerConnection,
    namespace: config.temporalNamespace,
    db: database.db,
    now,
    notificationChannels,
    smsQuietHours: config.notifications.smsQuietHours,
  });
  const workerRuns = runUntilStopped(workers);
  stops.push(async () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await workerRuns;
  });

  const clientConnection = await Connection.connect({ address: temporalAddress });
  stops.push(() => clientConnection.close());
  const temporal = new Client({ connection: clientConnection, namespace: config.temporalNamespace });
  // The dev server registers them as it creates its database; one made before they existed needs them added.
  if (!trainingTemporal) await registerCaseSearchAttributes(clientConnection, config.temporalNamespace);
  // The test server has no schedules: a trainer starts the yearly run (POST /tiering/runs).
  if (!trainingTemporal) await ensureTieringSchedule(temporal);
  if (trainingTemporal) {
    const delivery = createNotificationActivities({ db: database.db, channels: notificationChannels, smsQuietHours: config.notifications.smsQuietHours, now });
    stops.push(startTrainingNotificationDelivery(delivery, (err) => console.error('notification delivery:', err instanceof Error ? err.message : err)));
  } else {
    await ensureNotificationDelivery(temporal);
  }
  await ensureDemoTiering(database, temporal, today);
  const app = await buildApp({
    database,
    temporal,
    tokenTrust,
    rateLimits: config.rateLimits,
    trustProxy: config.trustProxy,
    caseSettings: config.caseSettings,
    recognitionTermSettings: config.recognitionTermSettings,
    eligibilitySettings: config.eligibilitySettings,
    objectionSettings: config.objectionSettings,
    unclassifiedLabel: config.unclassifiedLabel,
    importDir: config.importDir,
    training: trainingTemporal?.clock ?? null,
    logger: { level: config.logLevel },
    webRoot: WEB_ROOT,
    demoActors: DEMO_ACTORS,
  });
  stops.push(() => app.close());
  // The welcome below leads with the pages' address; Fastify's own JSON line about listening would
  // come before it. Requests are logged at the configured level as before.
  const logLevel = app.log.level;
  app.log.level = 'warn';
  await app.listen({ host: config.apiHost, port: config.apiPort });
  app.log.level = logLevel;

  printWelcome(temporalAddress, await householdsToTryLines(database, DEMO_HOUSEHOLDS.map((h) => h.uscc), tokenCommand()));
}

async function startOwnTemporal(): Promise<string> {
  const server = await startTemporalDevServer({
    port: config.temporalPort,
    uiPort: config.temporalUiPort,
    namespace: config.temporalNamespace,
    dbFile: join(dataDir, 'temporal.sqlite'),
    logFile: join(dataDir, 'temporal.log'),
  });
  stops.push(server.stop);
  return server.address;
}

function printWelcome(temporalAddress: string, householdsToTry: string[]): void {
  const api = `http://${config.apiHost}:${config.apiPort}`;
  const household = DEMO_HOUSEHOLDS[1];
  const caseId = recognitionCaseId(household.uscc, yearOf(cstDateOf(Date.now())));
  const lifetimeHours = Math.min(12, tokenTrust.maxLifetimeSeconds / 3600);
  const demoToken = (actor: Actor) =>
    tokenTrust.secret === undefined ? '<a token of the identity provider>' : issueToken(tokenTrust.secret, actor, tokenTimes(Date.now(), lifetimeHours * 3600), tokenTrust);
  const tokens = [
    ['HOUSEHOLD_TOKEN', `household ${household.uscc}`, demoToken({ id: household.uscc, role: 'household', uscc: household.uscc })],
    ['DISTRICT_TOKEN', `district office ${household.districtCode}`, demoToken({ id: `reviewer-${household.districtCode}`, role: 'district', districtCode: household.districtCode })],
    ['CITY_TOKEN', 'city office', demoToken({ id: 'city-supervisor', role: 'city' })],
    ['DEPARTMENT_TOKEN', `department ${DEMO_DEPARTMENTS[1].name} (${DEMO_DEPARTMENTS[1].id}), to consult`, demoToken({ id: 'culture-officer-120104', role: 'department', department: DEMO_DEPARTMENTS[1].id, districtCode: DEMO_DEPARTMENTS[1].districtCode })],
  ];
  const lines = [
    '',
    `Web pages      ${api}/  (sign in as any demo actor on the login page)`,
    `API            ${api}`,
    `OpenAPI docs   ${api}/docs`,
    trainingTemporal ? `Temporal       ${temporalAddress} (time-skipping test server: no Web UI)` : config.temporalAddress ? `Temporal       ${temporalAddress}` : `Temporal UI    http://127.0.0.1:${config.temporalUiPort}  (gRPC ${temporalAddress})`,
    `Data           ${dataDir} (Temporal server log: temporal.log)`,
    storedSecret ? `Tokens         signed with the development secret in ${join(dataDir, 'auth-secret')} (${tokenCommand()} uses it too)` : '',
    '',
    `Demo tokens (${lifetimeHours} h), to paste into a shell:`,
    ...tokens.map(([variable, who, token]) => `  # ${who}\n  export ${variable}=${token}`),
    '',
    applicationWindowNote(),
    '',
    ...householdsToTry,
    '',
    ...(trainingTemporal ? [...trainingBannerLines(api, cstDateOf(trainingTemporal.clock.now())), ''] : []),
    'Try: the household applies, its district office reads the case and accepts it for on-site verification.',
    `  curl -s -X POST ${api}/applications -H "authorization: Bearer $HOUSEHOLD_TOKEN" -H 'content-type: application/json' \\`,
    `    -d '{"uscc":"${household.uscc}","category":"quality","claimedCriteria":["Q2"],"evidenceRefs":["certificate-of-time-honoured-brand"],"contact":{"email":"household@example.org"}}'`,
    `  curl -s ${api}/cases/${caseId} -H "authorization: Bearer $DISTRICT_TOKEN"`,
    `  curl -s -X POST ${api}/cases/${caseId}/review -H "authorization: Bearer $DISTRICT_TOKEN" -H 'content-type: application/json' \\`,
    `    -d '{"decision":"accept","reason":"time-honoured brand certificate checked"}'`,
    '',
    'Notifications: each actor reads its own inbox (the household: application received, review passed; the district office: review due, verification due).',
    `  curl -s ${api}/notifications -H "authorization: Bearer $HOUSEHOLD_TOKEN"`,
    `  curl -s ${api}/notifications -H "authorization: Bearer $DISTRICT_TOKEN"`,
    config.notifications.smtpUrl
      ? `Email goes to ${redactedUrl(config.notifications.smtpUrl)} (SMTP_URL) for every contact given; the district office gives its own before applying:\n` +
        `  curl -s -X PUT ${api}/notifications/contact -H "authorization: Bearer $DISTRICT_TOKEN" -H 'content-type: application/json' -d '{"email":"district@example.org"}'`
      : 'Email: none (set SMTP_URL, such as smtp://127.0.0.1:1025 for a local mail catcher, to send it); emails wait until it is set. SMS: SMS_GATEWAY_URL.',
    '',
    'Ctrl-C stops everything.',
  ];
  console.log(lines.filter((l, i, all) => l !== '' || all[i - 1] !== '').join('\n'));
}

/** A URL as it may be printed: without its password. */
function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** C-CYCLE: say up front whether the policy window holds and, if so, whether it is open today. */
function applicationWindowNote(): string {
  const today = cstDateOf(Date.now());
  const year = yearOf(today);
  if (config.eligibilitySettings.yearRound) {
    return `Demo system: applications for ${year} are taken on any day (APPLICATION_WINDOW=year-round; the C-CYCLE result says so). APPLICATION_WINDOW=policy keeps the policy window.`;
  }
  const closesOn = `${year}-${config.eligibilitySettings.applicationsCloseOn}`;
  return today <= closesOn
    ? `Applications for ${year} are open until ${closesOn} (C-CYCLE, APPLICATIONS_CLOSE_ON).`
    : `Applications for ${year} closed on ${closesOn} (C-CYCLE): POST /applications answers 422 with the clause until next year's run.`;
}

/**
 * Longer than the workers' own stop deadline (45 s), which ends the process by itself; this one
 * bounds the rest (the API's close, PostgreSQL's and Temporal's stops), so that Ctrl-C always ends.
 */
const STOP_DEADLINE_MS = 60_000;

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  let step = 0;
  setTimeout(() => {
    console.error(`still stopping ${STOP_DEADLINE_MS / 1000} s after the signal (step ${step} of ${stops.length}, in reverse start order); exiting without waiting for the rest`);
    process.exit(1);
  }, STOP_DEADLINE_MS).unref();
  for (const next of stops.reverse()) {
    step += 1;
    await next().catch((err: unknown) => console.error('while stopping:', err));
  }
  process.exit(code);
}

// A second Ctrl-C must not cut the orderly stop short.
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  await stop(1);
});
