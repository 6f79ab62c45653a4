import { WorkflowUpdateFailedError } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { quotaPlaces, recognitionQuotas, recognitions } from '../../db/recognition-schema.js';
import { cases } from '../../db/schema.js';
import { householdTiers } from '../../db/tiering-schema.js';
import { addDays, addYears, cstDateOf, yearOf } from '../../policy/dates.js';
import {
  annualReportDecisionUpdate,
  annualReportUpdate,
  cancellationUpdate,
  recognitionViewQuery,
  spotCheckUpdate,
  transferOutUpdate,
} from '../../workflows/recognition-case/contract.js';
import {
  DAY,
  acceptAndVerify,
  auditTrail,
  runsOf,
  setQuota,
  simulatedToday,
  sleepUntilDate,
  sleepUntilRecognised,
  sleepUntilView,
  startApplication,
} from '../support/recognition.js';
import { caseWorker, districtOffice, recordHistory, timeSkippingStack } from '../support/stack.js';

const CITY = { id: 'city-inspector', role: 'city' as const };

const { env, database } = await timeSkippingStack();

/**
 * Histories of a case's runs in the recognised phase for the replay test (`<name>-term-1` …),
 * and of the application that continued into it when `application` is set.
 */
async function recordRuns(name: string, workflowId: string, firstRunId: string, options: { application?: boolean } = {}): Promise<string[]> {
  const runs = await runsOf(env, workflowId, firstRunId);
  for (const [index, runId] of runs.entries()) {
    if (index === 0 && !options.application) continue;
    await recordHistory(index === 0 ? `${name}-application` : `${name}-term-${index}`, env.client.workflow.getHandle(workflowId, runId));
  }
  return runs;
}

const actionsOf = async (caseId: string, skip: readonly string[] = ['deadline_set', 'reminder_sent']) =>
  (await auditTrail(database, caseId)).map((e) => e.action).filter((action) => !skip.includes(action));

describe('the recognised phase on the time-skipping server', () => {
  it('refuses a recognition whose spot-check supplement never comes, and gives its place to the case waiting for one', async () => {
    // The whole scenario stays within one calendar year: a place is given back only in the recognition year.
    const today = await simulatedToday(env);
    if (today.slice(5) > '10-31') await sleepUntilDate(env, `${yearOf(today) + 1}-01-12`);
    const district = '120105';
    await setQuota(database, 2086, district, 1);
    const { worker, taskQueue } = await caseWorker(env, database);
    const sampled = await startApplication(env, database, { taskQueue, district, year: 2086, termSettings: { spotCheckRate: 1 } });
    const waiting = await startApplication(env, database, { taskQueue, district, year: 2086, termSettings: { spotCheckRate: 0 } });

    const { refusedOn, waitingView } = await worker.runUntil(async () => {
      await acceptAndVerify(sampled.handle, district);
      await env.sleep(DAY);
      await acceptAndVerify(waiting.handle, district);
      const recognised = await sleepUntilRecognised(env, sampled.handle);
      expect(recognised).toMatchObject({ phase: 'recognised', status: 'recognised', origin: 'tianjin', spotCheck: { status: 'selected' } });
      await sleepUntilView(env, waiting.handle, (v) => v.status === 'awaiting_quota');

      const dueOn = addDays(await simulatedToday(env), 7);
      const asked = await sampled.handle.executeUpdate(spotCheckUpdate, {
        args: [{ decision: 'request_supplement', actor: CITY, reason: 'original Q2 certificate', dueOn }],
      });
      // The decision answers whose move it waits for and by when; the view is queried.
      expect(asked).toMatchObject({ status: 'recognised', waitingFor: 'household', dueOn });
      expect((await sampled.handle.query(recognitionViewQuery)).spotCheck).toMatchObject({ status: 'awaiting_supplement', supplementRequest: { dueOn } });
      const refused = await sampled.handle.result();
      expect(refused).toMatchObject({ status: 'refused', spotCheck: { status: 'refused' }, closedOn: addDays(dueOn, 1) });

      // The freed place goes to the waiting case at once, not at its weekly retry.
      const waitingView = await sleepUntilRecognised(env, waiting.handle);
      await waiting.handle.executeUpdate(transferOutUpdate, {
        args: [{ actor: waiting.household, destination: 'beijing', movedOn: await simulatedToday(env), note: 'moved the shop' }],
      });
      await waiting.handle.result();
      return { refusedOn: refused.closedOn as string, waitingView };
    });

    expect(await actionsOf(sampled.caseId)).toEqual([
      'submitted',
      'review_accepted',
      'verification_passed',
      'publicity_started',
      'publicity_closed',
      'quota_requested',
      'recognised',
      'filed',
      'spot_check_selected',
      'supplement_requested',
      'supplement_lapsed',
      'quota_place_released',
    ]);
    const trail = await auditTrail(database, sampled.caseId);
    expect(trail.find((e) => e.action === 'supplement_lapsed')).toMatchObject({ actorRole: 'system', toStatus: 'refused', clauses: ['C-FILE'] });
    expect(trail.at(-1)!.details).toMatchObject({ placeReleased: true, nextInLine: waiting.caseId });
    const [entry] = await database.db.select().from(recognitions).where(eq(recognitions.caseId, sampled.caseId));
    expect(entry).toMatchObject({ status: 'refused' });
    const [place] = await database.db.select().from(quotaPlaces).where(eq(quotaPlaces.caseId, sampled.caseId));
    expect(place!.releasedAt).not.toBeNull();
    const [counter] = await database.db
      .select()
      .from(recognitionQuotas)
      .where(and(eq(recognitionQuotas.year, 2086), eq(recognitionQuotas.districtCode, district)));
    expect(counter).toMatchObject({ cap: 1, used: 1 });
    expect(waitingView.recognition.recognisedOn).toBe(refusedOn);
    expect((await auditTrail(database, waiting.caseId)).at(-1)).toMatchObject({ action: 'transferred_out', toStatus: 'transferred' });

    await recordRuns('spot-check-supplement-lapsed', sampled.caseId, sampled.firstRunId, { application: true });
    await recordRuns('quota-place-freed-then-transferred', waiting.caseId, waiting.firstRunId);
  });

  it('takes three annual reports, extends the recognition when the tier rose (X3), and continues as new into the next term', async () => {
    // Recognised after 31 July, the term holds three report deadlines before it ends.
    const today = await simulatedToday(env);
    const year = today.slice(5) > '09-30' ? yearOf(today) + 1 : yearOf(today);
    await sleepUntilDate(env, `${year}-08-10`);
    const district = '120106';
    await setQuota(database, 2087, district, 5);
    const { worker, taskQueue } = await caseWorker(env, database);
    const started = await startApplication(env, database, { taskQueue, district, year: 2087, termSettings: { spotCheckRate: 0 } });
    const reviewer = districtOffice(district);

    const outcome = await worker.runUntil(async () => {
      await acceptAndVerify(started.handle, district);
      const recognised = await sleepUntilRecognised(env, started.handle);
      const Y = yearOf(recognised.recognition.recognisedOn);
      expect(recognised.reports.map((r) => [r.year, r.dueOn])).toEqual([
        [Y + 1, `${Y + 1}-07-31`],
        [Y + 2, `${Y + 2}-07-31`],
        [Y + 3, `${Y + 3}-07-31`],
      ]);
      const fileAndAccept = async (reportYear: number) => {
        await sleepUntilDate(env, `${reportYear}-07-05`);
        const reminded = await started.handle.query(recognitionViewQuery);
        expect(reminded.reports.find((r) => r.year === reportYear)).toMatchObject({ status: 'due', reminded: true, escalated: false });
        await started.handle.executeUpdate(annualReportUpdate, {
          args: [{ actor: started.household, year: reportYear, revenue: 300_000, employees: 3, note: 'business as usual' }],
        });
        await started.handle.executeUpdate(annualReportDecisionUpdate, {
          args: [{ actor: reviewer, year: reportYear, decision: 'accept', reason: 'base standard still met' }],
        });
        const accepted = await started.handle.query(recognitionViewQuery);
        expect(accepted.reports.find((r) => r.year === reportYear)).toMatchObject({ status: 'accepted' });
      };
      await fileAndAccept(Y + 1);
      await fileAndAccept(Y + 2);

      await sleepUntilDate(env, addDays(recognised.evaluation.opensOn, 3));
      const evaluating = await started.handle.query(recognitionViewQuery);
      expect(evaluating.evaluation.openedAt).not.toBeNull();
      expect(evaluating.evaluation.findings.map((f) => [f.criterion, f.met])).toEqual([
        ['X1', false],
        ['X3', false],
      ]);

      await fileAndAccept(Y + 3);
      // The August tiering run finds the household grown into development (X3).
      await database.db
        .update(householdTiers)
        .set({ tier: 'development', year: Y + 3 })
        .where(eq(householdTiers.uscc, started.uscc));
      await sleepUntilView(env, started.handle, (v) => 'termNo' in v && v.termNo === 2);
      const nextTerm = await started.handle.query(recognitionViewQuery);
      await started.handle.executeUpdate(transferOutUpdate, {
        args: [{ actor: reviewer, destination: 'hebei', movedOn: await simulatedToday(env), note: 'moved to Langfang' }],
      });
      const closed = await started.handle.result();
      return { recognised, nextTerm, closed, Y };
    });

    const { recognised, nextTerm, closed, Y } = outcome;
    const newValidUntil = addYears(recognised.recognition.validUntil, 3);
    expect(nextTerm).toMatchObject({
      termNo: 2,
      termStartedOn: addDays(recognised.recognition.validUntil, 1),
      recognition: { recognisedOn: recognised.recognition.recognisedOn, validUntil: newValidUntil },
      tierAtTermStart: { tier: 'development', year: Y + 3 },
      reportsSettledThrough: Y + 3,
      extension: null,
      evaluation: { openedAt: null, opensOn: addDays(addYears(newValidUntil, -1), 1) },
    });
    expect(nextTerm.reports.map((r) => r.year)).toEqual([Y + 4, Y + 5, Y + 6]);
    expect(closed).toMatchObject({ status: 'transferred', transferOut: { destination: 'hebei' } });

    const actions = await actionsOf(started.caseId, ['deadline_set', 'reminder_sent', 'annual_report_reminder']);
    expect(actions.slice(actions.indexOf('recognised'))).toEqual([
      'recognised',
      'filed',
      'annual_report_filed',
      'annual_report_accepted',
      'annual_report_filed',
      'annual_report_accepted',
      'evaluation_opened',
      'evaluation_data_read',
      'annual_report_filed',
      'annual_report_accepted',
      'evaluation_data_read',
      'extended',
      'transferred_out',
    ]);
    const trail = await auditTrail(database, started.caseId);
    expect(trail.map((e) => e.seq)).toEqual(trail.map((_, i) => i + 1));
    expect(trail.find((e) => e.action === 'extended')).toMatchObject({
      clauses: ['C-EVAL', 'C-VALID'],
      details: { criteria: ['X3'], fromValidUntil: recognised.recognition.validUntil, toValidUntil: newValidUntil },
    });
    const [entry] = await database.db.select().from(recognitions).where(eq(recognitions.caseId, started.caseId));
    expect(entry).toMatchObject({ status: 'transferred', validUntil: newValidUntil });

    const runs = await recordRuns('three-reports-extension-transferred', started.caseId, started.firstRunId);
    // Three runs: the application and the first term each continued as new into the next.
    expect(runs).toHaveLength(3);
  });

  it('escalates a missing annual report to the district office and cancels the recognition after the grace period', async () => {
    const district = '120107';
    await setQuota(database, 2088, district, 5);
    const { worker, taskQueue } = await caseWorker(env, database);
    const started = await startApplication(env, database, { taskQueue, district, year: 2088, termSettings: { spotCheckRate: 0 } });

    const { overdue, closed } = await worker.runUntil(async () => {
      await acceptAndVerify(started.handle, district);
      const recognised = await sleepUntilRecognised(env, started.handle);
      const reportYear = recognised.firstReportYear;
      await sleepUntilDate(env, `${reportYear}-08-02`);
      const overdue = await started.handle.query(recognitionViewQuery);
      const [projection] = await database.db.select().from(cases).where(eq(cases.caseId, started.caseId));
      expect(projection).toMatchObject({ status: 'recognised', waitingFor: 'district', dueOn: `${reportYear}-08-30` });
      const closed = await started.handle.result();
      return { overdue, closed };
    });

    const report = overdue.reports[0]!;
    expect(report).toMatchObject({ status: 'due', reminded: true, escalated: true, cancelOn: addDays(report.dueOn, 31) });
    expect(closed).toMatchObject({ status: 'cancelled', closedOn: report.cancelOn });
    const trail = await auditTrail(database, started.caseId);
    const actions = trail.map((e) => e.action);
    expect(actions.slice(actions.indexOf('filed'))).toEqual(['filed', 'annual_report_reminder', 'annual_report_overdue', 'annual_report_missed']);
    expect(trail.find((e) => e.action === 'annual_report_overdue')).toMatchObject({ details: { notify: 'district' } });
    expect(cstDateOf(trail.at(-1)!.at.getTime())).toBe(report.cancelOn);
    expect(trail.at(-1)).toMatchObject({ toStatus: 'cancelled', clauses: ['C-ANNUAL'], details: { releasesQuotaPlace: false } });
    const [entry] = await database.db.select().from(recognitions).where(eq(recognitions.caseId, started.caseId));
    expect(entry).toMatchObject({ status: 'cancelled' });

    await recordRuns('annual-report-missed-cancelled', started.caseId, started.firstRunId);
  });

  it('records a recognised-phase decision PostgreSQL refuses for good (a NUL), and takes the next one', async () => {
    const district = '120106';
    await setQuota(database, 2087, district, 5);
    const { worker, taskQueue } = await caseWorker(env, database);
    const started = await startApplication(env, database, { taskQueue, district, year: 2087, termSettings: { spotCheckRate: 0 } });
    const office = districtOffice(district);
    await worker.runUntil(async () => {
      await acceptAndVerify(started.handle, district);
      await sleepUntilRecognised(env, started.handle);
      const refusal = await started.handle
        .executeUpdate(cancellationUpdate, { args: [{ actor: office, reason: 'deregistered\u0000' }] })
        .catch((err: unknown) => err);
      expect((refusal as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'DecisionNotRecorded' });
      const unchanged = await started.handle.query(recognitionViewQuery);
      expect(unchanged).toMatchObject({ status: 'recognised', recordFailure: { actions: ['cancelled'], by: office.id } });
      const cancelled = await started.handle.executeUpdate(cancellationUpdate, { args: [{ actor: office, reason: 'deregistered its business (T-B1)' }] });
      expect(cancelled).toMatchObject({ status: 'cancelled', waitingFor: null });
      expect(await started.handle.result()).toMatchObject({ status: 'cancelled', recordFailure: null });
    });
    const actions = await actionsOf(started.caseId);
    expect(actions.slice(actions.indexOf('recognised'))).toEqual(['recognised', 'filed', 'record_failed', 'cancelled', 'quota_place_released']);
    await recordRuns('decision-refused-in-the-recognised-phase', started.caseId, started.firstRunId);
  });
});
