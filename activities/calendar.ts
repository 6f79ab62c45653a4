import { log } from '@temporalio/activity';
import { asc } from 'drizzle-orm';
import type { Db, DbTransaction } from '../db/client.js';
import { holidayNotices } from '../db/schema.js';
import { addWorkingDays, buildCalendar, subtractWorkingDays, type WorkingDayCalendar } from '../policy/calendar.js';
import type { IsoDate } from '../policy/dates.js';

export interface WorkingDayDeadline {
  dueOn: IsoDate;
  remindOn: IsoDate;
  /** Years for which no holiday notice was loaded, so Monday–Friday was assumed (calendar.md). */
  fallbackYears: number[];
}

export interface CalendarActivities {
  /**
   * The due date `workingDays` working days after `from` and its reminder date, counted on the
   * holiday notices loaded right now, so a notice added later applies to every deadline set after it.
   */
  workingDayDeadline(input: { from: IsoDate; workingDays: number; reminderWorkingDays: number }): Promise<WorkingDayDeadline>;
}

export function createCalendarActivities(deps: { db: Db }): CalendarActivities {
  return {
    async workingDayDeadline({ from, workingDays, reminderWorkingDays }) {
      const calendar = await loadWorkingDayCalendar(deps.db);
      const due = addWorkingDays(calendar, from, workingDays);
      const reminder = subtractWorkingDays(calendar, due.date, reminderWorkingDays);
      const fallbackYears = [...new Set([...due.fallbackYears, ...reminder.fallbackYears])].sort((a, b) => a - b);
      logCalendarFallback(fallbackYears, { from, dueOn: due.date });
      return { dueOn: due.date, remindOn: reminder.date, fallbackYears };
    },
  };
}

/**
 * Logs (warn) that a deadline was counted Monday to Friday for years no holiday notice was loaded
 * for (calendar.md): an administrator should load the notice, and whoever relies on the date
 * should know it is a guess. Called in an activity, whose logger names the workflow.
 */
export function logCalendarFallback(fallbackYears: readonly number[], deadline: Record<string, unknown>): void {
  if (fallbackYears.length === 0) return;
  log.warn('no holiday notice loaded for these years: working days counted Monday to Friday; load the notice', { fallbackYears, ...deadline });
}

/** The holiday notices loaded right now; in a transaction, those it sees. */
export async function loadWorkingDayCalendar(db: Db | DbTransaction): Promise<WorkingDayCalendar> {
  const rows = await db.select().from(holidayNotices).orderBy(asc(holidayNotices.year));
  return buildCalendar(rows);
}
