import { readFileSync } from 'node:fs';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { publicityNotices, publicityObjections, recognitionQuotas, recognitions } from '../../db/recognition-schema.js';
import { caseEvents, cases } from '../../db/schema.js';
import { addWorkingDays, buildCalendar, subtractWorkingDays, workingDaysBetween, type HolidayNotice } from '../../policy/calendar.js';
import { cstDateOf, yearOf } from '../../policy/dates.js';
import { DEFAULT_CASE_SETTINGS, type CaseSettings } from '../../policy/recognition-case.js';
import {
  CASE_STATUS_ATTRIBUTE,
  CASE_YEAR_ATTRIBUTE,
  DISTRICT_CODE_ATTRIBUTE,
  caseViewQuery,
  opinionUpdate,
  reviewUpdate,
  supplyInformationUpdate,
  transferOutUpdate,
  type CaseView,
} from '../../workflows/recognition-case/contract.js';
import { fileObjection, sleepUntilRecognised, sleepUntilView, startApplication } from '../support/recognition.js';
import { caseWorker, districtOffice, recordHistory, timeSkippingStack } from '../support/stack.js';
import { failedActivityAttempts } from '../support/activity-attempts.js';

const DAY = 86_400_000;
const settings: CaseSettings = DEFAULT_CASE_SETTINGS;
const calendar = buildCalendar(
  JSON.parse(readFileSync(new URL('../../db/seed/holiday-notices.json', import.meta.url), 'utf8')) as HolidayNotice[],
);

const { env, database } = await timeSkippingStack();

async function startCase(district = '120104', caseYear?: number) {
  const { worker, taskQueue } = await caseWorker(env, database);
  const now = await env.currentTimeMs();
  const started = await startApplication(env, database, { taskQueue, district, year: caseYear ?? yearOf(cstDateOf(now)) });
  return { household: { uscc: started.uscc, actor: started.household }, handle: started.handle, worker, submittedOn: cstDateOf(now) };
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
      const accepted = await handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'accept', actor: districtOffice('120104'), reason: 'criteria Q2 verified' }],
      });
      const [projection] = await database.db.select().from(cases).where(eq(cases.caseId, handle.workflowId));
      expect(projection).toMatchObject({ status: 'on_site_verification', waitingFor: 'district' });
      expect(projection!.version).toBeGreaterThanOrEqual(accepted.seq);
      await env.sleep(DAY);
      await handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'reject', actor: districtOffice('120104'), reason: 'the shop has closed' }],
      });
      return handle.result();
    });

    expect(view.status).toBe('rejected');
    const trail = await auditTrail(handle.workflowId);
    expect(trail.map((e) => e.action)).toEqual([
      'submitted',
      'deadline_set',
      'reminder_sent',
      'deadline_escalated',
      'review_accepted',
      'deadline_set',
      'review_rejected',
    ]);
    expect(trail[4]).toMatchObject({ actorId: 'reviewer-120104', actorRole: 'district', reason: 'criteria Q2 verified' });
    expect(trail[5]!.details).toMatchObject({ kind: 'verification' });
    expect(cstDateOf(trail[2]!.at.getTime())).toBe(expectedReminder);
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

  it('records a decision PostgreSQL refuses for good (a NUL in its reason), answers that it did not happen, and takes the next', async () => {
    const { handle, worker } = await startCase();
    const reviewer = districtOffice('120104');
    await worker.runUntil(async () => {
      await env.sleep(DAY);
      // Past the API, which refuses control characters at the edge: straight to the workflow.
      const refusal = await handle
        .executeUpdate(reviewUpdate, { args: [{ decision: 'reject', actor: reviewer, reason: 'a\u0000b' }] })
        .catch((err: unknown) => err);
      expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refusal as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'DecisionNotRecorded' });
      const unchanged = await handle.query(caseViewQuery);
      expect(unchanged).toMatchObject({ status: 'under_review', recordFailure: { actions: ['review_rejected'], by: reviewer.id } });
      expect(unchanged.recordFailure!.error).toMatch(/^DataError: saveCase: the database refused the data \(SQLSTATE 22/);
      expect(unchanged.lastDecision).toBeNull();
      const [projection] = await database.db.select().from(cases).where(eq(cases.caseId, handle.workflowId));
      expect(projection).toMatchObject({ status: 'under_review', waitingFor: 'district' });

      const accepted = await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'accept', actor: reviewer, reason: 'Q2 certificate checked' }] });
      expect(accepted).toMatchObject({ status: 'on_site_verification', dueOn: expect.any(String) });
      expect((await handle.query(caseViewQuery)).recordFailure).toBeNull();
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'reject', actor: reviewer, reason: 'the shop has closed' }] });
      await handle.result();
    });
    const trail = await auditTrail(handle.workflowId);
    expect(trail.map((e) => e.action)).toEqual(['submitted', 'deadline_set', 'record_failed', 'review_accepted', 'deadline_set', 'review_rejected']);
    expect(trail[2]).toMatchObject({
      actorRole: 'system',
      fromStatus: 'under_review',
      toStatus: 'under_review',
      clauses: ['C-SELF'],
      details: { refusedActions: ['review_rejected'], requestedBy: reviewer.id },
    });
    // A data error is not retried: the refused save was attempted once.
    const history = await handle.fetchHistory();
    const failedSaves = failedActivityAttempts(history.events ?? []);
    expect(failedSaves.map(({ activityType, attempt }) => ({ activityType, attempt }))).toEqual([{ activityType: 'saveCase', attempt: 1 }]);
    expect(failedSaves[0]!.failure.applicationFailureInfo).toMatchObject({ type: 'DataError', nonRetryable: true });
    await recordHistory('decision-refused-by-the-database-then-decided', handle);
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
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'reject', actor: districtOffice('120104'), reason: 'licence expired' }] });
      await handle.result();
      return after;
    });
    expect(resumed.status).toBe('under_review');
    await recordHistory('information-supplied-review-resumed', handle);
    expect((await auditTrail(handle.workflowId)).map((e) => e.action)).toEqual([
      'submitted',
      'deadline_set',
      'information_requested',
      'deadline_set',
      'information_supplied',
      'deadline_set',
      'review_rejected',
    ]);
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

describe('from verification through publicity to the quota', () => {
  const reviewer = districtOffice('120104');
  const culture = { id: 'culture-officer', role: 'department' as const, department: 'culture' };

  async function setQuota(year: number, districtCode: string, cap: number): Promise<void> {
    await database.db
      .insert(recognitionQuotas)
      .values([
        { year, districtCode: 'city', cap: 1000, tieringRunId: 0 },
        { year, districtCode, cap, tieringRunId: 0 },
      ])
      .onConflictDoNothing();
    await database.db
      .update(recognitionQuotas)
      .set({ cap })
      .where(and(eq(recognitionQuotas.year, year), eq(recognitionQuotas.districtCode, districtCode)));
  }

  it('walks a self-application to recognition: verification, opinions (one silent), publicity with a dismissed objection, a place', async () => {
    await setQuota(2094, '120104', 5);
    const { handle, worker, household } = await startCase('120104', 2094);
    const view = await worker.runUntil(async () => {
      await env.sleep(DAY);
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'accept', actor: reviewer }] });
      await env.sleep(2 * DAY);
      const consulting = await handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'verified', actor: reviewer, findings: 'workshop and shop visited', departments: ['culture', 'commerce'] }],
      });
      expect(consulting.status).toBe('soliciting_opinions');
      await handle.executeUpdate(opinionUpdate, { args: [{ actor: culture, opinion: 'support', comment: 'listed heritage craft' }] });
      // Commerce never answers: opinions close when their ten working days have run out.
      const publicity = (await sleepUntilView(env, handle, (v) => v.status === 'publicity')) as CaseView;
      expect(publicity).toMatchObject({ status: 'publicity', publicity: { windowClosed: false } });
      expect(publicity.opinions.map((o) => [o.department, o.opinion])).toEqual([
        ['culture', 'support'],
        ['commerce', 'no_answer'],
      ]);
      await fileObjection(database, handle, { id: 'anonymous', role: 'public' }, 'the shop is not 30 years old');
      await handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'resolve_objection', actor: reviewer, objectionNo: 1, upheld: false, reason: 'licence dated 1989 on file' }],
      });
      // Recognised, the case goes on in the recognised phase; the household's move away ends it here.
      const recognised = await sleepUntilRecognised(env, handle);
      const [entry] = await database.db.select().from(recognitions).where(eq(recognitions.caseId, handle.workflowId));
      expect(entry).toMatchObject({ status: 'recognised', category: 'quality', districtCode: '120104', validUntil: recognised.recognition.validUntil });
      // The run continued as new carries the search attributes its predecessor last set.
      const indexed = (await handle.describe()).typedSearchAttributes;
      expect([indexed.get(CASE_STATUS_ATTRIBUTE), indexed.get(DISTRICT_CODE_ATTRIBUTE), indexed.get(CASE_YEAR_ATTRIBUTE)]).toEqual(['recognised', '120104', 2094]);
      await handle.executeUpdate(transferOutUpdate, {
        args: [{ actor: household.actor, destination: 'beijing', movedOn: cstDateOf(await env.currentTimeMs()) }],
      });
      await handle.result();
      expect((await handle.describe()).typedSearchAttributes.get(CASE_STATUS_ATTRIBUTE)).toBe('transferred');
      return recognised;
    });
    expect(view).toMatchObject({ status: 'recognised', recognition: { benefitsFrom: `${Number(view.recognition.recognisedOn.slice(0, 4)) + 1}-01-01` } });
    const trail = (await auditTrail(handle.workflowId)).map((e) => e.action).filter((a) => a !== 'deadline_set' && a !== 'reminder_sent');
    expect(trail.slice(0, trail.indexOf('recognised') + 1)).toEqual([
      'submitted',
      'review_accepted',
      'verification_passed',
      'opinion_given',
      'opinions_closed',
      'publicity_started',
      'objection_filed',
      'objection_resolved',
      'publicity_closed',
      'quota_requested',
      'recognised',
    ]);
    expect(trail.at(-1)).toBe('transferred_out');
    const publicityDeadline = (await auditTrail(handle.workflowId))
      .map((e) => e.details as { kind?: string; dueOn?: string })
      .find((details) => details.kind === 'publicity');
    const [notice] = await database.db.select().from(publicityNotices).where(eq(publicityNotices.caseId, handle.workflowId));
    expect(notice).toMatchObject({ status: 'closed', objectionsUntil: publicityDeadline!.dueOn });
    const objections = await database.db.select().from(publicityObjections).where(eq(publicityObjections.caseId, handle.workflowId));
    expect(objections).toMatchObject([{ objectionNo: 1, resolution: 'dismissed', resolvedBy: reviewer.id }]);
    // self-application-to-recognition.json stays as it was recorded, before decisions answered with their deadline.
    await recordHistory('self-application-decisions-answered-with-deadlines', env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId));
  });

  it('records a place the quota refuses for good, keeps waiting, and is recognised by the weekly retry once the quota is mended', async () => {
    // The year's quota has rows for 120104 only: a case of 120105 asks for a place the quota refuses (C-QUOTA).
    await setQuota(2092, '120104', 5);
    const { handle, worker, household } = await startCase('120105', 2092);
    const office = districtOffice('120105');
    await worker.runUntil(async () => {
      await env.sleep(DAY);
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'accept', actor: office }] });
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'verified', actor: office, findings: 'visited', departments: [] }] });
      const waiting = (await sleepUntilView(env, handle, (v) => v.status === 'awaiting_quota' && (v as CaseView).recordFailure != null)) as CaseView;
      expect(waiting).toMatchObject({ recordFailure: { actions: ['takeQuotaPlace'], by: 'system' }, quotaWait: { rank: 0 } });
      expect(waiting.recordFailure!.error).toMatch(/no row for district 120105/);
      const [projection] = await database.db.select().from(cases).where(eq(cases.caseId, handle.workflowId));
      expect(projection).toMatchObject({ status: 'awaiting_quota' });

      // The city office mends the year's quota; the case's weekly retry takes the place.
      await database.db.insert(recognitionQuotas).values({ year: 2092, districtCode: '120105', cap: 5, tieringRunId: 0 });
      const recognised = await sleepUntilRecognised(env, handle);
      expect(recognised.status).toBe('recognised');
      await handle.executeUpdate(transferOutUpdate, { args: [{ actor: household.actor, destination: 'beijing', movedOn: cstDateOf(await env.currentTimeMs()) }] });
      await handle.result();
    });
    const trail = (await auditTrail(handle.workflowId)).filter((e) => e.action !== 'deadline_set' && e.action !== 'reminder_sent');
    const actions = trail.map((e) => e.action);
    expect(actions.slice(actions.indexOf('quota_requested'), actions.indexOf('recognised') + 1)).toEqual(['quota_requested', 'step_failed', 'recognised']);
    expect(trail.find((e) => e.action === 'step_failed')).toMatchObject({ actorRole: 'system', toStatus: 'awaiting_quota', clauses: ['C-QUOTA'], details: { step: 'takeQuotaPlace' } });
    await recordHistory('quota-refused-then-recognised-by-the-weekly-retry', env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId));
  });

  it('refuses the recognition when an objection during publicity is upheld', async () => {
    const { handle, worker } = await startCase('120104', 2094);
    await worker.runUntil(async () => {
      await env.sleep(DAY);
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'accept', actor: reviewer }] });
      await env.sleep(DAY);
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'verified', actor: reviewer, findings: 'visited', departments: [] }] });
      await env.sleep(DAY);
      await fileObjection(database, handle, { id: 'neighbour', role: 'public' }, 'sells counterfeit goods');
      const refused = await handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'resolve_objection', actor: reviewer, objectionNo: 1, upheld: true, reason: 'market inspection confirmed counterfeits' }],
      });
      expect(refused.status).toBe('rejected');
      await handle.result();
    });
    const trail = await auditTrail(handle.workflowId);
    expect(trail.at(-1)).toMatchObject({ action: 'objection_resolved', toStatus: 'rejected', actorId: reviewer.id });
    expect(await database.db.select().from(recognitions).where(eq(recognitions.caseId, handle.workflowId))).toEqual([]);
    // publicity-objection-upheld.json stays as recorded, with the objection's text in the case's
    // state; this one has the objection filed as the API now files it, counted, its text kept apart.
    await recordHistory('publicity-objection-upheld', handle);
    await recordHistory('publicity-objection-counted-then-upheld', handle);
  });
});
