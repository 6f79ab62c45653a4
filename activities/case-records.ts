import { asc, sql as drizzleSql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { caseEvents, cases, holidayNotices } from '../db/schema.js';
import {
  addWorkingDays,
  buildCalendar,
  subtractWorkingDays,
  workingDaysBetween,
  type HolidayNotice,
  type WorkingDayCalendar,
} from '../policy/calendar.js';
import { waitingFor, type CaseEvent, type Deadline, type DeadlineRequest } from '../policy/recognition-case.js';
import type { CaseView } from '../workflows/recognition-case/contract.js';

export interface CaseActivities {
  /** Writes the case projection and its new audit events; replays and retries write nothing twice. */
  saveCase(input: { view: CaseView; events: CaseEvent[] }): Promise<void>;
  /** Counts a deadline in working days on the holiday notices loaded right now (calendar.md). */
  resolveDeadline(input: { request: DeadlineRequest; reminderWorkingDays: number }): Promise<Deadline>;
}

export function createCaseActivities(deps: { db: Db }): CaseActivities {
  const { db } = deps;
  return {
    async saveCase({ view, events }) {
      await db.transaction(async (tx) => {
        if (events.length > 0) {
          await tx
            .insert(caseEvents)
            .values(
              events.map((e) => ({
                caseId: view.caseId,
                seq: e.seq,
                at: new Date(e.at),
                actorId: e.actor.id,
                actorRole: e.actor.role,
                action: e.action,
                fromStatus: e.fromStatus,
                toStatus: e.toStatus,
                reason: e.reason,
                clauses: e.clauses,
                details: e.details,
              })),
            )
            .onConflictDoNothing();
        }
        const row = {
          caseId: view.caseId,
          uscc: view.uscc,
          year: view.year,
          category: view.category,
          route: view.route,
          districtCode: view.districtCode,
          status: view.status,
          dueOn: view.deadline?.dueOn ?? null,
          waitingFor: waitingFor(view.status),
          version: view.seq,
          view,
          createdAt: new Date(view.submittedAt),
          updatedAt: new Date(view.updatedAt),
        };
        const { caseId: _key, createdAt: _created, ...changes } = row;
        await tx
          .insert(cases)
          .values(row)
          .onConflictDoUpdate({
            target: cases.caseId,
            set: changes,
            setWhere: drizzleSql`${cases.version} < excluded.version`,
          });
      });
    },

    async resolveDeadline({ request, reminderWorkingDays }) {
      const calendar = await loadCalendar(db);
      const fallbackYears = new Set<number>();
      const counted = <T extends { fallbackYears: number[] }>(result: T): T => {
        result.fallbackYears.forEach((y) => fallbackYears.add(y));
        return result;
      };
      let dueOn: string;
      if (request.kind === 'information') {
        dueOn = request.dueOn;
      } else if ('from' in request) {
        dueOn = counted(addWorkingDays(calendar, request.from, request.workingDays)).date;
      } else {
        // The clock stood still while the household gathered information: resume with what was left.
        const left = Math.max(1, counted(workingDaysBetween(calendar, request.pausedOn, request.previousDueOn)).count);
        dueOn = counted(addWorkingDays(calendar, request.resumeOn, left)).date;
      }
      const remindOn = counted(subtractWorkingDays(calendar, dueOn, reminderWorkingDays)).date;
      return {
        kind: request.kind,
        dueOn,
        remindOn,
        reminded: false,
        passed: false,
        fallbackYears: [...fallbackYears].sort(),
      };
    },
  };
}

async function loadCalendar(db: Db): Promise<WorkingDayCalendar> {
  const rows = await db.select().from(holidayNotices).orderBy(asc(holidayNotices.year));
  const notices: HolidayNotice[] = rows.map((r) => ({
    year: r.year,
    notice: r.notice,
    publishedOn: r.publishedOn,
    daysOff: r.daysOff,
    makeUpWorkdays: r.makeUpWorkdays,
  }));
  return buildCalendar(notices);
}
