import type { LogLevel, LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCalendarActivities, type WorkingDayDeadline } from '../../activities/calendar.js';
import { createCaseActivities } from '../../activities/case-records.js';
import type { Database } from '../../db/client.js';
import { testDatabase } from '../support/stack.js';

let database: Database;
beforeAll(() => {
  database = testDatabase();
});
afterAll(() => database?.close());

/** The activity context's logger, keeping what it is told. */
function recordingEnvironment() {
  const logged: { level: LogLevel; message: string; meta?: LogMetadata }[] = [];
  const record = (level: LogLevel) => (message: string, meta?: LogMetadata) => void logged.push({ level, message, meta });
  const logger = {
    log: (level: LogLevel, message: string, meta?: LogMetadata) => void logged.push({ level, message, meta }),
    trace: record('TRACE'),
    debug: record('DEBUG'),
    info: record('INFO'),
    warn: record('WARN'),
    error: record('ERROR'),
  };
  return { environment: new MockActivityEnvironment({}, { logger }), logged };
}

describe('a deadline counted in a year without a holiday notice', () => {
  it('is logged as a Monday–Friday guess, with the years, by both deadline activities', async () => {
    const { environment, logged } = recordingEnvironment();
    const { workingDayDeadline } = createCalendarActivities({ db: database.db });
    const { resolveDeadline } = createCaseActivities({ db: database.db });
    // The seeded notices cover 2025 and 2026 only.
    const deadline: WorkingDayDeadline = await environment.run(() => workingDayDeadline({ from: '2030-03-01', workingDays: 10, reminderWorkingDays: 3 }));
    expect(deadline.fallbackYears).toEqual([2030]);
    await environment.run(() => resolveDeadline({ request: { kind: 'review', from: '2031-06-01', workingDays: 20 }, reminderWorkingDays: 3 }));
    const warnings = logged.filter((entry) => entry.level === 'WARN' && /Monday to Friday/.test(entry.message));
    expect(warnings.map((entry) => entry.meta?.['fallbackYears'])).toEqual([[2030], [2031]]);
  });

  it('is not logged where a notice covers every day counted', async () => {
    const { environment, logged } = recordingEnvironment();
    const { workingDayDeadline } = createCalendarActivities({ db: database.db });
    const deadline: WorkingDayDeadline = await environment.run(() => workingDayDeadline({ from: '2026-03-02', workingDays: 10, reminderWorkingDays: 3 }));
    expect(deadline.fallbackYears).toEqual([]);
    expect(logged.filter((entry) => entry.level === 'WARN')).toEqual([]);
  });
});
