import { describe, expect, it } from 'vitest';
import {
  addDays,
  addYears,
  cstDateOf,
  dayOfWeek,
  epochDayOf,
  isoDateOfEpochDay,
  isValidIsoDate,
  startOfCstDay,
  yearOf,
} from '../../policy/dates.js';

const HOUR = 3_600_000;

describe('cstDateOf', () => {
  it.each([
    ['epoch start is already 08:00 in Shanghai', 0, '1970-01-01'],
    ['15:59:59.999 UTC is still the same day', Date.UTC(2025, 0, 1, 15, 59, 59, 999), '2025-01-01'],
    ['16:00 UTC is midnight of the next day', Date.UTC(2025, 0, 1, 16), '2025-01-02'],
    ['New Year in Shanghai while still 31 December in UTC', Date.UTC(2025, 11, 31, 16, 30), '2026-01-01'],
    ['before 1970', Date.UTC(1969, 11, 31, 15, 59), '1969-12-31'],
    ['leap day', Date.UTC(2024, 1, 28, 20), '2024-02-29'],
  ])('%s', (_case, epochMs, expected) => {
    expect(cstDateOf(epochMs)).toBe(expected);
  });

  it('agrees with the Asia/Shanghai time-zone database from 1992 (after its last DST) to 2100', () => {
    const shanghai = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });
    const mismatches: number[] = [];
    for (let instant = Date.UTC(1992, 0, 1); instant < Date.UTC(2100, 0, 1); instant += 97 * HOUR + 1_234_567) {
      if (cstDateOf(instant) !== shanghai.format(instant)) mismatches.push(instant);
    }
    expect(mismatches).toEqual([]);
  });
});

describe('startOfCstDay', () => {
  it.each([
    ['1970-01-01', Date.UTC(1969, 11, 31, 16)],
    ['2025-08-01', Date.UTC(2025, 6, 31, 16)],
    ['2024-03-01', Date.UTC(2024, 1, 29, 16)],
  ])('%s begins at the expected instant', (date, expected) => {
    expect(startOfCstDay(date)).toBe(expected);
  });

  it('is the first instant that cstDateOf maps to that date', () => {
    const start = startOfCstDay('2026-10-01');
    expect(cstDateOf(start)).toBe('2026-10-01');
    expect(cstDateOf(start - 1)).toBe('2026-09-30');
  });
});

describe('epoch days', () => {
  it('round-trip and match the UTC calendar for every day from 1900 to 2200', () => {
    const mismatches: number[] = [];
    for (let day = epochDayOf('1900-01-01'); day <= epochDayOf('2200-12-31'); day++) {
      const date = isoDateOfEpochDay(day);
      if (date !== new Date(day * 86_400_000).toISOString().slice(0, 10) || epochDayOf(date) !== day) {
        mismatches.push(day);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('formats years before 1000 with four digits', () => {
    expect(isoDateOfEpochDay(epochDayOf('0999-12-31') + 1)).toBe('1000-01-01');
    expect(addDays('0005-03-01', -1)).toBe('0005-02-28');
  });
});

describe('addDays', () => {
  it.each([
    ['2025-01-31', 1, '2025-02-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2025-02-28', 1, '2025-03-01'],
    ['2025-12-31', 1, '2026-01-01'],
    ['2026-01-01', -1, '2025-12-31'],
    ['2025-08-01', 0, '2025-08-01'],
    ['2025-08-01', 365, '2026-08-01'],
  ])('%s %+d days → %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });
});

describe('addYears', () => {
  it.each([
    ['2025-08-01', -2, '2023-08-01'],
    ['2025-08-01', 3, '2028-08-01'],
    ['2024-02-29', 1, '2025-02-28'],
    ['2024-02-29', -2, '2022-02-28'],
    ['2024-02-29', 4, '2028-02-29'],
    ['2023-02-28', 1, '2024-02-28'],
    ['2025-12-31', -3, '2022-12-31'],
  ])('%s %+d years → %s', (date, years, expected) => {
    expect(addYears(date, years)).toBe(expected);
  });

  it('rejects a result outside years 0001–9999', () => {
    expect(() => addYears('9999-01-01', 1)).toThrow(RangeError);
  });
});

describe('isValidIsoDate', () => {
  it.each(['2025-01-01', '2024-02-29', '2000-02-29', '2025-12-31', '0001-01-01', '9999-12-31'])('accepts %s', (s) => {
    expect(isValidIsoDate(s)).toBe(true);
  });

  it.each([
    ['not a leap year', '2025-02-29'],
    ['century not divisible by 400', '1900-02-29'],
    ['30-day month', '2025-04-31'],
    ['day 32', '2025-01-32'],
    ['day 0', '2025-01-00'],
    ['month 13', '2025-13-01'],
    ['month 0', '2025-00-10'],
    ['year 0', '0000-01-01'],
    ['unpadded month', '2025-1-01'],
    ['slashes', '2025/01/01'],
    ['time attached', '2025-01-01T00:00'],
    ['full-width digits', '２０２５-01-01'],
    ['empty', ''],
  ])('rejects %s: %j', (_case, s) => {
    expect(isValidIsoDate(s)).toBe(false);
  });
});

describe('dayOfWeek', () => {
  it.each([
    ['1970-01-01', 4],
    ['2025-01-26', 0],
    ['2026-02-14', 6],
    ['2026-09-30', 3],
    ['2026-10-01', 4],
    ['1969-12-28', 0],
  ])('%s → %d', (date, expected) => {
    expect(dayOfWeek(date)).toBe(expected);
  });
});

describe('yearOf', () => {
  it.each([
    ['2025-08-01', 2025],
    ['0999-01-01', 999],
  ])('%s → %d', (date, expected) => {
    expect(yearOf(date)).toBe(expected);
  });
});
