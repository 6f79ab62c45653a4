import { ApplicationFailure } from '@temporalio/common';
import { and, sql as drizzleSql, eq, isNull, or } from 'drizzle-orm';
import type { Db, DbTransaction } from '../db/client.js';
import { publicityNotices, publicityObjections, recognitions } from '../db/recognition-schema.js';
import { addWorkingDays, subtractWorkingDays, workingDaysBetween } from '../policy/calendar.js';
import { needsReminder, waitingForCase, type CaseEvent, type CaseView, type Deadline, type DeadlineRequest } from '../policy/recognition-case.js';
import { loadWorkingDayCalendar, logCalendarFallback } from './calendar.js';
import { caseProjectionRow, saveCaseProjection } from './case-projection.js';
import { caseNotificationFacts } from './notifications.js';

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
        const trail = await withObjectionTexts(tx, view.caseId, events);
        const row = caseProjectionRow(view, { dueOn: view.deadline?.dueOn ?? null, waitingFor: waitingForCase(view), openedAt: view.submittedAt });
        const written = await saveCaseProjection(tx, row, trail, caseNotificationFacts(view));
        await recordObjectionResolutions(tx, view.caseId, events);
        if (written) await projectPublicRecords(tx, view);
      });
    },

    async resolveDeadline({ request, reminderWorkingDays }) {
      const calendar = await loadWorkingDayCalendar(db);
      const fallbackYears = new Set<number>();
      const counted = <T extends { fallbackYears: number[] }>(result: T): T => {
        result.fallbackYears.forEach((y) => fallbackYears.add(y));
        return result;
      };
      let dueOn: string;
      if ('dueOn' in request) {
        dueOn = request.dueOn;
      } else if ('from' in request) {
        dueOn = counted(addWorkingDays(calendar, request.from, request.workingDays)).date;
      } else {
        // The clock stood still while the household gathered information: resume with what was left.
        const left = Math.max(1, counted(workingDaysBetween(calendar, request.pausedOn, request.previousDueOn)).count);
        dueOn = counted(addWorkingDays(calendar, request.resumeOn, left)).date;
      }
      const remindOn = needsReminder(request.kind) ? counted(subtractWorkingDays(calendar, dueOn, reminderWorkingDays)).date : null;
      logCalendarFallback([...fallbackYears].sort(), { kind: request.kind, dueOn });
      return {
        kind: request.kind,
        dueOn,
        remindOn,
        reminded: remindOn === null,
        passed: false,
        fallbackYears: [...fallbackYears].sort(),
      };
    },
  };
}

/** The error type of an objection the case numbered whose kept text is not there (or was numbered otherwise). */
export const OBJECTION_NOT_KEPT_ERROR = 'ObjectionNotKept';

/**
 * Numbers the kept texts of the objections the case filed, and puts each text in its audit
 * record: the trail is whole though the text never passed through the workflow. A text already
 * numbered so (a retry) is numbered again alike; one missing or numbered otherwise is refused for good.
 */
async function withObjectionTexts(tx: DbTransaction, caseId: string, events: CaseEvent[]): Promise<CaseEvent[]> {
  const trail: CaseEvent[] = [];
  for (const event of events) {
    const submissionId = event.action === 'objection_filed' ? event.details['submissionId'] : undefined;
    if (typeof submissionId !== 'string') {
      trail.push(event);
      continue;
    }
    const objectionNo = event.details['objectionNo'] as number;
    const [kept] = await tx
      .update(publicityObjections)
      .set({ objectionNo, filedBy: event.actor.id, filedAt: new Date(event.at) })
      .where(
        and(
          eq(publicityObjections.submissionId, submissionId),
          eq(publicityObjections.caseId, caseId),
          or(isNull(publicityObjections.objectionNo), eq(publicityObjections.objectionNo, objectionNo)),
        ),
      )
      .returning({ reason: publicityObjections.reason });
    if (!kept) {
      throw ApplicationFailure.create({
        type: OBJECTION_NOT_KEPT_ERROR,
        message: `objection ${objectionNo}: no kept text ${submissionId} of this case waits for a number`,
        nonRetryable: true,
      });
    }
    trail.push({ ...event, reason: kept.reason });
  }
  return trail;
}

/** Each resolution on the objection's own row: who, when and why (the counted objections have no other place). */
async function recordObjectionResolutions(tx: DbTransaction, caseId: string, events: CaseEvent[]): Promise<void> {
  for (const event of events) {
    if (event.action !== 'objection_resolved') continue;
    await tx
      .update(publicityObjections)
      .set({
        resolution: event.details['upheld'] ? 'upheld' : 'dismissed',
        resolutionReason: event.reason,
        resolvedBy: event.actor.id,
        resolvedAt: new Date(event.at),
      })
      .where(
        and(
          eq(publicityObjections.caseId, caseId),
          eq(publicityObjections.objectionNo, event.details['objectionNo'] as number),
          isNull(publicityObjections.resolution),
        ),
      );
  }
}

/** The public faces of a case: its publicity notice with the objections, and the registry entry once recognised. */
async function projectPublicRecords(tx: DbTransaction, view: CaseView): Promise<void> {
  const publicity = view.publicity;
  if (publicity?.objectionsUntil) {
    const notice = {
      caseId: view.caseId,
      uscc: view.uscc,
      name: view.householdName,
      districtCode: view.districtCode,
      category: view.category,
      publishedOn: publicity.publishedOn,
      objectionsUntil: publicity.objectionsUntil,
      status: publicity.windowClosed || view.status !== 'publicity' ? 'closed' : 'open',
    };
    await tx.insert(publicityNotices).values(notice).onConflictDoUpdate({ target: publicityNotices.caseId, set: { status: notice.status } });
  }
  for (const objection of view.objections) {
    const row = {
      caseId: view.caseId,
      objectionNo: objection.objectionNo,
      filedBy: objection.filedBy,
      filedAt: new Date(objection.filedAt),
      reason: objection.reason,
      resolution: objection.resolution,
      resolutionReason: objection.resolutionReason,
      // Older objections did not keep who resolved them; the case's last decision was theirs when saved alone.
      resolvedBy: objection.resolution ? (objection.resolvedBy ?? view.lastDecision?.by.id ?? null) : null,
      resolvedAt: objection.resolution ? new Date(objection.resolvedAt ?? view.updatedAt) : null,
    };
    await tx
      .insert(publicityObjections)
      .values(row)
      .onConflictDoUpdate({
        target: [publicityObjections.caseId, publicityObjections.objectionNo],
        set: { resolution: row.resolution, resolutionReason: row.resolutionReason, resolvedBy: row.resolvedBy, resolvedAt: row.resolvedAt },
        setWhere: drizzleSql`${publicityObjections.resolution} is null`,
      });
  }
  if (view.recognition) {
    const entry = {
      caseId: view.caseId,
      uscc: view.uscc,
      name: view.householdName,
      districtCode: view.districtCode,
      category: view.category,
      ...view.recognition,
      status: 'recognised',
      updatedAt: new Date(view.updatedAt),
      version: view.seq,
    };
    await tx.insert(recognitions).values(entry).onConflictDoNothing({ target: recognitions.caseId });
  }
}
