// The quota's waiting list through whole cases. These tests set quotas for the simulated year, so
// they live in a file of their own: its clock starts at today's date, far from the fixed years
// (2086…2099) other files keep their quotas in, which a clock moved on by other tests could reach.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { and, eq } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { quotaPlaces, quotaWaitlist, recognitionQuotas, recognitions } from '../../db/recognition-schema.js';
import { households } from '../../db/schema.js';
import { cstDateOf, yearOf } from '../../policy/dates.js';
import { DATA_ERROR } from '../../policy/vocabulary.js';
import { cancellationUpdate, reviewUpdate, transferOutUpdate, type CaseView } from '../../workflows/recognition-case/contract.js';
import {
  acceptAndVerify,
  auditTrail,
  setQuota,
  simulatedToday,
  sleepUntilDate,
  sleepUntilRecognised,
  sleepUntilView,
  startApplication,
  type StartedCase,
} from '../support/recognition.js';
import { DAY } from '../support/recognition.js';
import { caseWorker, districtOffice, recordHistory, timeSkippingStack } from '../support/stack.js';

const { env, database } = await timeSkippingStack();

type CaseActivities = ReturnType<typeof createActivities>;

/** A case worker whose activities are the real ones but for those `overrides` gives, on a queue of its own. */
function caseWorkerWith(overrides: (activities: CaseActivities) => Partial<CaseActivities>): Promise<Worker> {
  const activities = createActivities({ db: database.db });
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: `cases-${randomUUID()}`,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: { ...activities, ...overrides(activities) },
  });
}

/** `count` cases of `year` in `district`, each on a worker of its own; `run` runs its body while all the workers do. */
async function casesWithWorkers(count: number, district: string, year: number) {
  const started: StartedCase[] = [];
  const workers: Worker[] = [];
  for (let i = 0; i < count; i++) {
    const { worker, taskQueue } = await caseWorker(env, database);
    workers.push(worker);
    started.push(await startApplication(env, database, { taskQueue, district, year, termSettings: { spotCheckRate: 0 } }));
  }
  const run = <T>(body: () => Promise<T>) => workers.reduce<() => Promise<T>>((inner, worker) => () => worker.runUntil(inner), body)();
  return { cases: started, run };
}

const statusIs = (status: string) => (view: { status: string }) => view.status === status;

/**
 * Moves the clock to 1 March of next year when this year's window is closing, and answers the
 * year now: a case of that year is recognised long before 30 November, and a cancellation frees
 * its place only in the year of the recognition (C-QUOTA).
 */
async function earlyInAYear(): Promise<number> {
  const today = await simulatedToday(env);
  if (today.slice(5) <= '09-30') return yearOf(today);
  await sleepUntilDate(env, `${yearOf(today) + 1}-03-01`);
  return yearOf(today) + 1;
}

describe('waiting for a place under the quota (C-QUOTA)', () => {
  it("lets a case without a place wait, ranked, until the year's window closes on 30 November", async () => {
    const today = await simulatedToday(env);
    const year = today.slice(5) <= '11-02' ? yearOf(today) : yearOf(today) + 1;
    // Four weeks before the window closes, whatever day the suite runs on: the first case takes the
    // place and the second waits out the rest of the window, with no annual report falling due between.
    await sleepUntilDate(env, `${year}-11-02`);
    const district = '120119';
    await setQuota(database, year, district, 1);
    const { cases: [first, second], run } = await casesWithWorkers(2, district, year);
    const [recognised, exhausted] = await run(async () => {
      await acceptAndVerify(first!.handle, district);
      const recognised = await sleepUntilRecognised(env, first!.handle);
      await acceptAndVerify(second!.handle, district);
      expect(await sleepUntilView(env, second!.handle, statusIs('awaiting_quota'))).toMatchObject({ quotaWait: { rank: 1 } });
      const exhausted = (await second!.handle.result()) as CaseView;
      // The first went on into the recognised phase; its move away ends it within the test.
      await first!.handle.executeUpdate(transferOutUpdate, {
        args: [{ actor: first!.household, destination: 'hebei', movedOn: await simulatedToday(env) }],
      });
      await first!.handle.result();
      return [recognised, exhausted];
    });
    expect(recognised.status).toBe('recognised');
    expect(exhausted.status).toBe('quota_exhausted');
    const trail = await auditTrail(database, second!.caseId);
    expect(trail.at(-1)).toMatchObject({ action: 'quota_exhausted', clauses: ['C-QUOTA', 'C-CYCLE'] });
    expect(cstDateOf(trail.at(-1)!.at.getTime())).toBe(`${year}-12-01`);
    const [counter] = await database.db
      .select()
      .from(recognitionQuotas)
      .where(and(eq(recognitionQuotas.year, year), eq(recognitionQuotas.districtCode, district)));
    expect(counter).toMatchObject({ cap: 1, used: 1 });
    expect(await database.db.select().from(quotaWaitlist).where(eq(quotaWaitlist.caseId, second!.caseId))).toEqual([]);
  });

  it('recognises only one of two households of one operator whose applications were open together (C-ONE-PERSON)', async () => {
    const district = '120116';
    const year = await earlyInAYear();
    await setQuota(database, year, district, 5);
    const { cases: [first, second], run } = await casesWithWorkers(2, district, year);
    await database.db.update(households).set({ operatorId: `op-${first!.uscc}` }).where(eq(households.uscc, second!.uscc));
    const refused = await run(async () => {
      await acceptAndVerify(first!.handle, district);
      await sleepUntilRecognised(env, first!.handle);
      await acceptAndVerify(second!.handle, district);
      const refused = (await second!.handle.result()) as CaseView;
      await first!.handle.executeUpdate(transferOutUpdate, {
        args: [{ actor: first!.household, destination: 'beijing', movedOn: await simulatedToday(env) }],
      });
      await first!.handle.result();
      return refused;
    });
    expect(refused.status).toBe('rejected');
    const trail = await auditTrail(database, second!.caseId);
    expect(trail.at(-1)).toMatchObject({
      action: 'one_person_refused',
      toStatus: 'rejected',
      actorRole: 'system',
      clauses: ['C-ONE-PERSON'],
      details: { heldBy: { caseId: first!.caseId, uscc: first!.uscc } },
    });
    expect(await database.db.select().from(recognitions).where(eq(recognitions.caseId, second!.caseId))).toEqual([]);
    await recordHistory('one-person-refused-at-recognition', second!.handle);
  });

  it('takes a case rejected while it waited off the waitlist, so the next in line gets the freed place', async () => {
    const district = '120117';
    const year = await earlyInAYear();
    await setQuota(database, year, district, 1);
    const { cases: [holder, rejectedWhileWaiting, nextInLine], run } = await casesWithWorkers(3, district, year);
    const promoted = await run(async () => {
      // One after another: publicity ends on a working day, so cases a day apart could be ready at the same moment.
      await acceptAndVerify(holder!.handle, district);
      await sleepUntilRecognised(env, holder!.handle);
      await acceptAndVerify(rejectedWhileWaiting!.handle, district);
      expect(await sleepUntilView(env, rejectedWhileWaiting!.handle, statusIs('awaiting_quota'))).toMatchObject({ quotaWait: { rank: 1 } });
      await acceptAndVerify(nextInLine!.handle, district);
      expect(await sleepUntilView(env, nextInLine!.handle, statusIs('awaiting_quota'))).toMatchObject({ quotaWait: { rank: 2 } });

      await rejectedWhileWaiting!.handle.executeUpdate(reviewUpdate, {
        args: [{ decision: 'reject', actor: districtOffice(district), reason: 'the workshop closed while it waited' }],
      });
      await rejectedWhileWaiting!.handle.result();
      expect(await database.db.select().from(quotaWaitlist).where(eq(quotaWaitlist.caseId, rejectedWhileWaiting!.caseId))).toEqual([]);

      await holder!.handle.executeUpdate(cancellationUpdate, { args: [{ actor: districtOffice(district), reason: 'deregistered its business (T-B1)' }] });
      await holder!.handle.result();
      const promoted = await sleepUntilRecognised(env, nextInLine!.handle);
      await nextInLine!.handle.executeUpdate(transferOutUpdate, {
        args: [{ actor: nextInLine!.household, destination: 'hebei', movedOn: await simulatedToday(env) }],
      });
      await nextInLine!.handle.result();
      return promoted;
    });
    expect(promoted.status).toBe('recognised');
    await recordHistory('rejected-while-waiting-for-a-place', rejectedWhileWaiting!.handle);
    await recordHistory('promoted-by-a-freed-place-application', env.client.workflow.getHandle(nextInLine!.caseId, nextInLine!.firstRunId));
  });

  it('gives back the place the quota took for a case rejected while it was being taken', async () => {
    const district = '120118';
    const year = await earlyInAYear();
    await setQuota(database, year, district, 1);
    let rejectedCase: string | null = null;
    const worker = await caseWorkerWith((activities) => ({
      // The district office rejects the case at the moment the quota is asked for its place.
      takeQuotaPlace: async (request) => {
        if (rejectedCase === null) {
          rejectedCase = request.caseId;
          const handle = env.client.workflow.getHandle(request.caseId);
          await handle.startUpdate(reviewUpdate, {
            args: [{ decision: 'reject', actor: districtOffice(district), reason: 'the shop was found closed' }],
            waitForStage: 'ACCEPTED',
          });
        }
        return activities.takeQuotaPlace(request);
      },
    }));
    const started = await startApplication(env, database, { taskQueue: worker.options.taskQueue, district, year });
    const closed = await worker.runUntil(async () => {
      await acceptAndVerify(started.handle, district);
      return (await started.handle.result()) as CaseView;
    });
    expect(rejectedCase).toBe(started.caseId);
    expect(closed).toMatchObject({ status: 'rejected', recognition: null });
    const [place] = await database.db.select().from(quotaPlaces).where(eq(quotaPlaces.caseId, started.caseId));
    expect(place?.releasedAt).not.toBeNull();
    const [counter] = await database.db
      .select()
      .from(recognitionQuotas)
      .where(and(eq(recognitionQuotas.year, year), eq(recognitionQuotas.districtCode, district)));
    expect(counter).toMatchObject({ cap: 1, used: 0 });
    expect(await database.db.select().from(recognitions).where(eq(recognitions.caseId, started.caseId))).toEqual([]);
    expect((await auditTrail(database, started.caseId)).slice(-2)).toMatchObject([
      { action: 'review_rejected', toStatus: 'rejected', actorId: `reviewer-${district}` },
      { action: 'quota_place_returned', actorRole: 'system', clauses: ['C-QUOTA'], details: { placeReleased: true } },
    ]);
    await recordHistory('rejected-while-its-place-was-taken', started.handle);
  });

  it("records a year's quota that cannot be set for a reason other than a missing tiering run, and keeps the case waiting for the weekly retry", async () => {
    const district = '120115';
    const year = await earlyInAYear();
    let asked = 0;
    const worker = await caseWorkerWith(() => ({
      // The quota's rows are refused as data, not missing: not the QuotaNotSet a case waits out unrecorded.
      ensureYearQuota: async () => {
        asked += 1;
        throw ApplicationFailure.create({ type: DATA_ERROR, message: 'ensureYearQuota: the database refused the data (SQLSTATE 22003): numeric field overflow', nonRetryable: true });
      },
    }));
    const started = await startApplication(env, database, { taskQueue: worker.options.taskQueue, district, year });
    const closed = await worker.runUntil(async () => {
      await acceptAndVerify(started.handle, district);
      const waiting = await sleepUntilView(env, started.handle, (view) => view.status === 'awaiting_quota' && asked > 0);
      expect(waiting).toMatchObject({ status: 'awaiting_quota' });
      const askedBeforeTheRetry = asked;
      await env.sleep(8 * DAY);
      expect(asked).toBeGreaterThan(askedBeforeTheRetry);
      await started.handle.executeUpdate(reviewUpdate, { args: [{ decision: 'reject', actor: districtOffice(district), reason: 'the shop was found closed' }] });
      return (await started.handle.result()) as CaseView;
    });
    expect(closed).toMatchObject({ status: 'rejected', recognition: null });
    const failures = (await auditTrail(database, started.caseId)).filter((e) => e.action === 'step_failed');
    expect(failures.length).toBe(asked);
    expect(failures[0]).toMatchObject({ actorRole: 'system', toStatus: 'awaiting_quota', reason: expect.stringContaining('系统未能申请认定名额（DataError: ensureYearQuota: the database refused the data') });
    expect(await database.db.select().from(quotaPlaces).where(eq(quotaPlaces.caseId, started.caseId))).toEqual([]);
  });
});
