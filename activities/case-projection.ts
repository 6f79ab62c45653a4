import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { caseEvents, cases } from '../db/schema.js';
import type { CaseEvent } from '../policy/recognition-case.js';
import type { TermEvent } from '../policy/recognition-term.js';

export type CaseRecordsTransaction = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * Writes a case's new audit events and its projection row, both phases alike. Events are keyed
 * by (case, seq) and the row is versioned by the last seq, so a retried or replayed save writes
 * nothing twice and an older view never overwrites a newer one. Answers whether the row was
 * written, so that the caller updates its other records only from the newest view.
 */
export async function saveCaseProjection(
  tx: CaseRecordsTransaction,
  projection: typeof cases.$inferInsert,
  events: ReadonlyArray<CaseEvent | TermEvent>,
): Promise<boolean> {
  if (events.length > 0) {
    await tx
      .insert(caseEvents)
      .values(
        events.map((e) => ({
          caseId: projection.caseId,
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
  const { caseId: _key, createdAt: _created, ...changes } = projection;
  const written = await tx
    .insert(cases)
    .values(projection)
    .onConflictDoUpdate({ target: cases.caseId, set: changes, setWhere: sql`${cases.version} < excluded.version` })
    .returning({ caseId: cases.caseId });
  return written.length > 0;
}
