import { ApplicationFailure } from '@temporalio/common';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CITY_QUOTA, createQuotaActivities, type QuotaActivities } from '../../activities/quota.js';
import { QUOTA_NOT_SET_ERROR, QUOTA_REQUEST_ERROR } from '../../policy/vocabulary.js';
import { connectDatabase, type Database } from '../../db/client.js';
import { quotaPlaces, quotaWaitlist, recognitionQuotas } from '../../db/recognition-schema.js';
import { cases as caseProjections, households } from '../../db/schema.js';
import { tieringRuns } from '../../db/tiering-schema.js';
import type { QuotaAnswer } from '../../policy/recognition-case.js';
import { registerHousehold } from '../support/stack.js';

// Years of their own, so that test files running in parallel on the shared database never meet.
const RACE_YEAR = 2091;
const SETUP_YEAR = 2090;
const ONE_PERSON_YEAR = 2093;
const NANKAI = '120104';
const HEPING = '120101';

let database: Database;
let quota: QuotaActivities;

beforeAll(async () => {
  // A pool wide enough for the transactions of the race to really run side by side.
  database = connectDatabase(inject('databaseUrl'), { max: 12 });
  quota = createQuotaActivities({ db: database.db });
});

afterAll(async () => {
  await database?.close();
});

async function insertRun(year: number, version: number, byDistrict: Record<string, { growth: number; development: number }>) {
  const countsByDistrict = Object.fromEntries(
    Object.entries(byDistrict).map(([code, c]) => [code, { survival: 3, growth: c.growth, development: c.development, unclassified: 1 }]),
  );
  const quotaBase = Object.values(byDistrict).reduce((sum, c) => sum + c.growth + c.development, 0);
  const [run] = await database.db
    .insert(tieringRuns)
    .values({
      year,
      version,
      asOf: `${year}-08-01`,
      thresholds: {},
      ruleVersion: 'test',
      status: 'completed',
      workflowId: `quota-test-run-${year}-${version}`,
      requestedBy: 'quota-test',
      startedAt: new Date(),
      completedAt: new Date(),
      countsByDistrict,
      quotaBase,
      inForce: true,
    })
    .returning({ id: tieringRuns.id });
  return run!.id;
}

async function counters(year: number): Promise<Record<string, { cap: number; used: number }>> {
  const rows = await database.db.select().from(recognitionQuotas).where(eq(recognitionQuotas.year, year));
  return Object.fromEntries(rows.map((r) => [r.districtCode, { cap: r.cap, used: r.used }]));
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => {
      throw new Error('expected the activity to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('ensureYearQuota', () => {
  it('refuses, without retrying, a year whose tiering run is not in force, naming C-QUOTA and C-CYCLE', async () => {
    const failure = await failureOf(quota.ensureYearQuota({ year: SETUP_YEAR }));
    expect(failure).toMatchObject({ type: QUOTA_NOT_SET_ERROR, nonRetryable: true });
    expect(failure.message).toMatch(/C-QUOTA.*no tiering run of 2090 is in force.*C-CYCLE/);
    const taking = await failureOf(quota.takeQuotaPlace({ caseId: 'quota-2090-early', year: SETUP_YEAR, districtCode: NANKAI, readyAt: '2090-09-01T02:00:00Z' }));
    expect(taking.type).toBe(QUOTA_NOT_SET_ERROR);
    expect(await counters(SETUP_YEAR)).toEqual({});
  });

  it('creates the caps once from the run in force, even when asked several times at once', async () => {
    const runId = await insertRun(SETUP_YEAR, 1, { [HEPING]: { growth: 150, development: 50 }, [NANKAI]: { growth: 100, development: 100 } });
    const answers = await Promise.all([1, 2, 3, 4].map(() => quota.ensureYearQuota({ year: SETUP_YEAR })));
    expect(answers.filter((a) => a.created)).toHaveLength(1);
    answers.forEach((a) => expect(a).toMatchObject({ tieringRunId: runId, cityCap: 20 }));

    const caps = await counters(SETUP_YEAR);
    expect(Object.keys(caps)).toHaveLength(17); // the city row and all 16 districts
    expect(caps[CITY_QUOTA]).toEqual({ cap: 20, used: 0 });
    expect(caps[HEPING]).toEqual({ cap: 10, used: 0 });
    expect(caps[NANKAI]).toEqual({ cap: 10, used: 0 });
    expect(caps['120116']).toEqual({ cap: 0, used: 0 });
  });

  it('keeps the caps it set when another run of the year comes into force later', async () => {
    const first = await quota.ensureYearQuota({ year: SETUP_YEAR });
    await database.db.update(tieringRuns).set({ inForce: false }).where(eq(tieringRuns.year, SETUP_YEAR));
    await insertRun(SETUP_YEAR, 2, { [HEPING]: { growth: 400, development: 400 } });
    const again = await quota.ensureYearQuota({ year: SETUP_YEAR });
    expect(again).toEqual({ created: false, tieringRunId: first.tieringRunId, cityCap: 20 });
    expect((await counters(SETUP_YEAR))[HEPING]).toEqual({ cap: 10, used: 0 });
  });
});

describe('takeQuotaPlace under concurrency (C-QUOTA)', () => {
  // Heping 100 and Nankai 40 growth + development: 5% of 140 is 7 places, 5 and 2.
  const CASES = 60;
  const cases = Array.from({ length: CASES }, (_, i) => ({
    caseId: `quota-2091-case-${String(i).padStart(2, '0')}`,
    year: RACE_YEAR,
    districtCode: i % 2 === 0 ? HEPING : NANKAI,
    readyAt: new Date(Date.UTC(RACE_YEAR, 8, 1, 2, 0, i)).toISOString(),
  }));
  const takenIds = new Set<string>();

  beforeAll(async () => {
    await insertRun(RACE_YEAR, 1, { [HEPING]: { growth: 60, development: 40 }, [NANKAI]: { growth: 30, development: 10 } });
  });

  it('gives exactly the 7 places to 60 recognitions racing for them, never above a cap', async () => {
    expect(await quota.ensureYearQuota({ year: RACE_YEAR })).toMatchObject({ created: true, cityCap: 7 });
    let racing = true;
    const overCap: string[] = [];
    const watch = (async () => {
      while (racing) {
        const seen = await counters(RACE_YEAR);
        for (const [code, c] of Object.entries(seen)) if (c.used > c.cap) overCap.push(`${code} ${c.used}/${c.cap}`);
      }
    })();
    // Fired in reverse readiness, all at once: the transactions queue on the pool of 12 connections.
    const answers = await Promise.all([...cases].reverse().map((c) => quota.takeQuotaPlace(c).then((answer) => ({ c, answer }))));
    racing = false;
    await watch;

    expect(overCap).toEqual([]);
    const taken = answers.filter((a) => a.answer.taken);
    expect(taken).toHaveLength(7);
    expect(taken.filter((a) => a.c.districtCode === HEPING)).toHaveLength(5);
    expect(taken.filter((a) => a.c.districtCode === NANKAI)).toHaveLength(2);
    taken.forEach((a) => takenIds.add(a.c.caseId));
    for (const { answer } of answers) {
      if (answer.taken) continue;
      if (!('rank' in answer)) throw new Error(`a waiting answer, not ${JSON.stringify(answer)}`);
      expect(answer.rank).toBeGreaterThanOrEqual(1);
      expect(answer.rank).toBeLessThanOrEqual(answer.waiting);
    }

    expect(await counters(RACE_YEAR)).toMatchObject({
      [CITY_QUOTA]: { cap: 7, used: 7 },
      [HEPING]: { cap: 5, used: 5 },
      [NANKAI]: { cap: 2, used: 2 },
    });
    const places = await database.db.select().from(quotaPlaces).where(and(eq(quotaPlaces.year, RACE_YEAR), isNull(quotaPlaces.releasedAt)));
    expect(new Set(places.map((p) => p.caseId))).toEqual(takenIds);
    const waiting = await database.db.select().from(quotaWaitlist).where(eq(quotaWaitlist.year, RACE_YEAR));
    expect(waiting).toHaveLength(CASES - 7);
  });

  it('answers retries, all at once, as before: no double counting, each waiting case with its own rank in readiness order', async () => {
    const answers = await Promise.all(cases.map((c) => quota.takeQuotaPlace(c).then((answer) => ({ c, answer }))));
    expect(new Set(answers.filter((a) => a.answer.taken).map((a) => a.c.caseId))).toEqual(takenIds);
    expect((await counters(RACE_YEAR))[CITY_QUOTA]).toEqual({ cap: 7, used: 7 });

    for (const district of [HEPING, NANKAI]) {
      const waitingHere = answers.filter((a) => a.c.districtCode === district && !a.answer.taken);
      const inReadiness = waitingHere.sort((a, b) => a.c.readyAt.localeCompare(b.c.readyAt));
      expect(inReadiness.map((a) => a.answer)).toEqual(
        inReadiness.map((_, i) => ({ taken: false, rank: i + 1, waiting: inReadiness.length })),
      );
    }
  });

  it('frees a released place once, and only the first-ranked waiting case of the district may take it', async () => {
    const placesInNankai = cases.filter((c) => c.districtCode === NANKAI && takenIds.has(c.caseId));
    const waitingInNankai = cases.filter((c) => c.districtCode === NANKAI && !takenIds.has(c.caseId));
    const [first, second] = waitingInNankai;
    const refused = placesInNankai[0]!;

    const release = await quota.releaseQuotaPlace({ caseId: refused.caseId, reason: 'refused at the city spot check (C-FILE)' });
    expect(release).toEqual({ placeReleased: true, nextInLine: first!.caseId });
    const retried = await quota.releaseQuotaPlace({ caseId: refused.caseId, reason: 'refused at the city spot check (C-FILE)' });
    expect(retried).toEqual({ placeReleased: true, nextInLine: first!.caseId });
    expect(await counters(RACE_YEAR)).toMatchObject({ [CITY_QUOTA]: { used: 6 }, [NANKAI]: { used: 1 } });

    const jumping: QuotaAnswer = await quota.takeQuotaPlace(second!);
    expect(jumping).toEqual({ taken: false, rank: 2, waiting: waitingInNankai.length });
    expect(await quota.takeQuotaPlace(first!)).toEqual({ taken: true });
    expect(await counters(RACE_YEAR)).toMatchObject({ [CITY_QUOTA]: { used: 7 }, [NANKAI]: { used: 2 } });
    expect(await quota.takeQuotaPlace(second!)).toEqual({ taken: false, rank: 1, waiting: waitingInNankai.length - 1 });

    const again = await failureOf(quota.takeQuotaPlace(refused));
    expect(again).toMatchObject({ type: QUOTA_REQUEST_ERROR, nonRetryable: true });
    expect(again.message).toMatch(/released/);
  });

  it('takes a case off the waitlist when it leaves or is withdrawn while waiting', async () => {
    const waitingInHeping = cases.filter((c) => c.districtCode === HEPING && !takenIds.has(c.caseId));
    const [first, second, third] = waitingInHeping;
    expect(await quota.leaveWaitlist({ caseId: first!.caseId })).toEqual({ left: true });
    expect(await quota.leaveWaitlist({ caseId: first!.caseId })).toEqual({ left: false });
    // Heping is full, so nobody may take the place of the one who left.
    expect(await quota.releaseQuotaPlace({ caseId: second!.caseId, reason: 'withdrawn by the household' })).toEqual({
      placeReleased: false,
      nextInLine: null,
    });
    expect(await quota.takeQuotaPlace(third!)).toEqual({ taken: false, rank: 1, waiting: waitingInHeping.length - 2 });
    const ranked = await database.db
      .select({ caseId: quotaWaitlist.caseId })
      .from(quotaWaitlist)
      .where(and(eq(quotaWaitlist.year, RACE_YEAR), eq(quotaWaitlist.districtCode, HEPING)))
      .orderBy(asc(quotaWaitlist.readyAt));
    expect(ranked.map((r) => r.caseId)).not.toContain(first!.caseId);
    expect(ranked.map((r) => r.caseId)).not.toContain(second!.caseId);
  });

  it('is held by the CHECK constraint even against a direct over-increment', async () => {
    await expect(
      database.sql`update recognition_quotas set used = used + 1 where year = ${RACE_YEAR} and district_code = ${CITY_QUOTA}`,
    ).rejects.toMatchObject({ code: '23514', constraint_name: 'recognition_quotas_cap_check' });
    expect((await counters(RACE_YEAR))[CITY_QUOTA]).toEqual({ cap: 7, used: 7 });
  });

  it('refuses malformed requests without retrying', async () => {
    const malformed: Array<[Parameters<QuotaActivities['takeQuotaPlace']>[0], RegExp]> = [
      [{ caseId: 'quota-2091-bad', year: RACE_YEAR, districtCode: NANKAI, readyAt: 'soon' }, /readyAt/],
      [{ caseId: 'quota-2091-bad', year: RACE_YEAR, districtCode: '110101', readyAt: '2091-09-01T00:00:00Z' }, /district 110101/],
    ];
    for (const [input, message] of malformed) {
      const failure = await failureOf(quota.takeQuotaPlace(input));
      expect(failure).toMatchObject({ type: QUOTA_REQUEST_ERROR, nonRetryable: true });
      expect(failure.message).toMatch(message);
    }
    const blank = await failureOf(quota.releaseQuotaPlace({ caseId: 'quota-2091-case-00', reason: ' ' }));
    expect(blank.message).toMatch(/needs a reason/);
  });
});

describe('takeQuotaPlace and one operator (C-ONE-PERSON)', () => {
  /** A household of `district` run by `operatorId`, with the case projection its application leaves. */
  async function applicant(district: string, operatorId: string | null, i: number) {
    const { uscc } = await registerHousehold(database, district, { eligible: false });
    if (operatorId) await database.db.update(households).set({ operatorId }).where(eq(households.uscc, uscc));
    const caseId = `recognition-${uscc}-${ONE_PERSON_YEAR}`;
    const at = new Date(Date.UTC(ONE_PERSON_YEAR, 8, 1, 2, 0, i));
    await database.db.insert(caseProjections).values({
      caseId,
      uscc,
      year: ONE_PERSON_YEAR,
      category: 'quality',
      route: 'self',
      districtCode: district,
      status: 'publicity',
      version: 1,
      view: {},
      createdAt: at,
      updatedAt: at,
    });
    return { caseId, uscc, year: ONE_PERSON_YEAR, districtCode: district, readyAt: at.toISOString() };
  }

  it('recognises one of four households of one operator racing in a district, refuses the others, and leaves other districts and operators alone', async () => {
    await insertRun(ONE_PERSON_YEAR, 1, { [NANKAI]: { growth: 150, development: 50 }, [HEPING]: { growth: 100, development: 0 } });
    const operator = `op-one-person-${process.pid}`;
    const siblings = await Promise.all([0, 1, 2, 3].map((i) => applicant(NANKAI, operator, i)));
    const elsewhere = await applicant(HEPING, operator, 4);
    const neighbour = await applicant(NANKAI, null, 5);

    const answers = await Promise.all(siblings.map((c) => quota.takeQuotaPlace(c).then((answer) => ({ c, answer }))));
    const winners = answers.filter((a) => a.answer.taken);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.c;
    for (const { c, answer } of answers) {
      if (c === winner) continue;
      expect(answer).toEqual({ taken: false, heldBySameOperator: { caseId: winner.caseId, uscc: winner.uscc } });
    }
    expect(await quota.takeQuotaPlace(elsewhere)).toEqual({ taken: true });
    expect(await quota.takeQuotaPlace(neighbour)).toEqual({ taken: true });
    expect(await counters(ONE_PERSON_YEAR)).toMatchObject({ [NANKAI]: { used: 2 }, [HEPING]: { used: 1 }, [CITY_QUOTA]: { used: 3 } });
    expect(await database.db.select().from(quotaWaitlist).where(eq(quotaWaitlist.year, ONE_PERSON_YEAR))).toEqual([]);

    // Once the recognition ends and frees its place, a sibling may be recognised.
    await quota.releaseQuotaPlace({ caseId: winner.caseId, reason: 'cancelled (C-ANNUAL)' });
    const next = siblings.find((c) => c !== winner)!;
    expect(await quota.takeQuotaPlace(next)).toEqual({ taken: true });
  });
});
