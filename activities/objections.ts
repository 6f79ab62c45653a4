import { and, sql as drizzleSql, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { householdTiers, tierHistory, tierObjections } from '../db/tiering-schema.js';
import type { ObjectionEvent } from '../policy/tier-objection.js';
import { TIER_RULES_VERSION } from '../policy/tiering.js';
import type { ObjectionView } from '../workflows/tier-objection/contract.js';
import { recordAuditEvents } from './case-projection.js';

export interface ObjectionActivities {
  /**
   * Writes the objection's projection and its new audit events (into the audit trail, keyed by
   * objection ID and sequence); when the batch holds the upheld decision, also the household's
   * new current tier and its history row, in the same transaction. Replays and retries write nothing twice.
   */
  saveObjection(input: { view: ObjectionView; events: ObjectionEvent[] }): Promise<void>;
}

export function createObjectionActivities(deps: { db: Db }): ObjectionActivities {
  const { db } = deps;
  return {
    async saveObjection({ view, events }) {
      await db.transaction(async (tx) => {
        await recordAuditEvents(tx, view.objectionId, events);
        const { decision } = view;
        const row = {
          objectionId: view.objectionId,
          uscc: view.uscc,
          year: view.year,
          contestedTier: view.contested.tier,
          reason: view.reason,
          correctedFacts: view.correctedFacts,
          status: view.status,
          filedBy: view.filedBy.id,
          filedAt: new Date(view.filedAt),
          dueOn: view.deadline?.dueOn ?? null,
          decision: decision?.decision ?? null,
          decidedTier: decision?.tier ?? null,
          decisionReason: decision?.reason ?? null,
          decidedBy: decision?.by.id ?? null,
          decidedAt: decision ? new Date(decision.at) : null,
          version: view.seq,
        };
        const { objectionId: _key, ...changes } = row;
        const written = await tx
          .insert(tierObjections)
          .values(row)
          .onConflictDoUpdate({
            target: tierObjections.objectionId,
            set: changes,
            setWhere: drizzleSql`${tierObjections.version} < excluded.version`,
          })
          .returning({ version: tierObjections.version });

        // An empty `written` means this version was saved before: the tier changed then.
        const upheld = events.some((e) => e.action === 'upheld');
        if (written.length === 0 || !upheld || !decision?.tier || !decision.trace) return;
        const decidedAt = new Date(decision.at);
        // A tier of a later year (a newer run) stays current; the history still records the correction.
        await tx
          .update(householdTiers)
          .set({
            tier: decision.tier,
            source: 'objection',
            asOf: view.contested.asOf,
            ruleVersion: TIER_RULES_VERSION,
            trace: decision.trace,
            decidedAt,
          })
          .where(and(eq(householdTiers.uscc, view.uscc), eq(householdTiers.year, view.year)));
        await tx.insert(tierHistory).values({
          uscc: view.uscc,
          year: view.year,
          tier: decision.tier,
          previousTier: view.contested.tier,
          source: 'objection',
          runId: view.contested.runId,
          objectionId: view.objectionId,
          decidedBy: decision.by.id,
          decidedAt,
          reason: decision.reason,
          trace: decision.trace,
        });
      });
    },
  };
}
