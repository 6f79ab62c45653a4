/**
 * Calendar dates as ISO strings ('YYYY-MM-DD'), the unit of every policy deadline.
 *
 * Policy dates are dates in China Standard Time (UTC+8, no daylight saving since 1991), so
 * conversion from an instant is plain arithmetic. Tiering calls these for every household
 * of the city, so they avoid Date objects, regular expressions and Intl; ISO strings of the
 * same length compare correctly with `<`, which callers may rely on.
 *
 * Except for `isValidIsoDate`, the functions assume a valid date in years 0001–9999:
 * validate at the boundary (import, API) once, not on every call.
 */

export type IsoDate = string;

const MS_PER_DAY = 86_400_000;
const CST_OFFSET_MS = 8 * 3_600_000;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const HYPHEN = 45;

const DIGIT_POSITIONS: readonly number[] = [0, 1, 2, 3, 5, 6, 8, 9];
const TWO_DIGITS: readonly string[] = Array.from({ length: 32 }, (_, n) => String(n).padStart(2, '0'));

function digitAt(s: string, index: number): number {
  return s.charCodeAt(index) - DIGIT_0;
}

function yearPart(date: IsoDate): number {
  return digitAt(date, 0) * 1000 + digitAt(date, 1) * 100 + digitAt(date, 2) * 10 + digitAt(date, 3);
}

function monthPart(date: IsoDate): number {
  return digitAt(date, 5) * 10 + digitAt(date, 6);
}

function dayPart(date: IsoDate): number {
  return digitAt(date, 8) * 10 + digitAt(date, 9);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function formatIsoDate(year: number, month: number, day: number): IsoDate {
  if (year < 1 || year > 9999) throw new RangeError(`year ${year} is outside 0001–9999`);
  return `${year < 1000 ? String(year).padStart(4, '0') : year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}`;
}

export function isValidIsoDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== HYPHEN || s.charCodeAt(7) !== HYPHEN) return false;
  for (const i of DIGIT_POSITIONS) {
    const c = s.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return false;
  }
  const year = yearPart(s);
  const month = monthPart(s);
  const day = dayPart(s);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/**
 * Days since 1970-01-01 (negative before it). Integer day numbers make loops over days
 * cheap (calendar arithmetic, set lookups) without building strings at every step.
 * Proleptic Gregorian, after Howard Hinnant's days_from_civil.
 */
export function epochDayOf(date: IsoDate): number {
  const month = monthPart(date);
  const year = yearPart(date) - (month <= 2 ? 1 : 0);
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + dayPart(date) - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Inverse of `epochDayOf`, after Howard Hinnant's civil_from_days. */
export function isoDateOfEpochDay(epochDay: number): IsoDate {
  const shifted = epochDay + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return formatIsoDate(year, month, day);
}

/** The calendar date in Asia/Shanghai at the given instant. */
export function cstDateOf(epochMs: number): IsoDate {
  return isoDateOfEpochDay(Math.floor((epochMs + CST_OFFSET_MS) / MS_PER_DAY));
}

/** The instant (epoch ms) at which the given date begins in Asia/Shanghai. */
export function startOfCstDay(date: IsoDate): number {
  return epochDayOf(date) * MS_PER_DAY - CST_OFFSET_MS;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return isoDateOfEpochDay(epochDayOf(date) + days);
}

/**
 * The same month and day `years` later (or earlier when negative). 29 February maps to
 * 28 February in a non-leap year, so an anniversary never spills into March: someone
 * established on 2024-02-29 has been established for one year on 2025-02-28.
 */
export function addYears(date: IsoDate, years: number): IsoDate {
  const year = yearPart(date) + years;
  const month = monthPart(date);
  const day = dayPart(date);
  return formatIsoDate(year, month, month === 2 && day === 29 && !isLeapYear(year) ? 28 : day);
}

/** 0 = Sunday … 6 = Saturday, as Date.prototype.getUTCDay counts. */
export function dayOfWeek(date: IsoDate): number {
  return dayOfWeekOfEpochDay(epochDayOf(date));
}

export function dayOfWeekOfEpochDay(epochDay: number): number {
  // 1970-01-01 was a Thursday (4).
  return (((epochDay + 4) % 7) + 7) % 7;
}

export function yearOf(date: IsoDate): number {
  return yearPart(date);
}

/** 2026-12-11 → 2026年12月11日 (the glossary's prose form, for text people read). */
export function chineseDate(date: IsoDate): string {
  return `${yearOf(date)}年${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
}
