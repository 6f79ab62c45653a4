import { readFileSync } from 'node:fs';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { caseEvents, cases } from '../../db/schema.js';
import { addWorkingDays, buildCalendar, subtractWorkingDays, workingDaysBetween, type HolidayNotice } from '../../policy/calendar.js';
import { cstDateOf } from '../../policy/dates.js';
import type { CaseSettings } from '../../policy/recognition-case.js';
import {
  RECOGNITION_WORKFLOW_TYPE,
  caseViewQuery,
  recognitionCaseId,
  reviewUpdate,
  supplyInformationUpdate,
  type CaseView,
  type RecognitionCaseInput,
} from '../../workflows/recognition-case/contract.js';
import { caseWorker, districtOffice, recordHistory, registerHousehold, testDatabase } from '../support/stack.js';
import { createTimeSkippingEnv } from '../support/temporal.js';

const DAY = 86_400_000;
const settings: CaseSettings = { reviewWorkingDays: 20, reminderWorkingDays: 3 };
const calendar = buildCalendar(
  JSON.parse(readFileSync(new URL('../../db/seed/holiday-notices.json', import.meta.url), 'utf8')) as HolidayNotice[],
);

let env: TestWorkflowEnvironment;
let database: Database;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  database = testDatabase();
});

afterAll(async () => {
  await database?.close();
  await env?.teardown();
});

async function startCase(district = '120104') {
  const household = await registerHousehold(database, district);
  const now = await env.currentTimeMs();
  const year = Number(cstDateOf(now).slice(0, 4));
  const input: RecognitionCaseInput = {
    uscc: household.uscc,
    year,
    category: 'quality',
    claimedCriteria: ['Q2'],
    evidenceRefs: ['time-honoured-brand-certificate'],
    householdName: '测试个体户',
    districtCode: district,
    applicant: household.actor,
    submittedAt: new Date(now).toISOString(),
    settings,
  };
  const { worker, taskQueue } = await caseWorker(env, database);
  const handle = await env.client.workflow.start(RECOGNITION_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: recognitionCaseId(household.uscc, year),
    args: [input],
  });
  return { household, handle, worker, submittedOn: cstDateOf(now) };
}

async function auditTrail(caseId: string) {
  return database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq));
}

describe('recognition case on the time-skipping server', () => {
  it('reminds once and escalates once when the review deadline passes in simulated days, then takes the decision', async () => {
    const { handle, worker, submittedOn } = await startCase();
    const expectedDue = addWorkingDays(calendar, submittedOn, settings.reviewWorkingDays).date;
    const expectedReminder = subtractWorkingDays(calendar, expectedDue, settings.reminderWorkingDays).date;

    const view = await worker.runUntil(async () => {
      await env.sleep(2 * DAY);
      const waiting = await handle.query(caseViewQuery);
      expect(waiting.deadline).toMatchObject({ kind: 'review', dueOn: expectedDue, remindOn: expectedReminder, reminded: false });

      // Forty calendar days cover twenty working days with any holiday of the year.
      await env.sleep(40 * DAY);
      const overdue = await handle.query(caseViewQuery);
      expect(overdue).toMatchObject({ status: 'under_review', deadline: { reminded: true, passed: true } });

      await env.sleep(10 * DAY);
      return handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'accept', actor: districtOffice('120104'), reason: 'criteria Q2 verified' }],
      });
    });

    expect(view.status).toBe('review_accepted');
    expect(await handle.result()).toMatchObject({ status: 'review_accepted' });
    const trail = await auditTrail(handle.workflowId);
    expect(trail.map((e) => e.action)).toEqual([
      'submitted',
      'deadline_set',
      'reminder_sent',
      'deadline_escalated',
      'review_accepted',
    ]);
    expect(trail.at(-1)).toMatchObject({ actorId: 'reviewer-120104', actorRole: 'district', reason: 'criteria Q2 verified' });
    expect(cstDateOf(trail[2]!.at.getTime())).toBe(expectedReminder);
    const [projection] = await database.db.select().from(cases).where(eq(cases.caseId, handle.workflowId));
    expect(projection).toMatchObject({ status: 'review_accepted', version: 5 });
    await recordHistory('review-escalated-then-accepted', handle);
  });

  it('rejects an invalid decision in the validator, before it reaches history', async () => {
    const { handle, worker } = await startCase();
    await worker.runUntil(async () => {
      await env.sleep(DAY);
      await expect(
        handle.executeUpdate(reviewUpdate, { args: [{ decision: 'reject', actor: districtOffice('120104'), reason: ' ' }] }),
      ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      const refusal = await handle
        .executeUpdate(reviewUpdate, { args: [{ decision: 'accept', actor: districtOffice('120101') }] })
        .catch((err: unknown) => err);
      expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refusal as WorkflowUpdateFailedError).cause).toMatchObject({
        type: 'RuleViolation',
        message: 'C-SELF: the case belongs to district 120104',
        details: [{ status: 403, field: 'actor', clause: 'C-SELF' }],
      });
      const view = await handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'reject', actor: districtOffice('120104'), reason: 'Q2 certificate not found in the register' }],
      });
      expect(view.status).toBe('rejected');
    });
    const history = await handle.fetchHistory();
    const accepted = history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    expect(accepted).toHaveLength(1);
    expect((await auditTrail(handle.workflowId)).map((e) => e.action)).toEqual([
      'submitted',
      'deadline_set',
      'review_rejected',
    ]);
  });

  it('pauses the review clock while information is awaited and resumes with the working days left', async () => {
    const { handle, worker, household } = await startCase();
    const resumed: CaseView = await worker.runUntil(async () => {
      await env.sleep(3 * DAY);
      const before = await handle.query(caseViewQuery);
      const today = cstDateOf(await env.currentTimeMs());
      const informationDueOn = cstDateOf((await env.currentTimeMs()) + 20 * DAY);
      await handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'request_information', actor: districtOffice('120104'), reason: 'copy of the licence', informationDueOn }],
      });
      await env.sleep(5 * DAY);
      const supplyDay = cstDateOf(await env.currentTimeMs());
      const view = await handle.executeUpdate(supplyInformationUpdate, {
        args: [{ actor: household.actor, evidenceRefs: ['licence-copy.pdf'] }],
      });
      expect(view.status).toBe('under_review');
      await env.sleep(DAY);
      const after = await handle.query(caseViewQuery);
      const left = workingDaysBetween(calendar, today, before.deadline!.dueOn).count;
      expect(after.deadline).toMatchObject({ kind: 'review', dueOn: addWorkingDays(calendar, supplyDay, left).date });
      expect(after.evidenceRefs).toEqual(['time-honoured-brand-certificate', 'licence-copy.pdf']);
      return after;
    });
    expect(resumed.status).toBe('under_review');
    expect((await auditTrail(handle.workflowId)).map((e) => e.action)).toEqual([
      'submitted',
      'deadline_set',
      'information_requested',
      'deadline_set',
      'information_supplied',
      'deadline_set',
    ]);
    await handle.terminate('test finished');
  });

  it('lapses when the requested information never comes', async () => {
    const { handle, worker } = await startCase();
    await worker.runUntil(async () => {
      await env.sleep(DAY);
      const informationDueOn = cstDateOf((await env.currentTimeMs()) + 7 * DAY);
      await handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'request_information', actor: districtOffice('120104'), reason: 'copy of the licence', informationDueOn }],
      });
      await handle.result();
    });
    const trail = await auditTrail(handle.workflowId);
    expect(trail.map((e) => e.action)).toEqual([
      'submitted',
      'deadline_set',
      'information_requested',
      'deadline_set',
      'reminder_sent',
      'information_lapsed',
    ]);
    expect(trail.at(-1)).toMatchObject({ actorRole: 'system', toStatus: 'lapsed' });
    await recordHistory('information-lapsed', handle);
  });
});
