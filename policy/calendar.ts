/**
 * Working days 工作日 under the State Council's yearly holiday notices (calendar.md).
 *
 * The notices are data an administrator loads each November, not code: build a calendar
 * from whatever notices are loaded at the moment a deadline is computed. A year without a
 * notice falls back to Monday–Friday, and every answer says so, because a deadline counted
 * on a guessed calendar must be flagged to the people relying on it.
 */
import { dayOfWeekOfEpochDay, epochDayOf, isValidIsoDate, isoDateOfEpochDay, yearOf, type IsoDate } from './dates.js';

export interface HolidayNotice {
  /** The year the notice governs; its listed dates may reach into the neighbouring year. */
  year: number;
  notice: string;
  publishedOn: IsoDate;
  /** Every day off, weekends inside a break included. */
  daysOff: IsoDate[];
  /** Weekend days that are working days 调休上班. */
  makeUpWorkdays: IsoDate[];
}

/** Lookups keyed by epoch day (see `epochDayOf`), so stepping through days builds no strings. */
export interface WorkingDayCalendar {
  readonly noticeYears: ReadonlySet<number>;
  readonly daysOff: ReadonlySet<number>;
  readonly makeUpWorkdays: ReadonlySet<number>;
}

export interface WorkingDayStatus {
  working: boolean;
  /** True when no notice covers the date, so the Monday–Friday rule decided. */
  fallback: boolean;
}

export interface WorkingDayResult {
  date: IsoDate;
  /** Years whose days were counted by the Monday–Friday fallback, ascending. */
  fallbackYears: number[];
}

export interface WorkingDayCount {
  count: number;
  fallbackYears: number[];
}

/** Rejects inconsistent notice data: a deadline silently computed on it would be wrong. */
export function buildCalendar(notices: readonly HolidayNotice[]): WorkingDayCalendar {
  const noticeYears = new Set<number>();
  const daysOff = new Set<number>();
  const makeUpWorkdays = new Set<number>();
  for (const notice of notices) {
    if (noticeYears.has(notice.year)) throw new Error(`more than one holiday notice for ${notice.year}`);
    noticeYears.add(notice.year);
    addListedDays(notice, notice.daysOff, daysOff, makeUpWorkdays);
    addListedDays(notice, notice.makeUpWorkdays, makeUpWorkdays, daysOff);
  }
  return { noticeYears, daysOff, makeUpWorkdays };
}

function addListedDays(
  notice: HolidayNotice,
  dates: readonly IsoDate[],
  into: Set<number>,
  oppositeList: ReadonlySet<number>,
): void {
  for (const date of dates) {
    if (!isValidIsoDate(date)) throw new Error(`holiday notice ${notice.year}: '${date}' is not a date`);
    const day = epochDayOf(date);
    if (oppositeList.has(day)) {
      throw new Error(`holiday notice ${notice.year}: ${date} is listed both as a day off and as a make-up workday`);
    }
    into.add(day);
  }
}

function isWeekday(epochDay: number): boolean {
  const weekday = dayOfWeekOfEpochDay(epochDay);
  return weekday !== 0 && weekday !== 6;
}

function yearOfEpochDay(epochDay: number): number {
  return yearOf(isoDateOfEpochDay(epochDay));
}

function statusOfEpochDay(cal: WorkingDayCalendar, epochDay: number): WorkingDayStatus {
  if (cal.daysOff.has(epochDay)) return { working: false, fallback: false };
  if (cal.makeUpWorkdays.has(epochDay)) return { working: true, fallback: false };
  return { working: isWeekday(epochDay), fallback: !cal.noticeYears.has(yearOfEpochDay(epochDay)) };
}

export function isWorkingDay(cal: WorkingDayCalendar, date: IsoDate): WorkingDayStatus {
  return statusOfEpochDay(cal, epochDayOf(date));
}

function assertPositiveCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`working-day count must be an integer ≥ 1, got ${n}`);
}

function stepWorkingDays(cal: WorkingDayCalendar, from: IsoDate, n: number, direction: 1 | -1): WorkingDayResult {
  assertPositiveCount(n);
  const fallbackYears = new Set<number>();
  let day = epochDayOf(from);
  let remaining = n;
  while (remaining > 0) {
    day += direction;
    const status = statusOfEpochDay(cal, day);
    if (status.fallback) fallbackYears.add(yearOfEpochDay(day));
    if (status.working) remaining--;
  }
  return { date: isoDateOfEpochDay(day), fallbackYears: sortedYears(fallbackYears) };
}

function sortedYears(years: Set<number>): number[] {
  return [...years].sort((a, b) => a - b);
}

/** The n-th working day strictly after `from` (n ≥ 1): the due date of an N-working-day window. */
export function addWorkingDays(cal: WorkingDayCalendar, from: IsoDate, n: number): WorkingDayResult {
  return stepWorkingDays(cal, from, n, 1);
}

/** The n-th working day strictly before `from` (n ≥ 1): when to remind N working days ahead of a due date. */
export function subtractWorkingDays(cal: WorkingDayCalendar, from: IsoDate, n: number): WorkingDayResult {
  return stepWorkingDays(cal, from, n, -1);
}

/** Working days in (from, to]; 0 when `to` is not after `from`. */
export function workingDaysBetween(cal: WorkingDayCalendar, from: IsoDate, to: IsoDate): WorkingDayCount {
  const fallbackYears = new Set<number>();
  let count = 0;
  const last = epochDayOf(to);
  for (let day = epochDayOf(from) + 1; day <= last; day++) {
    const status = statusOfEpochDay(cal, day);
    if (status.fallback) fallbackYears.add(yearOfEpochDay(day));
    if (status.working) count++;
  }
  return { count, fallbackYears: sortedYears(fallbackYears) };
}

export function workingDaysInYear(cal: WorkingDayCalendar, year: number): number {
  const lastDayOfPreviousYear = epochDayOf(`${String(year - 1).padStart(4, '0')}-12-31`);
  const lastDayOfYear = epochDayOf(`${String(year).padStart(4, '0')}-12-31`);
  let count = 0;
  for (let day = lastDayOfPreviousYear + 1; day <= lastDayOfYear; day++) {
    if (statusOfEpochDay(cal, day).working) count++;
  }
  return count;
}
