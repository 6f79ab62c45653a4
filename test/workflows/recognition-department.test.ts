import { readFileSync } from 'node:fs';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { caseEvents, cases } from '../../db/schema.js';
import type { Actor } from '../../policy/actors.js';
import { addWorkingDays, buildCalendar, subtractWorkingDays, type HolidayNotice } from '../../policy/calendar.js';
import { cstDateOf } from '../../policy/dates.js';
import { DEFAULT_CASE_SETTINGS, type CaseSettings } from '../../policy/recognition-case.js';
import {
  RECOGNITION_WORKFLOW_TYPE,
  caseViewQuery,
  consentUpdate,
  recognitionCaseId,
  reviewUpdate,
  type CaseView,
  type RecognitionCaseInput,
} from '../../workflows/recognition-case/contract.js';
import { caseWorker, districtOffice, recordHistory, registerHousehold, timeSkippingStack } from '../support/stack.js';

const DAY = 86_400_000;
const DISTRICT = '120105';
const settings: CaseSettings = DEFAULT_CASE_SETTINGS;
const calendar = buildCalendar(
  JSON.parse(readFileSync(new URL('../../db/seed/holiday-notices.json', import.meta.url), 'utf8')) as HolidayNotice[],
);
const districtDepartment: Actor = { id: 'hebei-culture-1', role: 'department', department: '河北区文化和旅游局', districtCode: DISTRICT };
const cityDepartment: Actor = { id: 'city-commerce-1', role: 'department', department: '市商务局' };
const cityOffice: Actor = { id: 'city-samr-1', role: 'city' };

const { env, database } = await timeSkippingStack();

async function recommend(department: Actor) {
  const household = await registerHousehold(database, DISTRICT);
  const now = await env.currentTimeMs();
  const year = Number(cstDateOf(now).slice(0, 4));
  const input: RecognitionCaseInput = {
    route: 'department',
    recommendation: { department: department.department!, level: department.districtCode ? 'district' : 'city', reason: '中华老字号' },
    uscc: household.uscc,
    year,
    category: 'renowned',
    claimedCriteria: ['K5'],
    evidenceRefs: [],
    householdName: '测试个体户',
    districtCode: DISTRICT,
    applicant: department,
    submittedAt: new Date(now).toISOString(),
    settings,
  };
  const { worker, taskQueue } = await caseWorker(env, database);
  const handle = await env.client.workflow.start(RECOGNITION_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: recognitionCaseId(household.uscc, year),
    args: [input],
  });
  return { household, handle, worker, recommendedOn: cstDateOf(now) };
}

/** Lets simulated days pass one at a time until the case shows what the test waits for. */
async function sleepUntil(handle: WorkflowHandle, reached: (view: CaseView) => boolean): Promise<CaseView> {
  for (let day = 0; day < 60; day++) {
    const view = await handle.query(caseViewQuery);
    if (reached(view)) return view;
    await env.sleep(DAY);
  }
  throw new Error(`${handle.workflowId} did not get there within 60 simulated days`);
}

async function auditTrail(caseId: string) {
  return database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq));
}

describe('department recommendation (C-REC) on the time-skipping server', () => {
  it('department route with consent lapse: recommendation, one reminder, one lapse', async () => {
    const { handle, worker, recommendedOn } = await recommend(districtDepartment);
    const expectedDue = addWorkingDays(calendar, recommendedOn, settings.consentWorkingDays).date;
    const expectedReminder = subtractWorkingDays(calendar, expectedDue, settings.reminderWorkingDays).date;

    const view = await worker.runUntil(async () => {
      const waiting = await sleepUntil(handle, (v) => v.deadline !== null);
      expect(waiting).toMatchObject({
        status: 'awaiting_consent',
        route: 'department',
        recommendation: { department: '河北区文化和旅游局', level: 'district', reason: '中华老字号' },
        deadline: { kind: 'consent', dueOn: expectedDue, remindOn: expectedReminder },
      });
      const [projection] = await database.db.select().from(cases).where(eq(cases.caseId, handle.workflowId));
      expect(projection).toMatchObject({ status: 'awaiting_consent', route: 'department', waitingFor: 'household', dueOn: expectedDue });
      await sleepUntil(handle, (v) => v.status === 'consent_lapsed');
      return handle.result();
    });

    expect(view).toMatchObject({ status: 'consent_lapsed', deadline: { reminded: true, passed: true } });
    const trail = await auditTrail(handle.workflowId);
    expect(trail.map((e) => e.action)).toEqual(['recommended', 'deadline_set', 'reminder_sent', 'consent_lapsed']);
    expect(trail[0]).toMatchObject({ actorId: 'hebei-culture-1', actorRole: 'department', toStatus: 'awaiting_consent', clauses: ['C-REC', 'C-NOFEE'] });
    expect(trail[2]!.details).toMatchObject({ kind: 'consent', notify: 'household' });
    expect(cstDateOf(trail[2]!.at.getTime())).toBe(expectedReminder);
    expect(trail[3]).toMatchObject({ actorRole: 'system', toStatus: 'consent_lapsed', clauses: ['C-REC'] });
    expect(cstDateOf(trail[3]!.at.getTime()) > expectedDue).toBe(true);
    const [projection] = await database.db.select().from(cases).where(eq(cases.caseId, handle.workflowId));
    expect(projection).toMatchObject({ status: 'consent_lapsed', waitingFor: null });
    await recordHistory('department-consent-lapsed', handle);
  });

  it('department route: consent then city-level review accepted', async () => {
    const { household, handle, worker } = await recommend(cityDepartment);

    const view = await worker.runUntil(async () => {
      await env.sleep(DAY);
      const refusal = await handle
        .executeUpdate(reviewUpdate, { args: [{ decision: 'reject', actor: cityOffice, reason: 'too early' }] })
        .catch((err: unknown) => err);
      expect((refusal as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'RuleViolation', details: [{ status: 409 }] });

      const consented = await handle.executeUpdate(consentUpdate, { args: [{ actor: household.actor, consent: true }] });
      expect(consented.status).toBe('under_review');
      const review = await sleepUntil(handle, (v) => v.deadline?.kind === 'review');
      const consentedOn = cstDateOf(Date.parse(consented.updatedAt));
      expect(review.deadline!.dueOn).toBe(addWorkingDays(calendar, consentedOn, settings.reviewWorkingDays).date);
      const [projection] = await database.db.select().from(cases).where(eq(cases.caseId, handle.workflowId));
      expect(projection).toMatchObject({ status: 'under_review', waitingFor: 'city' });

      const byDistrict = await handle
        .executeUpdate(reviewUpdate, { args: [{ decision: 'accept', actor: districtOffice(DISTRICT) }] })
        .catch((err: unknown) => err);
      expect(byDistrict).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((byDistrict as WorkflowUpdateFailedError).cause).toMatchObject({
        message: 'C-REC: only the city office reviews a city-level recommendation',
        details: [{ status: 403, field: 'actor', clause: 'C-REC' }],
      });
      const accepted = await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'accept', actor: cityOffice, reason: 'K5 confirmed' }] });
      expect(accepted.status).toBe('on_site_verification');
      await env.sleep(DAY);
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'reject', actor: cityOffice, reason: 'the shop has closed' }] });
      return handle.result();
    });

    expect(view.status).toBe('rejected');
    const trail = await auditTrail(handle.workflowId);
    expect(trail.map((e) => e.action)).toEqual([
      'recommended',
      'deadline_set',
      'consent_given',
      'deadline_set',
      'review_accepted',
      'deadline_set',
      'review_rejected',
    ]);
    expect(trail[0]).toMatchObject({ actorId: 'city-commerce-1', details: { level: 'city', department: '市商务局' } });
    expect(trail[2]).toMatchObject({ actorId: household.uscc, actorRole: 'household', clauses: ['C-REC'], details: { reviewedBy: 'city' } });
    expect(trail[4]).toMatchObject({ actorId: 'city-samr-1', actorRole: 'city', clauses: ['C-REC'], reason: 'K5 confirmed' });
    expect(trail[6]).toMatchObject({ actorRole: 'city', reason: 'the shop has closed' });
    await recordHistory('department-consent-city-review', handle);
  });
});
