import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  buildCalendar,
  isWorkingDay,
  subtractWorkingDays,
  workingDaysBetween,
  workingDaysInYear,
  type HolidayNotice,
} from '../../policy/calendar.js';
import { dayOfWeek } from '../../policy/dates.js';
import seededNotices from '../../db/seed/holiday-notices.json' with { type: 'json' };

const notices: HolidayNotice[] = seededNotices;
const calendar = buildCalendar(notices);

describe('seeded holiday notices', () => {
  it.each([2025, 2026])('%d has exactly 248 working days (calendar.md self-check)', (year) => {
    expect(workingDaysInYear(calendar, year)).toBe(248);
  });

  it('lists make-up workdays only on weekends', () => {
    const makeUpDays = notices.flatMap((notice) => notice.makeUpWorkdays);
    expect(makeUpDays.filter((date) => dayOfWeek(date) !== 0 && dayOfWeek(date) !== 6)).toEqual([]);
  });

  it('lists every date under the year of its notice', () => {
    for (const notice of notices) {
      for (const date of [...notice.daysOff, ...notice.makeUpWorkdays]) expect(date.startsWith(`${notice.year}-`)).toBe(true);
    }
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['make-up Sunday before Spring Festival 2025', '2025-01-26', true],
    ['make-up Saturday after Spring Festival 2025', '2025-02-08', true],
    ['make-up Sunday before National Day 2025', '2025-09-28', true],
    ['make-up Saturday before Spring Festival 2026', '2026-02-14', true],
    ['make-up Saturday after Spring Festival 2026', '2026-02-28', true],
    ['make-up Sunday after New Year 2026', '2026-01-04', true],
    ['make-up Saturday after National Day 2026', '2026-10-10', true],
    ['ordinary Monday', '2026-03-02', true],
    ['New Year 2025 (Wednesday)', '2025-01-01', false],
    ['Spring Festival weekday 2025', '2025-01-29', false],
    ['8 October 2025 (Wednesday, last day of the break)', '2025-10-08', false],
    ['Spring Festival weekday 2026', '2026-02-16', false],
    ['Labour Day 2026 (Friday)', '2026-05-01', false],
    ['Mid-Autumn 2026 (Friday)', '2026-09-25', false],
    ['National Day 2026 (Thursday)', '2026-10-01', false],
    ['ordinary Saturday', '2026-03-07', false],
    ['ordinary Sunday', '2025-03-09', false],
  ])('%s: %s → working %s', (_case, date, working) => {
    expect(isWorkingDay(calendar, date)).toEqual({ working, fallback: false });
  });

  it.each([
    ['Monday in a year without a notice', '2027-03-01', true],
    ['Saturday in a year without a notice', '2027-03-06', false],
    ['1 January in a year without a notice (no holiday known)', '2027-01-01', true],
  ])('%s: %s → working %s by the fallback', (_case, date, working) => {
    expect(isWorkingDay(calendar, date)).toEqual({ working, fallback: true });
  });

  it('honours a listed day even when its year has no notice of its own', () => {
    const spanning = buildCalendar([
      { year: 2023, notice: 'spans the year end', publishedOn: '2022-12-08', daysOff: ['2022-12-30'], makeUpWorkdays: [] },
    ]);
    expect(isWorkingDay(spanning, '2022-12-30')).toEqual({ working: false, fallback: false });
    expect(isWorkingDay(spanning, '2022-12-29')).toEqual({ working: true, fallback: true });
  });
});

describe('addWorkingDays', () => {
  it.each([
    ['the next working day after a plain Monday', '2026-03-02', 1, '2026-03-03'],
    [
      '5 after Wednesday 2026-09-30 skip the National Day break and count make-up Saturday 10 October',
      '2026-09-30',
      5,
      '2026-10-13',
    ],
    ['1 after the last working day before Spring Festival 2026 is the make-up Saturday', '2026-02-13', 1, '2026-02-14'],
    ['1 after the make-up Saturday skips the whole Spring Festival break', '2026-02-14', 1, '2026-02-24'],
    ['counting from a holiday starts after it', '2025-10-01', 1, '2025-10-09'],
    ['5-working-day publicity window over Labour Day 2025', '2025-04-28', 5, '2025-05-08'],
    ['crosses into the next year', '2025-12-30', 3, '2026-01-05'],
  ])('%s', (_case, from, n, expected) => {
    expect(addWorkingDays(calendar, from, n)).toEqual({ date: expected, fallbackYears: [] });
  });

  it('reports the years counted by the Monday–Friday fallback', () => {
    expect(addWorkingDays(calendar, '2026-12-30', 3)).toEqual({ date: '2027-01-04', fallbackYears: [2027] });
  });

  it('falls back to Monday–Friday when no notice is loaded at all', () => {
    expect(addWorkingDays(buildCalendar([]), '2026-09-30', 5)).toEqual({ date: '2026-10-07', fallbackYears: [2026] });
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects n = %s', (n) => {
    expect(() => addWorkingDays(calendar, '2026-03-02', n)).toThrow(RangeError);
  });
});

describe('subtractWorkingDays', () => {
  it.each([
    ['the working day before a plain Tuesday', '2026-03-03', 1, '2026-03-02'],
    ['2 before the end of the National Day break 2026 reaches back past it', '2026-10-08', 2, '2026-09-29'],
    ['1 before Monday after Spring Festival 2025 is the make-up Saturday', '2025-02-10', 1, '2025-02-08'],
    ['3 before 2026-01-05 counts make-up Sunday 4 January and skips New Year', '2026-01-05', 3, '2025-12-30'],
  ])('%s', (_case, from, n, expected) => {
    expect(subtractWorkingDays(calendar, from, n)).toEqual({ date: expected, fallbackYears: [] });
  });

  it('inverts addWorkingDays from a working day', () => {
    const due = addWorkingDays(calendar, '2026-09-29', 5).date;
    expect(subtractWorkingDays(calendar, due, 5).date).toBe('2026-09-29');
  });

  it('reports the fallback years it crossed', () => {
    expect(subtractWorkingDays(calendar, '2025-01-02', 2)).toEqual({ date: '2024-12-30', fallbackYears: [2024] });
  });
});

describe('workingDaysBetween', () => {
  it.each([
    ['same day', '2026-03-02', '2026-03-02', 0],
    ['end before start', '2026-03-09', '2026-03-02', 0],
    ['a plain week, start excluded, end included', '2026-03-02', '2026-03-09', 5],
    ['across the National Day break 2026', '2026-09-30', '2026-10-13', 5],
    ['a whole year', '2024-12-31', '2025-12-31', 248],
  ])('%s', (_case, from, to, count) => {
    expect(workingDaysBetween(calendar, from, to)).toEqual({ count, fallbackYears: [] });
  });

  it('reports fallback years', () => {
    expect(workingDaysBetween(calendar, '2026-12-31', '2027-01-08')).toEqual({ count: 6, fallbackYears: [2027] });
  });
});

describe('workingDaysInYear', () => {
  it.each([
    [2027, 261],
    [2028, 260],
  ])('counts Monday–Friday in %d, which has no notice', (year, expected) => {
    expect(workingDaysInYear(calendar, year)).toBe(expected);
  });
});

describe('buildCalendar rejects inconsistent notices', () => {
  const base: HolidayNotice = { year: 2030, notice: 'test', publishedOn: '2029-11-01', daysOff: [], makeUpWorkdays: [] };

  it.each([
    ['two notices for one year', [base, base], /more than one holiday notice for 2030/],
    ['an invalid date', [{ ...base, daysOff: ['2030-02-30'] }], /'2030-02-30' is not a date/],
    [
      'a day both off and worked',
      [{ ...base, daysOff: ['2030-10-05'], makeUpWorkdays: ['2030-10-05'] }],
      /both as a day off and as a make-up workday/,
    ],
  ])('%s', (_case, input, message) => {
    expect(() => buildCalendar(input)).toThrow(message);
  });
});
