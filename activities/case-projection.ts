import { sql } from 'drizzle-orm';
import type { DbTransaction } from '../db/client.js';
import { caseEvents, cases } from '../db/schema.js';
import type { Actor } from '../policy/actors.js';
import type { CaseNotificationFacts } from '../policy/notifications.js';
import { enqueueNotifications } from './notifications.js';

/** An audit event as every workflow keeps it: case phases and tier objections alike. */
export interface AuditEvent {
  seq: number;
  at: string;
  actor: Actor;
  action: string;
  fromStatus: string | null;
  toStatus: string;
  reason: string | null;
  clauses: string[];
  details: Record<string, unknown>;
}

/** Appends a trail's new audit events; keyed by (trail, seq), so a retry or a replay writes nothing twice. */
export async function recordAuditEvents(tx: DbTransaction, trailId: string, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx
    .insert(caseEvents)
    .values(
      events.map((e) => ({
        caseId: trailId,
        seq: e.seq,
        at: new Date(e.at),
        actorId: e.actor.id,
        actorRole: e.actor.role,
        action: e.action,
        fromStatus: e.fromStatus,
        toStatus: e.toStatus,
        reason: e.reason,
        clauses: e.clauses,
        details: e.details,
      })),
    )
    .onConflictDoNothing();
}

/** What every view of a case carries, whichever phase it is in. */
interface ProjectedView {
  caseId: string;
  uscc: string;
  year: number;
  category: string;
  route: string;
  districtCode: string;
  status: string;
  seq: number;
  updatedAt: string;
}

/** The projection row of a case: its view, and what its phase says it waits for and since when it is open. */
export function caseProjectionRow(
  view: ProjectedView,
  phase: { dueOn: string | null; waitingFor: string | null; openedAt: string },
): typeof cases.$inferInsert {
  return {
    caseId: view.caseId,
    uscc: view.uscc,
    year: view.year,
    category: view.category,
    route: view.route,
    districtCode: view.districtCode,
    status: view.status,
    dueOn: phase.dueOn,
    waitingFor: phase.waitingFor,
    version: view.seq,
    view,
    createdAt: new Date(phase.openedAt),
    updatedAt: new Date(view.updatedAt),
  };
}

/**
 * Writes a case's new audit events, the notifications they cause (same transaction, keyed by
 * event and recipient) and its projection row, both phases alike. The row is
 * versioned by the last seq, so an older view never overwrites a newer one. Answers whether the
 * row was written, so that the caller updates its other records only from the newest view.
 */
export async function saveCaseProjection(
  tx: DbTransaction,
  projection: typeof cases.$inferInsert,
  events: readonly AuditEvent[],
  facts: CaseNotificationFacts,
): Promise<boolean> {
  await recordAuditEvents(tx, projection.caseId, events);
  await enqueueNotifications(tx, projection.caseId, events, facts);
  const { caseId: _key, createdAt: _created, ...changes } = projection;
  const written = await tx
    .insert(cases)
    .values(projection)
    .onConflictDoUpdate({ target: cases.caseId, set: changes, setWhere: sql`${cases.version} < excluded.version` })
    .returning({ caseId: cases.caseId });
  return written.length > 0;
}
