import { readFileSync } from 'node:fs';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { notifications } from '../../db/notification-schema.js';
import { caseEvents } from '../../db/schema.js';
import { householdTiers, tierHistory, tierObjections } from '../../db/tiering-schema.js';
import type { Actor } from '../../policy/actors.js';
import { addWorkingDays, buildCalendar, subtractWorkingDays, type HolidayNotice } from '../../policy/calendar.js';
import { cstDateOf } from '../../policy/dates.js';
import type { FactsCorrection, ObjectionDecisionCommand, ObjectionSettings } from '../../policy/tier-objection.js';
import {
  TIER_OBJECTION_WORKFLOW_TYPE,
  decideObjectionUpdate,
  objectionViewQuery,
  tierObjectionId,
  type TierObjectionInput,
} from '../../workflows/tier-objection/contract.js';
import { caseWorker, districtOffice, recordHistory, timeSkippingStack } from '../support/stack.js';
import { TIER_AS_OF, TIER_YEAR, survivalHousehold } from '../support/tiers.js';

const DAY = 86_400_000;
const settings: ObjectionSettings = { answerWorkingDays: 15, reminderWorkingDays: 3 };
const cityOffice: Actor = { id: 'city-objections', role: 'city' };
const calendar = buildCalendar(
  JSON.parse(readFileSync(new URL('../../db/seed/holiday-notices.json', import.meta.url), 'utf8')) as HolidayNotice[],
);
/** The household says it insured two people in 2024: T-G3 makes it growth. */
const insuredTwo: FactsCorrection = { socialInsurance: [{ year: 2024, insuredCount: 2 }] };

const { env, database } = await timeSkippingStack();

async function fileObjection(correctedFacts: FactsCorrection | null) {
  const household = await survivalHousehold(database, '120103');
  const now = await env.currentTimeMs();
  const input: TierObjectionInput = {
    uscc: household.uscc,
    districtCode: '120103',
    householdName: '测试个体户',
    contested: {
      tier: household.tier,
      year: TIER_YEAR,
      asOf: TIER_AS_OF,
      source: 'on_demand',
      runId: null,
      ruleVersion: '2024-9/v1',
      trace: household.trace,
    },
    reason: '2024年为两名员工缴纳了社保',
    correctedFacts,
    filedBy: household.actor,
    filedAt: new Date(now).toISOString(),
    settings,
  };
  const { worker, taskQueue } = await caseWorker(env, database);
  const handle = await env.client.workflow.start(TIER_OBJECTION_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: tierObjectionId(household.uscc, TIER_YEAR),
    args: [input],
  });
  return { household, handle, worker, filedOn: cstDateOf(now) };
}

async function auditTrail(objectionId: string) {
  return database.db.select().from(caseEvents).where(eq(caseEvents.caseId, objectionId)).orderBy(asc(caseEvents.seq));
}

async function tierOf(uscc: string) {
  const [current] = await database.db.select().from(householdTiers).where(eq(householdTiers.uscc, uscc));
  const history = await database.db.select().from(tierHistory).where(eq(tierHistory.uscc, uscc)).orderBy(asc(tierHistory.id));
  return { current, history };
}

describe('objection to a tier on the time-skipping server (T-OBJ)', () => {
  it('reminds once and escalates once in simulated working days; a dismissal needs a reason and changes nothing', async () => {
    const { household, handle, worker, filedOn } = await fileObjection(insuredTwo);
    const dueOn = addWorkingDays(calendar, filedOn, settings.answerWorkingDays).date;
    const remindOn = subtractWorkingDays(calendar, dueOn, settings.reminderWorkingDays).date;

    const view = await worker.runUntil(async () => {
      await env.sleep(DAY);
      expect((await handle.query(objectionViewQuery)).deadline).toMatchObject({ dueOn, remindOn, reminded: false, passed: false });

      // Forty calendar days cover fifteen working days with any holiday of the year; ten more change nothing.
      await env.sleep(40 * DAY);
      expect(await handle.query(objectionViewQuery)).toMatchObject({ status: 'open', deadline: { reminded: true, passed: true } });
      await env.sleep(10 * DAY);

      const refusal = await handle
        .executeUpdate(decideObjectionUpdate, { args: [{ decision: 'dismissed', actor: cityOffice, reason: '  ' }] })
        .catch((err: unknown) => err);
      expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refusal as WorkflowUpdateFailedError).cause).toMatchObject({
        type: 'RuleViolation',
        details: [{ status: 422, field: 'reason', clause: 'T-OBJ' }],
      });
      return handle.executeUpdate(decideObjectionUpdate, {
        args: [{ decision: 'dismissed', actor: cityOffice, reason: '社保部门数据显示2024年未以单位形式参保' }],
      });
    });

    expect(view).toMatchObject({ status: 'dismissed', decision: { decision: 'dismissed', tier: null, by: cityOffice } });
    expect(await handle.result()).toMatchObject({ status: 'dismissed' });
    const trail = await auditTrail(handle.workflowId);
    expect(trail.map((e) => e.action)).toEqual(['filed', 'deadline_set', 'reminder_sent', 'deadline_escalated', 'dismissed']);
    expect(cstDateOf(trail[2]!.at.getTime())).toBe(remindOn);
    expect(trail.at(-1)).toMatchObject({
      actorId: 'city-objections',
      actorRole: 'city',
      reason: '社保部门数据显示2024年未以单位形式参保',
      clauses: ['T-OBJ'],
    });
    const [row] = await database.db.select().from(tierObjections).where(eq(tierObjections.objectionId, handle.workflowId));
    expect(row).toMatchObject({
      status: 'dismissed',
      contestedTier: 'survival',
      dueOn,
      decision: 'dismissed',
      decidedTier: null,
      decidedBy: 'city-objections',
      filedBy: household.uscc,
      version: 5,
    });
    const { current, history } = await tierOf(household.uscc);
    expect(current).toMatchObject({ tier: 'survival', source: 'on_demand' });
    expect(history.map((h) => h.tier)).toEqual(['survival']);
    // The city office is told to answer, reminded and told it is overdue; the household hears the answer, each once.
    const told = await database.db
      .select({ seq: notifications.eventSeq, role: notifications.recipientRole, id: notifications.recipientId, kind: notifications.kind, dueOn: notifications.dueOn })
      .from(notifications)
      .where(eq(notifications.trailId, handle.workflowId))
      .orderBy(asc(notifications.eventSeq));
    expect(told).toEqual([
      { seq: 2, role: 'city', id: 'city', kind: 'tier_objection_due', dueOn },
      { seq: 3, role: 'city', id: 'city', kind: 'step_reminder', dueOn },
      { seq: 4, role: 'city', id: 'city', kind: 'step_overdue', dueOn },
      { seq: 5, role: 'household', id: household.uscc, kind: 'tier_objection_answered', dueOn: null },
    ]);
    // Operators read in Temporal which deadline each timer waits for.
    const timers = (await handle.fetchHistory()).events!.filter((e) => e.timerStartedEventAttributes);
    expect(timers.map((e) => defaultPayloadConverter.fromPayload(e.userMetadata!.summary!))).toEqual(['异议处理截止提醒 (T-OBJ)', '异议处理已逾期 (T-OBJ)']);
    await recordHistory('objection-escalated-then-dismissed', handle);
  });

  it('upholds with the corrected facts: the tier the re-run trace gives replaces the current one, and the history keeps both', async () => {
    const { household, handle, worker } = await fileObjection(insuredTwo);
    const view = await worker.runUntil(async () => {
      await env.sleep(2 * DAY);
      const typedTier = await handle
        .executeUpdate(decideObjectionUpdate, { args: [{ decision: 'upheld', actor: cityOffice, tier: 'development' }] })
        .catch((err: unknown) => err);
      expect((typedTier as WorkflowUpdateFailedError).cause).toMatchObject({
        details: [{ status: 422, field: 'tier', clause: 'T-OBJ' }],
      });
      return handle.executeUpdate(decideObjectionUpdate, {
        args: [{ decision: 'upheld', actor: cityOffice, reason: '社保数据已核实', tier: 'growth' }],
      });
    });

    expect(view).toMatchObject({ status: 'upheld', decision: { tier: 'growth', correctedFacts: insuredTwo } });
    expect(view.decision!.trace!.outcomes).toContain('T-G3+');
    const { current, history } = await tierOf(household.uscc);
    expect(current).toMatchObject({ tier: 'growth', source: 'objection', year: TIER_YEAR, asOf: TIER_AS_OF });
    expect(current!.trace).toEqual(view.decision!.trace);
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({ tier: 'survival', source: 'on_demand', objectionId: null });
    expect(history[1]).toMatchObject({
      tier: 'growth',
      previousTier: 'survival',
      source: 'objection',
      objectionId: handle.workflowId,
      decidedBy: 'city-objections',
      reason: '社保数据已核实',
    });
    expect((await auditTrail(handle.workflowId)).map((e) => e.action)).toEqual(['filed', 'deadline_set', 'upheld']);
    await recordHistory('objection-upheld', handle);
  });

  it('takes the decision from the city office only, and only where the corrected facts support another tier', async () => {
    const { household, handle, worker } = await fileObjection(null);
    const view = await worker.runUntil(async () => {
      await env.sleep(DAY);
      const refused = async (command: ObjectionDecisionCommand) => {
        const err = await handle.executeUpdate(decideObjectionUpdate, { args: [command] }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
        return (err as WorkflowUpdateFailedError).cause;
      };
      expect(await refused({ decision: 'dismissed', actor: districtOffice('120103'), reason: 'no' })).toMatchObject({
        details: [{ status: 403, field: 'actor' }],
      });
      // Nothing corrected: upholding has no trace to stand on.
      expect(await refused({ decision: 'upheld', actor: cityOffice })).toMatchObject({
        details: [{ status: 422, field: 'correctedFacts' }],
      });
      // Corrected, but the standard for another tier is still not met.
      expect(
        await refused({ decision: 'upheld', actor: cityOffice, correctedFacts: { annualReports: [{ year: 2024, filedOn: '2025-03-10', revenue: 60_000 }] } }),
      ).toMatchObject({ details: [{ status: 422, field: 'correctedFacts' }] });
      expect(
        await refused({ decision: 'upheld', actor: cityOffice, correctedFacts: { establishedOn: '2099-01-01' } }),
      ).toMatchObject({ details: [{ status: 422, field: 'correctedFacts.establishedOn' }] });
      // Facts that lower the tier do not uphold an objection: the office dismisses it.
      expect(
        await refused({ decision: 'upheld', actor: cityOffice, reason: '登记状态为吊销', correctedFacts: { status: 'revoked' } }),
      ).toMatchObject({ details: [{ status: 422, field: 'correctedFacts', clause: 'T-OBJ' }] });
      // The city office's own corrections: a revenue above the development threshold.
      const correctedFacts: FactsCorrection = { annualReports: [{ year: 2024, filedOn: '2025-03-10', revenue: 1_500_000 }] };
      expect(await refused({ decision: 'upheld', actor: cityOffice, correctedFacts })).toMatchObject({
        details: [{ status: 422, field: 'reason', clause: 'T-OBJ' }],
      });
      return handle.executeUpdate(decideObjectionUpdate, {
        args: [{ decision: 'upheld', actor: cityOffice, reason: '税务数据核实营业收入', correctedFacts }],
      });
    });
    expect(view).toMatchObject({ status: 'upheld', decision: { tier: 'development', reason: '税务数据核实营业收入' } });
    expect(view.decision!.trace!.outcomes).toContain('T-D1+');
    expect((await tierOf(household.uscc)).current).toMatchObject({ tier: 'development', source: 'objection' });
    const history = await handle.fetchHistory();
    expect(history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
  });

  it('upholds without replacing a tier of the year decided as of a later date meanwhile; the objection keeps the correction', async () => {
    const { household, handle, worker } = await fileObjection(insuredTwo);
    // While the objection waits, the household is tiered on demand as of a later date of the year.
    const onDemandAt = new Date('2025-09-15T02:00:00Z');
    await database.db
      .update(householdTiers)
      .set({ asOf: '2025-09-15', decidedAt: onDemandAt })
      .where(eq(householdTiers.uscc, household.uscc));
    const view = await worker.runUntil(async () => {
      await env.sleep(DAY);
      return handle.executeUpdate(decideObjectionUpdate, {
        args: [{ decision: 'upheld', actor: cityOffice, reason: '社保数据已核实' }],
      });
    });
    expect(view).toMatchObject({ status: 'upheld', decision: { tier: 'growth' } });
    const { current, history } = await tierOf(household.uscc);
    expect(current).toMatchObject({ tier: 'survival', source: 'on_demand', asOf: '2025-09-15', decidedAt: onDemandAt });
    expect(history.map((h) => h.source)).toEqual(['on_demand']);
    const [row] = await database.db.select().from(tierObjections).where(eq(tierObjections.objectionId, handle.workflowId));
    expect(row).toMatchObject({ status: 'upheld', decidedTier: 'growth' });
  });
});
