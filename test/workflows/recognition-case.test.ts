import { readFileSync } from 'node:fs';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/client.js';
import { publicityNotices, publicityObjections, quotaWaitlist, recognitionQuotas, recognitions } from '../../db/recognition-schema.js';
import { caseEvents, cases, households } from '../../db/schema.js';
import { addWorkingDays, buildCalendar, subtractWorkingDays, workingDaysBetween, type HolidayNotice } from '../../policy/calendar.js';
import { cstDateOf, startOfCstDay, yearOf } from '../../policy/dates.js';
import { DEFAULT_CASE_SETTINGS, type CaseSettings } from '../../policy/recognition-case.js';
import {
  RECOGNITION_WORKFLOW_TYPE,
  cancellationUpdate,
  caseViewQuery,
  opinionUpdate,
  publicityObjectionUpdate,
  recognitionCaseId,
  recognitionViewQuery,
  reviewUpdate,
  supplyInformationUpdate,
  transferOutUpdate,
  type CaseView,
  type RecognitionCaseInput,
} from '../../workflows/recognition-case/contract.js';
import { acceptAndVerify, sleepUntilDate, sleepUntilRecognised } from '../support/recognition.js';
import { caseWorker, districtOffice, recordHistory, registerHousehold, testDatabase } from '../support/stack.js';
import { createTimeSkippingEnv } from '../support/temporal.js';

const DAY = 86_400_000;
const settings: CaseSettings = DEFAULT_CASE_SETTINGS;
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

async function startCase(district = '120104', caseYear?: number) {
  const household = await registerHousehold(database, district);
  const now = await env.currentTimeMs();
  const year = caseYear ?? Number(cstDateOf(now).slice(0, 4));
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

/** Lets simulated days pass one at a time until the case shows what the test waits for. */
async function sleepUntil(handle: WorkflowHandle, reached: (view: CaseView) => boolean): Promise<CaseView> {
  for (let day = 0; day < 60; day++) {
    const view = await handle.query(caseViewQuery);
    if (reached(view)) return view;
    await env.sleep(DAY);
  }
  const view = await handle.query(caseViewQuery);
  throw new Error(`${handle.workflowId} did not get there within 60 simulated days: ${JSON.stringify(view)}`);
}

/**
 * Moves the clock to 1 March of next year when this year's window is closing (earlier tests move
 * it on by years), and answers the year now: a case of that year is recognised long before
 * 30 November, and a cancellation frees its place only in the year of the recognition (C-QUOTA).
 */
async function earlyInAYear(): Promise<number> {
  const today = cstDateOf(await env.currentTimeMs());
  if (today.slice(5) <= '09-30') return yearOf(today);
  await sleepUntilDate(env, `${yearOf(today) + 1}-03-01`);
  return yearOf(today) + 1;
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
      const publicity = await sleepUntil(handle, (v) => v.status === 'publicity');
      expect(publicity).toMatchObject({ status: 'publicity', publicity: { windowClosed: false } });
      expect(publicity.opinions.map((o) => [o.department, o.opinion])).toEqual([
        ['culture', 'support'],
        ['commerce', 'no_answer'],
      ]);
      await handle.executeUpdate(publicityObjectionUpdate, {
        args: [{ actor: { id: 'anonymous', role: 'public' }, reason: 'the shop is not 30 years old' }],
      });
      await handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'resolve_objection', actor: reviewer, objectionNo: 1, upheld: false, reason: 'licence dated 1989 on file' }],
      });
      // Recognised, the case goes on in the recognised phase; the household's move away ends it here.
      const recognised = await sleepUntilRecognised(env, handle);
      const [entry] = await database.db.select().from(recognitions).where(eq(recognitions.caseId, handle.workflowId));
      expect(entry).toMatchObject({ status: 'recognised', category: 'quality', districtCode: '120104', validUntil: recognised.recognition.validUntil });
      await handle.executeUpdate(transferOutUpdate, {
        args: [{ actor: household.actor, destination: 'beijing', movedOn: cstDateOf(await env.currentTimeMs()) }],
      });
      await handle.result();
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
    await recordHistory('self-application-to-recognition', env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId));
  });

  it('refuses the recognition when an objection during publicity is upheld', async () => {
    const { handle, worker } = await startCase('120104', 2094);
    await worker.runUntil(async () => {
      await env.sleep(DAY);
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'accept', actor: reviewer }] });
      await env.sleep(DAY);
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'verified', actor: reviewer, findings: 'visited', departments: [] }] });
      await env.sleep(DAY);
      await handle.executeUpdate(publicityObjectionUpdate, {
        args: [{ actor: { id: 'neighbour', role: 'public' }, reason: 'sells counterfeit goods' }],
      });
      const refused = await handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'resolve_objection', actor: reviewer, objectionNo: 1, upheld: true, reason: 'market inspection confirmed counterfeits' }],
      });
      expect(refused.status).toBe('rejected');
      await handle.result();
    });
    const trail = await auditTrail(handle.workflowId);
    expect(trail.at(-1)).toMatchObject({ action: 'objection_resolved', toStatus: 'rejected', actorId: reviewer.id });
    expect(await database.db.select().from(recognitions).where(eq(recognitions.caseId, handle.workflowId))).toEqual([]);
    await recordHistory('publicity-objection-upheld', handle);
  });

  it('lets a case without a place wait, ranked, until the year\'s window closes on 30 November', async () => {
    const now = await env.currentTimeMs();
    const today = cstDateOf(now);
    const year = today.slice(5) <= '11-16' ? Number(today.slice(0, 4)) : Number(today.slice(0, 4)) + 1;
    // Two weeks before the window closes, whatever day the suite runs on: the first case takes the
    // place and the second waits out the rest of the window, with no annual report falling due between.
    const twoWeeksBeforeClose = startOfCstDay(`${year}-11-16`) + 9 * 3_600_000;
    if (twoWeeksBeforeClose > now) await env.sleep(twoWeeksBeforeClose - now);
    await setQuota(year, '120119', 1);
    const first = await startCase('120119', year);
    const second = await startCase('120119', year);
    const toPublicityEnd = async (handle: typeof first.handle) => {
      await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'accept', actor: districtOffice('120119') }] });
      await handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'verified', actor: districtOffice('120119'), findings: 'visited', departments: [] }],
      });
    };
    const [firstView, secondView] = await first.worker.runUntil(
      second.worker.runUntil(async () => {
        await env.sleep(DAY);
        await toPublicityEnd(first.handle);
        await env.sleep(DAY);
        await toPublicityEnd(second.handle);
        await env.sleep(10 * DAY);
        const waiting = await second.handle.query(caseViewQuery);
        expect(waiting).toMatchObject({ status: 'awaiting_quota', quotaWait: { rank: 1 } });
        const exhausted = await second.handle.result();
        // The first went on into the recognised phase; its move away ends it within the test.
        const recognised = await first.handle.query(recognitionViewQuery);
        await first.handle.executeUpdate(transferOutUpdate, {
          args: [{ actor: first.household.actor, destination: 'hebei', movedOn: cstDateOf(await env.currentTimeMs()) }],
        });
        await first.handle.result();
        return [recognised, exhausted];
      }),
    );
    expect(firstView.status).toBe('recognised');
    expect(secondView.status).toBe('quota_exhausted');
    const trail = await auditTrail(second.handle.workflowId);
    expect(trail.at(-1)).toMatchObject({ action: 'quota_exhausted', clauses: ['C-QUOTA', 'C-CYCLE'] });
    expect(cstDateOf(trail.at(-1)!.at.getTime())).toBe(`${year}-12-01`);
    const [counter] = await database.db
      .select()
      .from(recognitionQuotas)
      .where(and(eq(recognitionQuotas.year, year), eq(recognitionQuotas.districtCode, '120119')));
    expect(counter).toMatchObject({ cap: 1, used: 1 });
  });

  it('recognises only one of two households of one operator whose applications were open together (C-ONE-PERSON)', async () => {
    const district = '120116';
    const year = await earlyInAYear();
    await setQuota(year, district, 5);
    const first = await startCase(district, year);
    const second = await startCase(district, year);
    await database.db.update(households).set({ operatorId: `op-${first.household.uscc}` }).where(eq(households.uscc, second.household.uscc));
    const [recognised, refused] = await first.worker.runUntil(
      second.worker.runUntil(async () => {
        await acceptAndVerify(first.handle, district);
        const recognised = await sleepUntilRecognised(env, first.handle);
        await acceptAndVerify(second.handle, district);
        const refused = await second.handle.result();
        await first.handle.executeUpdate(transferOutUpdate, {
          args: [{ actor: first.household.actor, destination: 'beijing', movedOn: cstDateOf(await env.currentTimeMs()) }],
        });
        await first.handle.result();
        return [recognised, refused];
      }),
    );
    expect(recognised.status).toBe('recognised');
    expect(refused.status).toBe('rejected');
    const trail = await auditTrail(second.handle.workflowId);
    expect(trail.at(-1)).toMatchObject({
      action: 'one_person_refused',
      toStatus: 'rejected',
      actorRole: 'system',
      clauses: ['C-ONE-PERSON'],
      details: { heldBy: { caseId: first.handle.workflowId, uscc: first.household.uscc } },
    });
    expect(await database.db.select().from(recognitions).where(eq(recognitions.caseId, second.handle.workflowId))).toEqual([]);
    await recordHistory('one-person-refused-at-recognition', second.handle);
  });

  it('takes a case rejected while it waited off the waitlist, so the next in line gets the freed place', async () => {
    const district = '120117';
    const year = await earlyInAYear();
    await setQuota(year, district, 1);
    const holder = await startCase(district, year);
    const rejectedWhileWaiting = await startCase(district, year);
    const nextInLine = await startCase(district, year);
    const workers = [holder, rejectedWhileWaiting, nextInLine].map((c) => c.worker);
    const runAll = <T>(body: () => Promise<T>) => workers.reduce<() => Promise<T>>((inner, worker) => () => worker.runUntil(inner), body)();
    const promoted = await runAll(async () => {
      // One after another: publicity ends on a working day, so cases a day apart could be ready at the same moment.
      await acceptAndVerify(holder.handle, district);
      await sleepUntilRecognised(env, holder.handle);
      await acceptAndVerify(rejectedWhileWaiting.handle, district);
      await sleepUntil(rejectedWhileWaiting.handle, (v) => v.status === 'awaiting_quota');
      await acceptAndVerify(nextInLine.handle, district);
      await sleepUntil(nextInLine.handle, (v) => v.status === 'awaiting_quota');
      expect(await rejectedWhileWaiting.handle.query(caseViewQuery)).toMatchObject({ status: 'awaiting_quota', quotaWait: { rank: 1 } });
      expect(await nextInLine.handle.query(caseViewQuery)).toMatchObject({ status: 'awaiting_quota', quotaWait: { rank: 2 } });

      await rejectedWhileWaiting.handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'reject', actor: districtOffice(district), reason: 'the workshop closed while it waited' }],
      });
      await rejectedWhileWaiting.handle.result();
      expect(await database.db.select().from(quotaWaitlist).where(eq(quotaWaitlist.caseId, rejectedWhileWaiting.handle.workflowId))).toEqual([]);

      await holder.handle.executeUpdate(cancellationUpdate, { args: [{ actor: districtOffice(district), reason: 'deregistered its business (T-B1)' }] });
      await holder.handle.result();
      const promoted = await sleepUntilRecognised(env, nextInLine.handle);
      await nextInLine.handle.executeUpdate(transferOutUpdate, {
        args: [{ actor: nextInLine.household.actor, destination: 'hebei', movedOn: cstDateOf(await env.currentTimeMs()) }],
      });
      await nextInLine.handle.result();
      return promoted;
    });
    expect(promoted.status).toBe('recognised');
    await recordHistory('rejected-while-waiting-for-a-place', rejectedWhileWaiting.handle);
  });
});
