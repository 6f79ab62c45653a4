/**
 * C-QUOTA in the database: the year's caps (`recognition_quotas`, one row per district plus the
 * city-wide row), the places held (`quota_places`) and the cases waiting for one
 * (`quota_waitlist`).
 *
 * Why the cap holds under any concurrency (READ COMMITTED, the PostgreSQL default):
 * - Every change to a district's places runs in one transaction that first locks that
 *   district's counter row (SELECT … FOR UPDATE). Takes, releases and departures in one
 *   district therefore run one after another, and each statement after the lock sees what
 *   the previous holder committed — so "is anyone ranked before me waiting?" and "is there
 *   room?" are answered on current data, never on a stale read.
 * - The counters are then moved by guarded statements, `UPDATE … SET used = used + 1 WHERE
 *   used < cap RETURNING`, on the city row and the district row; PostgreSQL re-checks the guard
 *   on the latest row version, so two transactions can never both take the last place. If a
 *   guard fails nothing of the transaction is kept.
 * - Locks are always taken district row first, then city row, so transactions never deadlock.
 * - The table's CHECK (0 ≤ used ≤ cap) is the last line: an increment that slipped past every
 *   guard would abort its transaction rather than exceed the cap.
 */
import { ApplicationFailure } from '@temporalio/common';
import { and, asc, count, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db, DbTransaction } from '../db/client.js';
import { quotaPlaces, quotaWaitlist, recognitionQuotas } from '../db/recognition-schema.js';
import { tieringRuns } from '../db/tiering-schema.js';
import { SYSTEM_ACTOR, type Actor } from '../policy/actors.js';
import { TIANJIN_DISTRICTS } from '../policy/districts.js';
import { QUOTA_RATE, allocateQuota } from '../policy/quota.js';
import type { QuotaAnswer } from '../policy/recognition-case.js';
import { QUOTA_NOT_SET_ERROR, QUOTA_REQUEST_ERROR } from '../policy/vocabulary.js';
import { recordAuditEvents } from './case-projection.js';

/** `district_code` of the city-wide row of `recognition_quotas`. */
export const CITY_QUOTA = 'city';

export interface YearQuotaSet {
  /** False when the year's quota already existed (then it is left as it was). */
  created: boolean;
  tieringRunId: number;
  cityCap: number;
}

export interface QuotaRelease {
  /** The case held a place and holds none now (also on a retry after the place was freed). */
  placeReleased: boolean;
  /**
   * The case ranked first in the district's waitlist when the district has a free place: the
   * one case that may take it now (its workflow ID, to be told). Null when nobody can.
   */
  nextInLine: string | null;
}

export interface QuotaActivities {
  /**
   * Sets the year's caps from the tiering run of that year in force, once: later calls, and a
   * run that comes into force later, leave them as they are (C-QUOTA, C-CYCLE).
   */
  ensureYearQuota(input: { year: number }): Promise<YearQuotaSet>;
  /**
   * Takes a place for a recognition, or puts the case on the district's waitlist, ranked by
   * readyAt (an ISO instant) then case ID. A case takes a place only when none ranked before it
   * waits in its district. A retry answers what the first call did.
   */
  takeQuotaPlace(input: { caseId: string; year: number; districtCode: string; readyAt: string }): Promise<QuotaAnswer>;
  /** Frees the case's place (refused, revoked, cancelled, withdrawn…) once, and takes it off the waitlist. */
  releaseQuotaPlace(input: { caseId: string; reason: string }): Promise<QuotaRelease>;
  /** Takes a waiting case off the waitlist (the year's window has closed). */
  leaveWaitlist(input: { caseId: string }): Promise<{ left: boolean }>;
}

/** No quota can be set for the year (no run in force, or one whose counts cannot be used). */
export class QuotaNotSet extends Error {
  constructor(
    readonly year: number,
    message: string,
  ) {
    super(message);
  }
}

type Tx = DbTransaction;
type Executor = Db | Tx;

export function createQuotaActivities(deps: { db: Db; now?: () => number }): QuotaActivities {
  const { db } = deps;
  // The system's one clock (a training system's is Temporal's), for the instants the rows record.
  const now = (): Date => new Date((deps.now ?? Date.now)());
  return {
    async ensureYearQuota({ year }) {
      assertYear(year);
      return withQuotaFailures(() => createYearQuota(db, year, SYSTEM_ACTOR, now()));
    },

    async takeQuotaPlace({ caseId, year, districtCode, readyAt }) {
      assertYear(year);
      if (!caseId) throw requestRefused('caseId is required');
      if (!districtCode) throw requestRefused('districtCode is required');
      const readyInstant = new Date(readyAt);
      if (Number.isNaN(readyInstant.getTime())) throw requestRefused(`readyAt must be an ISO instant, got ${JSON.stringify(readyAt)}`);
      if (!(await yearQuotaExists(db, year))) await withQuotaFailures(() => createYearQuota(db, year, SYSTEM_ACTOR, now()));

      return db.transaction(async (tx): Promise<QuotaAnswer> => {
        const district = await lockDistrict(tx, year, districtCode);
        if (!district) throw requestRefused(`C-QUOTA: the ${year} quota has no row for district ${districtCode}`);
        const [held] = await tx.select().from(quotaPlaces).where(eq(quotaPlaces.caseId, caseId));
        if (held) {
          if (held.releasedAt) {
            throw requestRefused(`C-QUOTA: the place of ${caseId} was released on ${held.releasedAt.toISOString()}; it is not taken again`);
          }
          return { taken: true };
        }
        // Two households of one operator can pass the application check at the same moment; the
        // district's lock makes this the one place where the second of them is certainly seen.
        const sibling = await recognisedSiblingOf(tx, caseId, districtCode);
        if (sibling) {
          await tx.delete(quotaWaitlist).where(eq(quotaWaitlist.caseId, caseId));
          return { taken: false, heldBySameOperator: sibling };
        }
        const [queued] = await tx.select().from(quotaWaitlist).where(eq(quotaWaitlist.caseId, caseId));
        // A case keeps the rank it was first given, whatever readyAt a later call brings.
        const rankedAt = queued?.readyAt ?? readyInstant;
        const ahead = await countRankedBefore(tx, year, districtCode, rankedAt, caseId);
        if (ahead === 0 && district.used < district.cap && (await takePlace(tx, caseId, year, districtCode, now()))) {
          return { taken: true };
        }
        if (!queued) {
          await tx.insert(quotaWaitlist).values({ caseId, year, districtCode, readyAt: readyInstant });
        }
        return { taken: false, rank: ahead + 1, waiting: await countWaiting(tx, year, districtCode) };
      });
    },

    async releaseQuotaPlace({ caseId, reason }) {
      if (!reason?.trim()) throw requestRefused('C-QUOTA: a released place needs a reason (refused, revoked, cancelled, withdrawn…)');
      const where = await locateCase(db, caseId);
      if (!where) return { placeReleased: false, nextInLine: null };
      return db.transaction(async (tx) => {
        await lockDistrict(tx, where.year, where.districtCode);
        const [place] = await tx.select().from(quotaPlaces).where(eq(quotaPlaces.caseId, caseId));
        if (place) {
          const freed = await tx
            .update(quotaPlaces)
            .set({ releasedAt: now() })
            .where(and(eq(quotaPlaces.caseId, caseId), isNull(quotaPlaces.releasedAt)))
            .returning({ caseId: quotaPlaces.caseId });
          if (freed.length > 0) {
            await moveCounter(tx, place.year, place.districtCode, -1);
            await moveCounter(tx, place.year, CITY_QUOTA, -1);
          }
        }
        await tx.delete(quotaWaitlist).where(eq(quotaWaitlist.caseId, caseId));
        return { placeReleased: place !== undefined, nextInLine: await firstWaitingWithRoom(tx, where.year, where.districtCode) };
      });
    },

    async leaveWaitlist({ caseId }) {
      const [queued] = await db.select().from(quotaWaitlist).where(eq(quotaWaitlist.caseId, caseId));
      if (!queued) return { left: false };
      return db.transaction(async (tx) => {
        await lockDistrict(tx, queued.year, queued.districtCode);
        const left = await tx.delete(quotaWaitlist).where(eq(quotaWaitlist.caseId, caseId)).returning({ caseId: quotaWaitlist.caseId });
        return { left: left.length > 0 };
      });
    },
  };
}

/** The audit trail of a year's quota: the one event of its setting, whoever set it. */
export function yearQuotaAuditId(year: number): string {
  return `recognition-quota-${year}`;
}

/**
 * Creates the year's quota rows from the run of that year in force, all at once or not at all.
 * Two callers racing both insert the city row first: the second waits for the first to commit
 * and then finds the row there, so the rows always come from one run. `setBy` is audited.
 */

export async function createYearQuota(db: Db, year: number, setBy: Actor, at: Date = new Date()): Promise<YearQuotaSet> {
  return db.transaction(async (tx) => {
    const existing = await cityRow(tx, year);
    if (existing) return { created: false, tieringRunId: existing.tieringRunId, cityCap: existing.cap };

    const [run] = await tx
      .select({ id: tieringRuns.id, quotaBase: tieringRuns.quotaBase, countsByDistrict: tieringRuns.countsByDistrict })
      .from(tieringRuns)
      .where(and(eq(tieringRuns.year, year), eq(tieringRuns.inForce, true)));
    if (!run) {
      throw new QuotaNotSet(
        year,
        `C-QUOTA: no recognition quota is set for ${year} because no tiering run of ${year} is in force ` +
          `(C-CYCLE: recognition opens after the year's tiering run)`,
      );
    }
    let allocation: ReturnType<typeof allocateQuota>;
    try {
      if (run.quotaBase === null) throw new RangeError('the run has no quota_base (growth + development)');
      allocation = allocateQuota({ quotaBase: run.quotaBase, byDistrict: growthPlusDevelopment(run.countsByDistrict) });
    } catch (err) {
      throw new QuotaNotSet(year, `C-QUOTA: tiering run ${run.id} in force for ${year} cannot set a quota: ${(err as Error).message}`);
    }

    const inserted = await tx
      .insert(recognitionQuotas)
      .values({ year, districtCode: CITY_QUOTA, cap: allocation.cityCap, tieringRunId: run.id })
      .onConflictDoNothing()
      .returning({ cap: recognitionQuotas.cap });
    if (inserted.length === 0) {
      const winner = (await cityRow(tx, year))!;
      return { created: false, tieringRunId: winner.tieringRunId, cityCap: winner.cap };
    }
    await tx
      .insert(recognitionQuotas)
      .values(Object.entries(allocation.districtCaps).map(([districtCode, cap]) => ({ year, districtCode, cap, tieringRunId: run.id })));
    await recordAuditEvents(tx, yearQuotaAuditId(year), [
      {
        seq: 1,
        at: at.toISOString(),
        actor: setBy,
        action: 'quota_set',
        fromStatus: null,
        toStatus: 'set',
        reason: `${QUOTA_RATE * 100}% of the ${run.quotaBase} growth and development households of tiering run ${run.id}, by district with the largest remainder`,
        clauses: ['C-QUOTA'],
        details: { tieringRunId: run.id, quotaBase: run.quotaBase, cityCap: allocation.cityCap, districtCaps: allocation.districtCaps },
      },
    ]);
    return { created: true, tieringRunId: run.id, cityCap: allocation.cityCap };
  });
}

export interface QuotaCounter {
  cap: number;
  used: number;
  free: number;
  waiting: number;
}

export interface YearQuotaView {
  year: number;
  rate: number;
  /** The run the caps were computed from. */
  tieringRunId: number;
  /** The run of the year in force now; it differs from tieringRunId when a re-run came later (caps stay). */
  runInForceId: number | null;
  city: QuotaCounter;
  districts: Array<QuotaCounter & { districtCode: string; districtName: string | null }>;
}

/** The year's caps, places used and cases waiting; null when no quota has been set for the year. */
export async function readYearQuota(db: Db, year: number): Promise<YearQuotaView | null> {
  const rows = await db.select().from(recognitionQuotas).where(eq(recognitionQuotas.year, year)).orderBy(asc(recognitionQuotas.districtCode));
  const city = rows.find((r) => r.districtCode === CITY_QUOTA);
  if (!city) return null;
  const waitingRows = await db
    .select({ districtCode: quotaWaitlist.districtCode, waiting: count() })
    .from(quotaWaitlist)
    .where(eq(quotaWaitlist.year, year))
    .groupBy(quotaWaitlist.districtCode);
  const waitingIn = new Map(waitingRows.map((r) => [r.districtCode, r.waiting]));
  const [inForce] = await db
    .select({ id: tieringRuns.id })
    .from(tieringRuns)
    .where(and(eq(tieringRuns.year, year), eq(tieringRuns.inForce, true)));
  const counter = (cap: number, used: number, waiting: number): QuotaCounter => ({ cap, used, free: cap - used, waiting });
  return {
    year,
    rate: QUOTA_RATE,
    tieringRunId: city.tieringRunId,
    runInForceId: inForce?.id ?? null,
    city: counter(city.cap, city.used, waitingRows.reduce((sum, r) => sum + r.waiting, 0)),
    districts: rows
      .filter((r) => r.districtCode !== CITY_QUOTA)
      .map((r) => ({
        districtCode: r.districtCode,
        districtName: TIANJIN_DISTRICTS[r.districtCode] ?? null,
        ...counter(r.cap, r.used, waitingIn.get(r.districtCode) ?? 0),
      })),
  };
}

/**
 * Growth + development per district from the run's counts_by_district
 * (`{ "<district>": { survival, growth, development, unclassified } }`). Every Tianjin district
 * gets a row, with nothing to share when the run counted none there.
 */
function growthPlusDevelopment(countsByDistrict: unknown): Record<string, number> {
  const byDistrict: Record<string, number> = Object.fromEntries(Object.keys(TIANJIN_DISTRICTS).map((code) => [code, 0]));
  if (typeof countsByDistrict !== 'object' || countsByDistrict === null) {
    throw new RangeError('the run has no counts by district');
  }
  for (const [code, counts] of Object.entries(countsByDistrict as Record<string, { growth?: unknown; development?: unknown }>)) {
    const growth = counts?.growth ?? 0;
    const development = counts?.development ?? 0;
    if (typeof growth !== 'number' || typeof development !== 'number') {
      throw new RangeError(`counts_by_district.${code} has no numeric growth and development counts`);
    }
    byDistrict[code] = growth + development;
  }
  return byDistrict;
}

async function cityRow(tx: Executor, year: number) {
  const [row] = await tx
    .select()
    .from(recognitionQuotas)
    .where(and(eq(recognitionQuotas.year, year), eq(recognitionQuotas.districtCode, CITY_QUOTA)));
  return row;
}

async function yearQuotaExists(db: Db, year: number): Promise<boolean> {
  return (await cityRow(db, year)) !== undefined;
}

async function lockDistrict(tx: Tx, year: number, districtCode: string) {
  const [row] = await tx
    .select()
    .from(recognitionQuotas)
    .where(and(eq(recognitionQuotas.year, year), eq(recognitionQuotas.districtCode, districtCode)))
    .for('update');
  return row;
}

/** City row, then district row, each guarded by used < cap; false when the city is full. */
async function takePlace(tx: Tx, caseId: string, year: number, districtCode: string, takenAt: Date): Promise<boolean> {
  const city = await tx
    .update(recognitionQuotas)
    .set({ used: sql`${recognitionQuotas.used} + 1` })
    .where(and(eq(recognitionQuotas.year, year), eq(recognitionQuotas.districtCode, CITY_QUOTA), lt(recognitionQuotas.used, recognitionQuotas.cap)))
    .returning({ used: recognitionQuotas.used });
  if (city.length === 0) return false;
  // The district row is locked by this transaction and was seen below its cap, so this guard
  // holds; if it ever did not, throwing rolls the city increment back with everything else.
  await moveCounter(tx, year, districtCode, +1);
  await tx.insert(quotaPlaces).values({ caseId, year, districtCode, takenAt });
  await tx.delete(quotaWaitlist).where(eq(quotaWaitlist.caseId, caseId));
  return true;
}

/**
 * Another household of the case's operator in the district that holds a place or a valid
 * recognition (a mutual recognition holds no place). Null also when the case has no projection yet.
 */
async function recognisedSiblingOf(tx: Tx, caseId: string, districtCode: string): Promise<{ caseId: string; uscc: string } | null> {
  const rows = await tx.execute<{ case_id: string; uscc: string }>(sql`
    with applicant as (
      select h.uscc, h.operator_id from cases c join households h on h.uscc = c.uscc where c.case_id = ${caseId}
    ),
    siblings as (
      select h.uscc from households h, applicant a
      where h.operator_id = a.operator_id and h.district_code = ${districtCode} and h.uscc <> a.uscc
    )
    select p.case_id, c.uscc from quota_places p join cases c on c.case_id = p.case_id
    where p.released_at is null and c.uscc in (select uscc from siblings)
    union all
    select r.case_id, r.uscc from recognitions r
    where r.status = 'recognised' and r.uscc in (select uscc from siblings)
    limit 1`);
  const [row] = rows;
  return row ? { caseId: row.case_id, uscc: row.uscc } : null;
}

async function moveCounter(tx: Tx, year: number, districtCode: string, by: 1 | -1): Promise<void> {
  const guard = by > 0 ? lt(recognitionQuotas.used, recognitionQuotas.cap) : gt(recognitionQuotas.used, 0);
  const moved = await tx
    .update(recognitionQuotas)
    .set({ used: sql`${recognitionQuotas.used} + ${by}` })
    .where(and(eq(recognitionQuotas.year, year), eq(recognitionQuotas.districtCode, districtCode), guard))
    .returning({ used: recognitionQuotas.used });
  if (moved.length === 0) {
    throw new Error(`C-QUOTA: the ${year} counter of ${districtCode} cannot move by ${by}: it would leave 0..cap`);
  }
}

/** Waiting cases ranked before (rankedAt, caseId): earlier readyAt, then the lower case ID. */
async function countRankedBefore(tx: Tx, year: number, districtCode: string, rankedAt: Date, caseId: string): Promise<number> {
  const [row] = await tx
    .select({ ahead: count() })
    .from(quotaWaitlist)
    .where(
      and(
        eq(quotaWaitlist.year, year),
        eq(quotaWaitlist.districtCode, districtCode),
        sql`(${quotaWaitlist.readyAt}, ${quotaWaitlist.caseId} collate "C") < (${rankedAt.toISOString()}::timestamptz, ${caseId} collate "C")`,
      ),
    );
  return row!.ahead;
}

async function countWaiting(tx: Tx, year: number, districtCode: string): Promise<number> {
  const [row] = await tx
    .select({ waiting: count() })
    .from(quotaWaitlist)
    .where(and(eq(quotaWaitlist.year, year), eq(quotaWaitlist.districtCode, districtCode)));
  return row!.waiting;
}

async function firstWaitingWithRoom(tx: Tx, year: number, districtCode: string): Promise<string | null> {
  const counters = await tx
    .select()
    .from(recognitionQuotas)
    .where(and(eq(recognitionQuotas.year, year), inArray(recognitionQuotas.districtCode, [districtCode, CITY_QUOTA])));
  if (counters.length < 2 || counters.some((c) => c.used >= c.cap)) return null;
  const [first] = await tx
    .select({ caseId: quotaWaitlist.caseId })
    .from(quotaWaitlist)
    .where(and(eq(quotaWaitlist.year, year), eq(quotaWaitlist.districtCode, districtCode)))
    .orderBy(asc(quotaWaitlist.readyAt), sql`${quotaWaitlist.caseId} collate "C"`)
    .limit(1);
  return first?.caseId ?? null;
}

async function locateCase(db: Db, caseId: string): Promise<{ year: number; districtCode: string } | undefined> {
  const [place] = await db.select({ year: quotaPlaces.year, districtCode: quotaPlaces.districtCode }).from(quotaPlaces).where(eq(quotaPlaces.caseId, caseId));
  if (place) return place;
  const [queued] = await db.select({ year: quotaWaitlist.year, districtCode: quotaWaitlist.districtCode }).from(quotaWaitlist).where(eq(quotaWaitlist.caseId, caseId));
  return queued;
}

async function withQuotaFailures<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof QuotaNotSet) {
      throw ApplicationFailure.create({ type: QUOTA_NOT_SET_ERROR, message: err.message, nonRetryable: true, details: [{ year: err.year, clauses: ['C-QUOTA', 'C-CYCLE'] }] });
    }
    throw err;
  }
}

function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < 2000 || year > 9999) throw requestRefused(`year must be a four-digit year, got ${year}`);
}

function requestRefused(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: QUOTA_REQUEST_ERROR, message, nonRetryable: true });
}
