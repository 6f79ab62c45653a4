/**
 * The lifecycle simulation: a whole cohort of the demo city's kind run through several years on
 * the training system (the time-skipping server and the real API, workers and PostgreSQL), its
 * actors scripted with stated probabilities, the invariants checked while it runs.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { importFeed } from '../activities/feed-import/importer.js';
import { issueToken, tokenTimes } from '../api/auth.js';
import type { RateLimits } from '../api/http-guards.js';
import type { Database } from '../db/client.js';
import { departments, recognitionQuotas, recognitions } from '../db/recognition-schema.js';
import { caseEvents, cases } from '../db/schema.js';
import { householdTiers } from '../db/tiering-schema.js';
import type { Actor } from '../policy/actors.js';
import { addDays, addYears, cstDateOf, dayOfWeek, startOfCstDay, type IsoDate } from '../policy/dates.js';
import { FEEDS, FEED_NAMES, type FeedName } from '../policy/feeds.js';
import { DEMO_CITY } from './demo-city.js';
import { mulberry32, writeCity, type Random } from './generate-city.js';
import type { TrainingClock } from '../api/deps.js';

/** What the scripted actors do, each a probability; the README states them too. */
export const ACTOR_PROBABILITIES = {
  /** A growth or development household applies (or is recommended) in its year's window. */
  enters: 0.3,
  /** Of those entering, the share a department recommends (C-REC) instead of a self-application. */
  recommended: 0.2,
  /** The operator consents to a recommendation; otherwise it lapses (C-REC). */
  consents: 0.9,
  /** An office, household or department takes up a step waiting for it in a given week: lower means late answers, reminders and escalations. */
  actsThisWeek: 0.55,
  /** District review: accept, reject; the rest request information. */
  accept: 0.8,
  reject: 0.08,
  /** A household asked for information answers at all (in some week); otherwise the case lapses. */
  answersInformation: 0.75,
  /** On-site verification passes; otherwise the case is rejected. */
  verificationPasses: 0.95,
  /** Someone objects during publicity; the office upholds it. */
  objection: 0.06,
  objectionUpheld: 0.3,
  /** A recognised household files its annual report in July; the district office rejects one filed. */
  filesReport: 0.9,
  reportRejected: 0.03,
  /** The city office revokes a self-applied recognition in a year (C-REVOKE). */
  revokedPerYear: 0.02,
  /** The city office confirms a spot-checked recognition; otherwise it refuses it (C-FILE). */
  spotCheckConfirmed: 0.9,
  /** The district office finds X1 met in the final-year evaluation (C-EVAL). */
  x1Met: 0.5,
} as const;

export interface SimulationOptions {
  years: number;
  households: number;
  seed: number;
  /** The first year; its tiering run is on 1 August. */
  startYear: number;
  onProgress?: (line: string) => void;
}

export interface SimulationSystem {
  app: FastifyInstance;
  database: Database;
  clock: TrainingClock;
  authSecret: string;
  /** Where the generated city's files go. */
  cityDir: string;
}

export interface SimulationReport {
  options: Omit<SimulationOptions, 'onProgress'>;
  seconds: number;
  casesByYearAndOutcome: Record<number, Record<string, number>>;
  quotaByYear: Record<number, Array<{ districtCode: string; cap: number; used: number }>>;
  fired: Record<string, number>;
  overdueSteps: number;
  invariants: Record<string, string[]>;
  casesStarted: number;
  /** The API's answers to the actors by route and status: refusals by the rules are part of the run. */
  answers: Record<string, number>;
}

const SYSTEM_CITY: Actor = { id: 'simulated-city-office', role: 'city' };
const office = (districtCode: string): Actor => ({ id: `simulated-office-${districtCode}`, role: 'district', districtCode });
const householdActor = (uscc: string): Actor => ({ id: uscc, role: 'household', uscc });
/** A city-level department in the departments registry, which recommends (C-REC). */
const RECOMMENDING_DEPARTMENT = { id: 'simulated-city-market-regulation', name: '天津市市场监督管理委员会（模拟）', level: 'city' } as const;
const QUALITY_DEPARTMENT: Actor = { id: 'simulated-quality-officer', role: 'department', department: RECOMMENDING_DEPARTMENT.id };
/** Actions the clock fires as reminders or escalations, each due once per deadline. */
const CLOCK_ACTIONS = ['reminder_sent', 'deadline_escalated', 'annual_report_reminder', 'annual_report_overdue'] as const;
const OVERDUE_ACTIONS = ['deadline_escalated', 'annual_report_overdue', 'information_lapsed', 'consent_lapsed', 'annual_report_missed', 'supplement_lapsed'];
const ACTION_CONCURRENCY = 10;
/** The recognised phase's turns, counted beside what the clock fired. */
const TERM_ACTIONS = ['recognised', 'evaluation_opened', 'extended', 'expired', 'revoked', 'cancelled'];
/** An application-phase case in one of these past its due date has been lost by the clock. */
const OPEN_APPLICATION_STATUSES = ['awaiting_consent', 'under_review', 'awaiting_information', 'on_site_verification', 'soliciting_opinions', 'publicity', 'awaiting_quota'];

export async function runSimulation(system: SimulationSystem, options: SimulationOptions): Promise<SimulationReport> {
  const started = performance.now();
  const random = mulberry32(options.seed ^ 0x5eed);
  const chance = (p: number) => random() < p;
  const log = options.onProgress ?? (() => {});
  const { app, database, clock } = system;
  const invariants: Record<string, string[]> = { quotaNeverExceeded: [], clockActionsOnce: [], validForItsTerm: [], noCaseLost: [] };
  const startedCases = new Set<string>();
  const decided = new Set<string>();
  const quotaByYear: SimulationReport['quotaByYear'] = {};
  const answers: Record<string, number> = {};
  /** The steps the actors take in the current year, so that a yearly probability is spread over them. */
  let stepsThisYear = 52;
  /** Seconds spent per phase of the run, so that a slow run says where its time went. */
  const spent: Record<string, number> = {};
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const from = performance.now();
    try {
      return await work();
    } finally {
      spent[phase] = (spent[phase] ?? 0) + (performance.now() - from) / 1000;
    }
  };

  const call = async (method: 'GET' | 'POST', url: string, actor: Actor, body?: object, remoteAddress?: string) => {
    const token = issueToken(system.authSecret, actor, tokenTimes(Date.now(), 3600));
    const response = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body } : {}), ...(remoteAddress ? { remoteAddress } : {}) });
    const kind = `${method} ${url.replace(/recognition-[0-9A-Z]+-\d{4}/, '{caseId}').replace(/\/\d{4}\//, '/{year}/').replace(/runs\/\d+/, 'runs/{runId}')} ${response.statusCode}`;
    answers[kind] = (answers[kind] ?? 0) + 1;
    return { status: response.statusCode, body: response.json() as Record<string, unknown> };
  };
  const today = () => cstDateOf(clock.now());
  const moveTo = async (date: IsoDate) => {
    const target = startOfCstDay(date) + 9 * 3_600_000;
    if (target > clock.now()) await clock.advance(target - clock.now());
  };

  await database.db.insert(departments).values(RECOMMENDING_DEPARTMENT).onConflictDoNothing();
  await moveTo(`${options.startYear}-08-01`);
  const city = await writeCity({ ...DEMO_CITY, households: options.households, seed: options.seed, asOf: today(), out: system.cityDir });
  for (const feed of FEED_NAMES) await importFile(database, feed, createReadStream(city.files[feed]), today());
  log(`${options.households} households imported as of ${today()}`);

  for (let year = options.startYear; year < options.startYear + options.years; year++) {
    if (year > options.startYear) {
      await timed('clock', () => moveTo(`${year}-08-01`));
      await timed('import', () => importNextYearFeeds(database, year, random, today()));
    }
    await timed('tiering', () => tieringRun(year));
    const entrants = await enteringHouseholds(year);
    stepsThisYear = Array.from({ length: 52 }, (_, week) => week).filter((week) => !isQuietWeek(addDays(`${year}-08-01`, 7 * week), week)).length;
    log(`${year}: tiering run in force; ${entrants.length} households will apply or be recommended`);
    // Steps from 1 August to the next 31 July; entrants spread over the application window (C-CYCLE, to 15 October).
    for (let week = 0; week < 52; week++) {
      const date = addDays(`${year}-08-01`, 7 * week);
      if (isQuietWeek(date, week)) continue;
      await timed('clock', () => moveTo(date));
      if (date <= `${year}-10-08`) await timed('enter', () => enter(entrants.splice(0, Math.ceil(entrants.length / Math.max(1, 10 - week))), year));
      await timed('act', () => act());
      await timed('check', () => checkQuota());
    }
    quotaByYear[year] = await quotaOf(year);
    const phases = Object.entries(spent).map(([phase, seconds]) => `${phase} ${seconds.toFixed(0)} s`).join(', ');
    log(`${year}: done at ${today()}, ${startedCases.size} cases so far, ${(performance.now() - started) / 1000 | 0} s (${phases})`);
  }

  await checkClockActionsOnce();
  await checkValidity();
  await checkNoCaseLost();
  return {
    options: { years: options.years, households: options.households, seed: options.seed, startYear: options.startYear },
    seconds: (performance.now() - started) / 1000,
    casesByYearAndOutcome: await casesByYearAndOutcome(),
    quotaByYear,
    fired: await firedCounts(),
    overdueSteps: await overdueCount(),
    invariants,
    casesStarted: startedCases.size,
    answers,
  };

  async function tieringRun(year: number): Promise<void> {
    const run = await call('POST', '/tiering/runs', SYSTEM_CITY, { year, asOf: today() });
    if (run.status !== 202) throw new Error(`tiering run ${year}: ${JSON.stringify(run.body)}`);
    for (;;) {
      const view = await call('GET', `/tiering/runs/${run.body.runId}`, SYSTEM_CITY);
      if (view.body.status === 'failed') throw new Error(`tiering run ${year} failed: ${JSON.stringify(view.body)}`);
      if (view.body.status === 'completed' && view.body.inForce && view.body.tiersAppliedAt) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function enteringHouseholds(year: number) {
    const rows = await database.db
      .select({ uscc: householdTiers.uscc })
      .from(householdTiers)
      .where(and(eq(householdTiers.year, year), inArray(householdTiers.tier, ['growth', 'development'])))
      .orderBy(householdTiers.uscc);
    return rows.filter(() => chance(ACTOR_PROBABILITIES.enters)).map((row) => row.uscc);
  }

  async function enter(usccs: string[], year: number): Promise<void> {
    await inBatches(usccs, async (uscc) => {
      const recommended = chance(ACTOR_PROBABILITIES.recommended);
      const answer = recommended
        ? await call('POST', '/recommendations', QUALITY_DEPARTMENT, { uscc, category: 'quality', claimedCriteria: [], reason: 'simulated recommendation' })
        : await call('POST', '/applications', householdActor(uscc), { uscc, category: 'quality', claimedCriteria: ['Q2'], evidenceRefs: ['simulated-certificate'] });
      // A household recognised, banned or otherwise ineligible is refused by the rules: that is part of the run.
      if (answer.status === 201) startedCases.add(answer.body.caseId as string);
      else if (answer.status >= 500) throw new Error(`${uscc} ${year}: ${JSON.stringify(answer.body)}`);
    });
  }

  /** Every waiting step a scripted actor takes up this week, by whose move it is. */
  async function act(): Promise<void> {
    const waiting = await database.db
      .select({ caseId: cases.caseId, uscc: cases.uscc, districtCode: cases.districtCode, status: cases.status, waitingFor: cases.waitingFor, view: cases.view, route: cases.route })
      .from(cases)
      .where(sql`${cases.waitingFor} is not null or ${cases.status} in ('recognised', 'publicity')`);
    await inBatches(waiting, async (c) => {
      const view = c.view as Record<string, any>;
      if (c.status === 'publicity' && !decided.has(`objection:${c.caseId}`)) {
        decided.add(`objection:${c.caseId}`);
        // From an address of its own: the objection route limits each network address to ten a minute, which one simulated sender for all would exceed.
        if (chance(ACTOR_PROBABILITIES.objection)) await call('POST', `/publicity/${c.caseId}/objections`, householdActor(c.uscc), { reason: 'simulated objection' }, objectorAddress(c.uscc));
      }
      if (c.status === 'recognised') return actOnRecognition(c, view);
      if (!c.waitingFor || !chance(ACTOR_PROBABILITIES.actsThisWeek)) return;
      const reviewer: Actor = view.recommendation?.level === 'city' ? SYSTEM_CITY : office(c.districtCode);
      switch (c.status) {
        case 'awaiting_consent':
          if (once(`consent:${c.caseId}`)) {
            if (chance(ACTOR_PROBABILITIES.consents)) await call('POST', `/cases/${c.caseId}/consent`, householdActor(c.uscc), { consent: true });
          }
          return;
        case 'under_review': {
          const r = random();
          const body =
            r < ACTOR_PROBABILITIES.accept
              ? { decision: 'accept', reason: 'simulated review' }
              : r < ACTOR_PROBABILITIES.accept + ACTOR_PROBABILITIES.reject
                ? { decision: 'reject', reason: 'simulated rejection' }
                : { decision: 'request_information', reason: 'simulated request', informationDueOn: workingDayAbout(today(), 14) };
          await call('POST', `/cases/${c.caseId}/review`, reviewer, body);
          return;
        }
        case 'awaiting_information':
          if (!decided.has(`silent:${c.caseId}`) && once(`answers:${c.caseId}`) && !chance(ACTOR_PROBABILITIES.answersInformation)) decided.add(`silent:${c.caseId}`);
          if (!decided.has(`silent:${c.caseId}`)) await call('POST', `/cases/${c.caseId}/information`, householdActor(c.uscc), { evidenceRefs: ['simulated-evidence'] });
          return;
        case 'on_site_verification':
          await call(
            'POST',
            `/cases/${c.caseId}/review`,
            reviewer,
            chance(ACTOR_PROBABILITIES.verificationPasses) ? { decision: 'verified', findings: 'simulated visit', departments: [] } : { decision: 'reject', reason: 'simulated visit failed' },
          );
          return;
        case 'publicity':
          // Objections kept in the state (older cases) and those counted only, their text in the database.
          const unresolved = new Set<number>([
            ...((view.objections ?? []) as Array<{ objectionNo: number; resolution?: string | null }>).filter((o) => !o.resolution).map((o) => o.objectionNo),
            ...((view.unresolvedObjections ?? []) as number[]),
          ]);
          for (const objectionNo of unresolved) {
            await call('POST', `/cases/${c.caseId}/review`, reviewer, {
              decision: 'resolve_objection',
              objectionNo,
              upheld: chance(ACTOR_PROBABILITIES.objectionUpheld),
              reason: 'simulated objection review',
            });
          }
          return;
      }
    });
  }

  async function actOnRecognition(c: { caseId: string; uscc: string; districtCode: string; route: string }, view: Record<string, any>) {
    const term = view;
    const spotCheck = term.spotCheck;
    if (spotCheck?.status === 'selected' && chance(ACTOR_PROBABILITIES.actsThisWeek)) {
      const confirm = chance(ACTOR_PROBABILITIES.spotCheckConfirmed);
      await call('POST', `/cases/${c.caseId}/spot-check`, SYSTEM_CITY, confirm ? { decision: 'confirm' } : { decision: 'refuse', reason: 'simulated spot check failed' });
      return;
    }
    for (const report of (term.reports ?? []) as Array<{ year: number; status: string; reminded?: boolean }>) {
      if (report.status === 'due' && report.reminded && once(`report:${c.caseId}:${report.year}`) && chance(ACTOR_PROBABILITIES.filesReport)) {
        await call('POST', `/cases/${c.caseId}/annual-reports`, householdActor(c.uscc), { year: report.year, revenue: 200_000, employees: 2 });
      }
      if (report.status === 'filed' && chance(ACTOR_PROBABILITIES.actsThisWeek)) {
        const reject = chance(ACTOR_PROBABILITIES.reportRejected);
        await call('POST', `/cases/${c.caseId}/annual-reports/${report.year}/decision`, office(c.districtCode), reject ? { decision: 'reject', reason: 'simulated: base standard no longer met' } : { decision: 'accept', reason: 'simulated report review' });
      }
    }
    if (term.evaluation?.openedAt && !term.extension && once(`x1:${c.caseId}:${term.recognition?.validUntil}`)) {
      await call('POST', `/cases/${c.caseId}/evaluation`, office(c.districtCode), { criterion: 'X1', met: chance(ACTOR_PROBABILITIES.x1Met), evidenceRefs: ['simulated-accounts'] });
    }
    if (c.route === 'self' && chance(ACTOR_PROBABILITIES.revokedPerYear / stepsThisYear)) {
      await call('POST', `/cases/${c.caseId}/revocation`, SYSTEM_CITY, { ground: 'fraud', reason: 'simulated revocation', evidenceRefs: ['simulated-finding'] });
    }
  }

  function once(key: string): boolean {
    if (decided.has(key)) return false;
    decided.add(key);
    return true;
  }

  async function checkQuota(): Promise<void> {
    const over = await database.db.select().from(recognitionQuotas).where(sql`${recognitionQuotas.used} > ${recognitionQuotas.cap}`);
    for (const row of over) invariants.quotaNeverExceeded!.push(`${today()}: ${row.year} ${row.districtCode} used ${row.used} of ${row.cap}`);
  }

  async function quotaOf(year: number) {
    const rows = await database.db.select().from(recognitionQuotas).where(eq(recognitionQuotas.year, year)).orderBy(recognitionQuotas.districtCode);
    return rows.map((row) => ({ districtCode: row.districtCode, cap: row.cap, used: row.used }));
  }

  async function checkClockActionsOnce(): Promise<void> {
    const twice = await database.sql<{ case_id: string; action: string; due: string; n: number }[]>`
      select case_id, action, concat_ws(' ', details->>'kind', details->>'dueOn', details->>'year') as due, count(*)::int as n
      from case_events where action in ${database.sql(CLOCK_ACTIONS as unknown as string[])}
      group by 1, 2, 3 having count(*) > 1`;
    for (const row of twice) invariants.clockActionsOnce!.push(`${row.case_id} ${row.action} ${row.due} fired ${row.n} times`);
  }

  async function checkValidity(): Promise<void> {
    const rows = await database.db.select().from(recognitions).where(eq(recognitions.origin, 'tianjin'));
    const now = today();
    for (const row of rows) {
      const terms = [1, 2].map((k) => addDays(addYears(row.recognisedOn, 3 * k), -1));
      if (!terms.includes(row.validUntil)) invariants.validForItsTerm!.push(`${row.caseId}: recognised ${row.recognisedOn}, valid until ${row.validUntil}`);
      if (row.status === 'recognised' && row.validUntil < now) invariants.validForItsTerm!.push(`${row.caseId}: still recognised after ${row.validUntil}`);
      if (row.status === 'expired' && row.validUntil >= now) invariants.validForItsTerm!.push(`${row.caseId}: expired before ${row.validUntil}`);
    }
  }

  async function checkNoCaseLost(): Promise<void> {
    const rows = await database.db.select({ caseId: cases.caseId }).from(cases);
    const known = new Set(rows.map((row) => row.caseId));
    for (const caseId of startedCases) if (!known.has(caseId)) invariants.noCaseLost!.push(`${caseId} was started but has no record`);
    for (const caseId of known) if (!startedCases.has(caseId)) invariants.noCaseLost!.push(`${caseId} has a record nobody started`);
    const stuck = await database.db
      .select({ caseId: cases.caseId, status: cases.status, dueOn: cases.dueOn })
      .from(cases)
      .where(and(sql`${cases.dueOn} < ${addDays(today(), -1)}`, inArray(cases.status, OPEN_APPLICATION_STATUSES)));
    for (const row of stuck) invariants.noCaseLost!.push(`${row.caseId} ${row.status}: due ${row.dueOn} and not moved on`);
  }

  async function casesByYearAndOutcome() {
    const rows = await database.sql<{ year: number; status: string; n: number }[]>`select year, status, count(*)::int as n from cases group by 1, 2 order by 1, 2`;
    const result: Record<number, Record<string, number>> = {};
    for (const row of rows) (result[row.year] ??= {})[row.status] = row.n;
    return result;
  }

  async function firedCounts() {
    const rows = await database.db
      .select({ action: caseEvents.action, n: sql<number>`count(*)::int` })
      .from(caseEvents)
      .where(inArray(caseEvents.action, [...CLOCK_ACTIONS, ...OVERDUE_ACTIONS, ...TERM_ACTIONS]))
      .groupBy(caseEvents.action);
    return Object.fromEntries(rows.map((row) => [row.action, row.n]));
  }

  async function overdueCount() {
    const [row] = await database.db.select({ n: sql<number>`count(*)::int` }).from(caseEvents).where(inArray(caseEvents.action, OVERDUE_ACTIONS));
    return row?.n ?? 0;
  }
}

/**
 * From mid-January to the end of June nothing but spot checks and evaluations waits for a person,
 * so the actors look in every fourth week; the clock still fires every timer on its day.
 */
function isQuietWeek(date: IsoDate, week: number): boolean {
  const monthDay = date.slice(5);
  return monthDay >= '01-15' && monthDay < '06-24' && week % 4 !== 0;
}

/** A private network address of the household's own (the USCC's digits spread over three bytes), as each objector has in fact. */
function objectorAddress(uscc: string): string {
  const n = Number.parseInt(uscc.replace(/\D/g, '').slice(-7), 10) % 16_777_216;
  return `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`;
}

/** About `days` ahead, moved off a weekend (a holiday may still refuse it: the office then tries again another week). */
function workingDayAbout(from: IsoDate, days: number): IsoDate {
  const date = addDays(from, days);
  const weekday = dayOfWeek(date);
  return weekday === 6 ? addDays(date, 2) : weekday === 0 ? addDays(date, 1) : date;
}

async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += ACTION_CONCURRENCY) await Promise.all(items.slice(i, i + ACTION_CONCURRENCY).map(work));
}

async function importFile(database: Database, feed: FeedName, input: Readable, today: IsoDate): Promise<void> {
  await importFeed({ database, feed, input, fileName: `simulation/${FEEDS[feed].fileName}`, importedBy: 'simulation', today });
}

/**
 * The agencies' feeds of the year before `year`, arriving for its run: each household's last
 * reported revenue, tax and insured people carried on with a growth drawn for it (mean +5%,
 * spread ±25%), so that tiers move between years as a real city's do.
 */
async function importNextYearFeeds(database: Database, year: number, random: Random, today: IsoDate): Promise<void> {
  const previous = year - 2;
  const reports = await database.sql<{ uscc: string; revenue: string | null }[]>`select uscc, revenue::text from annual_reports where year = ${previous} order by uscc`;
  const growth = new Map(reports.map((r) => [r.uscc, 1.05 + (random() - 0.5) * 0.5]));
  const filedOn = `${year}-03-20`;
  const annual = reports.map((r) => `${r.uscc},${year - 1},${filedOn},${r.revenue === null ? '' : (Number(r.revenue) * growth.get(r.uscc)!).toFixed(2)}\n`);
  await importFile(database, 'annual_reports', Readable.from([`uscc,year,filed_on,revenue\n${annual.join('')}`]), today);
  const tax = await database.sql<{ uscc: string; tax_registered_on: string | null; general_taxpayer: boolean | null; vat_paid: string | null; iit_paid: string | null; abnormal: boolean | null }[]>`
    select uscc, tax_registered_on::text, general_taxpayer, vat_paid::text, iit_paid::text, abnormal from tax_records where year = ${previous} order by uscc`;
  const money = (value: string | null, uscc: string) => (value === null ? '' : (Number(value) * (growth.get(uscc) ?? 1)).toFixed(2));
  const taxLines = tax.map((t) => `${t.uscc},${year - 1},${t.tax_registered_on ?? ''},${t.general_taxpayer ?? ''},${money(t.vat_paid, t.uscc)},${money(t.iit_paid, t.uscc)},${t.abnormal ?? ''}\n`);
  await importFile(database, 'tax', Readable.from([`uscc,year,tax_registered_on,general_taxpayer,vat_paid,iit_paid,abnormal\n${taxLines.join('')}`]), today);
  const insured = await database.sql<{ uscc: string; insured_count: number }[]>`select uscc, insured_count from social_insurance where year = ${previous} order by uscc`;
  const insuredLines = insured.map((s) => `${s.uscc},${year - 1},${Math.max(0, Math.round(s.insured_count * (growth.get(s.uscc) ?? 1)))}\n`);
  await importFile(database, 'social_insurance', Readable.from([`uscc,year,insured_count\n${insuredLines.join('')}`]), today);
}

/** Scripted actors act thousands of times a minute: the limits meant for people would only slow the run. */
export const SIMULATION_RATE_LIMITS: RateLimits = { perActorPerMinute: 1_000_000, anonymousReadsPerMinute: 1_000_000, anonymousWritesPerMinute: 1_000_000 };

export function randomSecret(): string {
  return randomBytes(32).toString('hex');
}

