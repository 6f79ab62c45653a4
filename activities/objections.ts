import { sql as drizzleSql, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { householdTiers, tierHistory, tierObjections } from '../db/tiering-schema.js';
import type { ObjectionEvent, ObjectionState } from '../policy/tier-objection.js';
import { TIER_RULES_VERSION } from '../policy/tiering.js';
import { recordAuditEvents } from './case-projection.js';
import { enqueueNotifications, objectionNotificationFacts } from './notifications.js';
import { REPLACES_CURRENT_TIER } from './tiering-internals.js';

export interface ObjectionActivities {
  /**
   * Writes the objection's projection and its new audit events (into the audit trail, keyed by
   * objection ID and sequence); when the batch holds the upheld decision, also the household's
   * new current tier and its history row, in the same transaction, unless its current tier stands
   * (REPLACES_CURRENT_TIER). Replays and retries write nothing twice.
   */
  saveObjection(input: { view: ObjectionState; events: ObjectionEvent[] }): Promise<void>;
}

export function createObjectionActivities(deps: { db: Db }): ObjectionActivities {
  const { db } = deps;
  return {
    async saveObjection({ view, events }) {
      await db.transaction(async (tx) => {
        await recordAuditEvents(tx, view.objectionId, events);
        await enqueueNotifications(tx, view.objectionId, events, objectionNotificationFacts(view));
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
        const [held] = await tx
          .select({ tier: householdTiers.tier })
          .from(householdTiers)
          .where(eq(householdTiers.uscc, view.uscc))
          .for('update');
        // The correction is the contested year's, as of the contested date. A later year's tier, or
        // one of that year decided as of a later date, stays current; the objection's trail keeps the correction.
        const applied = await tx.execute(drizzleSql`
          update household_tiers held set
            year = ${view.year}, tier = ${decision.tier}, source = 'objection', as_of = ${view.contested.asOf}, rule_version = ${TIER_RULES_VERSION},
            trace = ${JSON.stringify(decision.trace)}::jsonb, decided_at = ${decision.at}
          from (select ${view.year}::int as year, ${view.contested.asOf}::date as as_of, 'objection'::text as source) decision
          where held.uscc = ${view.uscc} and ${drizzleSql.raw(REPLACES_CURRENT_TIER)}
          returning held.uscc`);
        if (!held || applied.length === 0) return;
        await tx.insert(tierHistory).values({
          uscc: view.uscc,
          year: view.year,
          tier: decision.tier,
          previousTier: held.tier,
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
