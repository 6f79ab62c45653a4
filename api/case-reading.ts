/**
 * Reading a recognition case as a caller may: from its record or, where the record may be
 * behind, its workflow; who may read it; what each reader sees of the objectors.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { publicityObjections } from '../db/recognition-schema.js';
import { caseEvents, cases } from '../db/schema.js';
import type { Actor } from '../policy/actors.js';
import { cstDateOf } from '../policy/dates.js';
import { isClosed, objectionsFiled, type PublicityObjection } from '../policy/recognition-case.js';
import { isRecognitionView, liveCaseViewQuery, type LiveCaseView } from '../workflows/recognition-case/contract.js';
import { HttpError } from './errors.js';
import { isTemporalUnavailable } from './unavailable.js';
import type { RouteDeps } from './deps.js';

/** Which source answered a case read (GET /cases/{caseId}). */
export const VIEW_SOURCE_HEADER = 'x-view-source';
export type CaseViewSource = 'record' | 'live' | 'record-fallback';
/** How long a read waits for the workflow's live view before answering from the record. */
const LIVE_READ_MS = 2_000;
/**
 * How long a read of a case with no record yet waits for its workflow: its first task saves the
 * record, and a query sent while that task runs waits for it to end, which on a busy machine took longer than
 * LIVE_READ_MS (a household's case page, opened as it applied, answered 503 for its trail).
 */
const FIRST_RECORD_READ_MS = 8_000;

/**
 * How long a trail read waits for the record to catch up with the live view it was read for: the
 * view's save is then on its way. A read that reached the workflow before any worker had taken the
 * case's first task was answered as soon as one did, before that task's save (the household's
 * trail, read as it applied, came back empty).
 */
const TRAIL_CATCH_UP_MS = 8_000;
const TRAIL_CATCH_UP_POLL_MS = 100;

/** Who files an objection without a token. */
export const ANONYMOUS_OBJECTOR: Actor = { id: 'anonymous', role: 'public' };

export const ANONYMOUS_OBJECTOR_EVENT = { actorId: ANONYMOUS_OBJECTOR.id, actorRole: ANONYMOUS_OBJECTOR.role };

/** A case's view as its last saved projection (versioned by its audit seq), or null when none is saved yet. */
async function storedCase(database: Database, caseId: string): Promise<LiveCaseView | null> {
  const [row] = await database.db.select({ view: cases.view }).from(cases).where(eq(cases.caseId, caseId));
  return row ? (row.view as LiveCaseView) : null;
}

/**
 * Whether the record may be behind the workflow: a case not yet saved, or an open application
 * whose due date has passed or whose reminder day has come (the workflow's clock moves it before
 * the record is saved). Decisions are saved before they are answered, so otherwise the record is current.
 */
function liveValueNeeded(stored: LiveCaseView | null, today: string): boolean {
  if (stored === null) return true;
  if (isRecognitionView(stored) || isClosed(stored.status) || stored.deadline === null) return false;
  const { dueOn, remindOn, reminded, passed } = stored.deadline;
  return (!passed && dueOn < today) || (!reminded && remindOn !== null && remindOn <= today);
}

/** Reads a case from its record, asking its workflow only where a live value is needed (liveValueNeeded). */
export function caseReader(deps: RouteDeps) {
  return async (caseId: string): Promise<{ view: LiveCaseView; source: CaseViewSource }> => {
    const stored = await storedCase(deps.database, caseId);
    if (!liveValueNeeded(stored, cstDateOf(deps.now()))) return { view: stored!, source: 'record' };
    const handle = deps.temporal.workflow.getHandle(caseId);
    try {
      const waitMs = stored === null ? FIRST_RECORD_READ_MS : LIVE_READ_MS;
      const live = await deps.temporal.workflow.withDeadline(Date.now() + waitMs, () => handle.query(liveCaseViewQuery));
      return stored !== null && stored.seq > live.seq ? { view: stored, source: 'record' } : { view: live, source: 'live' };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError && stored === null) throw new HttpError(404, `no case ${caseId}`, { field: 'caseId' });
      if (stored !== null && (err instanceof WorkflowNotFoundError || isTemporalUnavailable(err))) return { view: stored, source: 'record-fallback' };
      throw err;
    }
  };
}

export function assertMayRead(actor: Actor, view: LiveCaseView): void {
  const allowed =
    actor.role === 'city' ||
    (actor.role === 'district' && actor.districtCode === view.districtCode) ||
    (actor.role === 'household' && actor.uscc === view.uscc) ||
    (actor.role === 'department' && departmentTakesPart(actor, view));
  if (!allowed) throw new HttpError(403, 'this case is not yours to read', { field: 'caseId' });
}

/**
 * A department reads the cases it recommended (C-REC; it answers X4 of their evaluation, C-EVAL)
 * and those it was consulted on (C-SELF). A district department's token reaches its own district only.
 */
function departmentTakesPart(actor: Actor, view: LiveCaseView): boolean {
  if (!actor.department) return false;
  if (actor.districtCode !== undefined && actor.districtCode !== view.districtCode) return false;
  if (isRecognitionView(view)) return view.recommendingDepartment === actor.department;
  return view.recommendation?.department === actor.department || view.consultedDepartments.includes(actor.department);
}

/**
 * Who objected during publicity is for the offices that handle the objection to know; to the
 * applicant and to departments every objector is anonymous, so that nobody is deterred from
 * objecting by being named to the business objected to.
 */
export function knowsObjectors(actor: Actor): boolean {
  return actor.role === 'district' || actor.role === 'city';
}

function withObjectorsWithheld(actor: Actor, view: LiveCaseView): LiveCaseView {
  if (knowsObjectors(actor) || isRecognitionView(view)) return view;
  return { ...view, objections: view.objections.map((objection) => ({ ...objection, filedBy: ANONYMOUS_OBJECTOR.id })) };
}

/**
 * A case's view as its readers see it: the live state from its workflow, with the objections
 * filed on its notice from the database (the workflow only counts them), objectors withheld
 * from those who may not know them.
 */
async function caseViewWithObjections(database: Database, view: LiveCaseView): Promise<LiveCaseView> {
  // Numbered in the same transaction that saves the count: with none counted, none are in the database.
  if (isRecognitionView(view) || objectionsFiled(view) === view.objections.length) return view;
  const kept = new Set(view.objections.map((o) => o.objectionNo));
  const rows = await database.db
    .select()
    .from(publicityObjections)
    .where(and(eq(publicityObjections.caseId, view.caseId), isNotNull(publicityObjections.objectionNo)))
    .orderBy(asc(publicityObjections.objectionNo));
  const counted: PublicityObjection[] = rows
    .filter((row) => !kept.has(row.objectionNo!))
    .map((row) => ({
      objectionNo: row.objectionNo!,
      reason: row.reason,
      filedBy: row.filedBy,
      filedAt: row.filedAt.toISOString(),
      resolution: row.resolution as PublicityObjection['resolution'],
      resolutionReason: row.resolutionReason,
      ...(row.resolvedBy ? { resolvedBy: row.resolvedBy } : {}),
      ...(row.resolvedAt ? { resolvedAt: row.resolvedAt.toISOString() } : {}),
    }));
  const objections = [...view.objections, ...counted].sort((a, b) => a.objectionNo - b.objectionNo);
  return { ...view, objections };
}

/** The case as `actor` may read it, on request or after a decision (decisions answer only their outcome). */
export async function caseViewFor(database: Database, actor: Actor, view: LiveCaseView): Promise<LiveCaseView> {
  return withObjectorsWithheld(actor, await caseViewWithObjections(database, view));
}

/**
 * A case's audit trail as recorded, in order. Read for a live view (`source`), it is read again
 * until it reaches the view's last event or TRAIL_CATCH_UP_MS have passed; then it is what is
 * recorded, never events the record does not hold.
 */
export async function recordedTrail(database: Database, view: LiveCaseView, source: CaseViewSource) {
  const catchUpUntil = Date.now() + TRAIL_CATCH_UP_MS;
  for (;;) {
    const rows = await database.db.select().from(caseEvents).where(eq(caseEvents.caseId, view.caseId)).orderBy(asc(caseEvents.seq));
    const behind = source === 'live' && (rows.at(-1)?.seq ?? 0) < view.seq;
    if (!behind || Date.now() >= catchUpUntil) return rows;
    await new Promise((resolve) => setTimeout(resolve, TRAIL_CATCH_UP_POLL_MS));
  }
}
