// Bringing a case to recognition quickly on the time-skipping server, for the tests of the
// recognised phase: accept, verify without consulting anyone, let publicity run out, take a
// place under a quota set for a test year no other file uses.
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, asc, eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { randomUUID } from 'node:crypto';
import { publicityObjections, recognitionQuotas } from '../../db/recognition-schema.js';
import { caseEvents } from '../../db/schema.js';
import type { Actor } from '../../policy/actors.js';
import { cstDateOf, startOfCstDay, type IsoDate } from '../../policy/dates.js';
import { DEFAULT_CASE_SETTINGS, type ApplicationInput } from '../../policy/recognition-case.js';
import {
  RECOGNITION_WORKFLOW_TYPE,
  isRecognitionView,
  liveCaseViewQuery,
  publicityObjectionUpdate,
  recognitionCaseId,
  reviewUpdate,
  type LiveCaseView,
  type RecognitionView,
} from '../../workflows/recognition-case/contract.js';
import { districtOffice, registerHousehold } from './stack.js';
import { DEFAULT_RECOGNITION_TERM_SETTINGS, type RecognitionTermSettings } from '../../policy/vocabulary.js';

export const DAY = 86_400_000;

/** Caps for `year` in `districtCode` (and a roomy city-wide row), as the year's tiering run would set them. */
export async function setQuota(database: Database, year: number, districtCode: string, cap: number): Promise<void> {
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

export interface StartedCase {
  uscc: string;
  household: Actor;
  handle: WorkflowHandleWithFirstExecutionRunId;
  caseId: string;
  firstRunId: string;
}

/**
 * Starts a self-application of a fresh household on `taskQueue`, for the quota year `year`; with
 * `recommendedBy`, that department's recommendation (C-REC), which waits for the household's consent.
 */
export async function startApplication(
  env: TestWorkflowEnvironment,
  database: Database,
  options: { taskQueue: string; district: string; year: number; termSettings?: Partial<RecognitionTermSettings>; recommendedBy?: Actor },
): Promise<StartedCase> {
  const { uscc, actor } = await registerHousehold(database, options.district);
  const common = {
    uscc,
    year: options.year,
    category: 'quality' as const,
    householdName: '测试个体户',
    districtCode: options.district,
    submittedAt: new Date(await env.currentTimeMs()).toISOString(),
    settings: DEFAULT_CASE_SETTINGS,
    termSettings: { ...DEFAULT_RECOGNITION_TERM_SETTINGS, ...options.termSettings },
  };
  const department = options.recommendedBy;
  const input: ApplicationInput = department
    ? {
        ...common,
        route: 'department',
        recommendation: { department: department.department!, level: department.districtCode ? 'district' : 'city', reason: '质量标杆' },
        claimedCriteria: ['Q6'],
        evidenceRefs: [],
        applicant: department,
      }
    : { ...common, claimedCriteria: ['Q2'], evidenceRefs: ['time-honoured-brand-certificate'], applicant: actor };
  const caseId = recognitionCaseId(uscc, options.year);
  const handle = await env.client.workflow.start(RECOGNITION_WORKFLOW_TYPE, { taskQueue: options.taskQueue, workflowId: caseId, args: [input] });
  return { uscc, household: actor, handle, caseId, firstRunId: handle.firstExecutionRunId };
}

/** The district office accepts and verifies without consulting anyone: publicity starts at once. */
export async function acceptAndVerify(handle: WorkflowHandle, district: string): Promise<void> {
  const reviewer = districtOffice(district);
  await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'accept', actor: reviewer }] });
  await handle.executeUpdate(reviewUpdate, { args: [{ decision: 'verified', actor: reviewer, findings: 'shop visited', departments: [] }] });
}

/** Files an objection as the API does: its text kept in the database first, then numbered by the case. */
export async function fileObjection(database: Database, handle: WorkflowHandle, actor: Actor, reason: string) {
  const submissionId = randomUUID();
  await database.db
    .insert(publicityObjections)
    .values({ caseId: handle.workflowId, submissionId, senderKey: `actor:${actor.id}`, filedBy: actor.id, filedAt: new Date(), reason });
  return handle.executeUpdate(publicityObjectionUpdate, { args: [{ actor, submissionId }] });
}

/** Lets simulated days pass until `reached` holds for the case's live view (either phase). */
export async function sleepUntilView(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle,
  reached: (view: LiveCaseView) => boolean,
  maxDays = 40,
): Promise<LiveCaseView> {
  for (let day = 0; day < maxDays; day++) {
    const view = await handle.query(liveCaseViewQuery);
    if (reached(view)) return view;
    await env.sleep(DAY);
  }
  throw new Error(`${handle.workflowId} did not get there within ${maxDays} simulated days`);
}

/** Until the case has continued into the recognised phase (publicity runs five working days, then the quota). */
export async function sleepUntilRecognised(env: TestWorkflowEnvironment, handle: WorkflowHandle): Promise<RecognitionView> {
  return (await sleepUntilView(env, handle, isRecognitionView)) as RecognitionView;
}

/** Lets simulated time pass until 10:00 CST on `date` (nothing when that is already past). */
export async function sleepUntilDate(env: TestWorkflowEnvironment, date: IsoDate): Promise<void> {
  const target = startOfCstDay(date) + 10 * 3_600_000;
  const now = await env.currentTimeMs();
  if (target > now) await env.sleep(target - now);
}

export async function simulatedToday(env: TestWorkflowEnvironment): Promise<IsoDate> {
  return cstDateOf(await env.currentTimeMs());
}

/** The run IDs of a workflow from its first run, following each continue-as-new. */
export async function runsOf(env: TestWorkflowEnvironment, workflowId: string, firstRunId: string): Promise<string[]> {
  const runs = [firstRunId];
  for (;;) {
    const history = await env.client.workflow.getHandle(workflowId, runs[runs.length - 1]).fetchHistory();
    const next = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return runs;
    runs.push(next);
  }
}

export async function auditTrail(database: Database, caseId: string) {
  return database.db.select().from(caseEvents).where(eq(caseEvents.caseId, caseId)).orderBy(asc(caseEvents.seq));
}
