/**
 * I/O of the recognised phase (policy/recognition-term.ts): its projection, registry entry and
 * ban, and the data its final-year evaluation reads. Operator re-checks reuse
 * `gatherEligibilityFacts` (activities/eligibility.ts), quota places `releaseQuotaPlace`
 * (activities/quota.ts) and the supplement's due date `resolveDeadline` (activities/case-records.ts).
 */
import { and, asc, eq, gte, lte, sql as drizzleSql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { recognitionBans, recognitions } from '../db/recognition-schema.js';
import { annualReports, householdTiers, socialInsurance, taxRecords } from '../db/tiering-schema.js';
import { termWaiting, type EvaluationData, type RecognitionView, type TermEvent, type TierStanding } from '../policy/recognition-term.js';
import type { Tier } from '../policy/tiering.js';
import { caseProjectionRow, saveCaseProjection } from './case-projection.js';
import { caseNotificationFacts } from './notifications.js';

export interface RecognitionTermActivities {
  /**
   * Writes the audit events, the case projection and the registry entry (status, validity) of
   * the recognised phase, and the ban of a revocation (C-BAN). Versioned by the event sequence:
   * a retry or a replay never writes twice, and an older view never overwrites a newer one.
   */
  saveRecognition(input: { view: RecognitionView; events: TermEvent[] }): Promise<void>;
  /** The household's tier in force now (household_tiers), or null when it was never tiered. */
  readTierInForce(input: { uscc: string }): Promise<TierStanding | null>;
  /** What X1 and X3 (C-EVAL) are read from: the yearly figures of the feeds and the tier in force. */
  readEvaluationData(input: { uscc: string; baselineYear: number; throughYear: number }): Promise<EvaluationData>;
}

/** How far before the baseline year a figure may lie and still serve as the baseline. */
const BASELINE_LOOKBACK_YEARS = 2;

export function createRecognitionTermActivities(deps: { db: Db }): RecognitionTermActivities {
  const { db } = deps;
  return {
    async saveRecognition({ view, events }) {
      await db.transaction(async (tx) => {
        const { waitingFor, dueOn } = termWaiting(view);
        const written = await saveCaseProjection(tx, caseProjectionRow(view, { dueOn, waitingFor, openedAt: view.openedAt }), events, caseNotificationFacts(view));
        if (!written) return;

        const entry = {
          caseId: view.caseId,
          uscc: view.uscc,
          name: view.householdName,
          districtCode: view.districtCode,
          category: view.category,
          ...view.recognition,
          status: view.status,
          origin: view.origin,
          updatedAt: new Date(view.updatedAt),
          version: view.seq,
        };
        await tx
          .insert(recognitions)
          .values(entry)
          .onConflictDoUpdate({
            target: recognitions.caseId,
            set: { status: entry.status, validUntil: entry.validUntil, updatedAt: entry.updatedAt, version: entry.version },
            setWhere: drizzleSql`${recognitions.version} < excluded.version`,
          });
        const revocation = view.revocation;
        if (revocation) {
          await tx
            .insert(recognitionBans)
            .values({
              caseId: view.caseId,
              uscc: view.uscc,
              revokedOn: revocation.revokedOn,
              bannedUntil: revocation.bannedUntil,
              reason: `${revocation.ground}: ${revocation.reason}`,
              decidedBy: revocation.by,
            })
            .onConflictDoNothing();
        }
      });
    },

    readTierInForce: ({ uscc }) => readTierInForce(db, uscc),

    async readEvaluationData({ uscc, baselineYear, throughYear }) {
      const from = baselineYear - BASELINE_LOOKBACK_YEARS;
      const [tierNow, revenueRows, taxRows, insuredRows] = await Promise.all([
        readTierInForce(db, uscc),
        db
          .select({ year: annualReports.year, value: annualReports.revenue })
          .from(annualReports)
          .where(and(eq(annualReports.uscc, uscc), gte(annualReports.year, from), lte(annualReports.year, throughYear)))
          .orderBy(asc(annualReports.year)),
        db
          .select({ year: taxRecords.year, vat: taxRecords.vatPaid, iit: taxRecords.iitPaid })
          .from(taxRecords)
          .where(and(eq(taxRecords.uscc, uscc), gte(taxRecords.year, from), lte(taxRecords.year, throughYear)))
          .orderBy(asc(taxRecords.year)),
        db
          .select({ year: socialInsurance.year, value: socialInsurance.insuredCount })
          .from(socialInsurance)
          .where(and(eq(socialInsurance.uscc, uscc), gte(socialInsurance.year, from), lte(socialInsurance.year, throughYear)))
          .orderBy(asc(socialInsurance.year)),
      ]);
      return {
        tierNow,
        revenue: revenueRows.filter((r) => r.value !== null).map((r) => ({ year: r.year, value: r.value as number })),
        taxPaid: taxRows.map((r) => ({ year: r.year, value: (r.vat ?? 0) + (r.iit ?? 0) })),
        insured: insuredRows.map((r) => ({ year: r.year, value: r.value })),
      };
    },
  };
}

export async function readTierInForce(db: Db, uscc: string): Promise<TierStanding | null> {
  const [row] = await db.select({ tier: householdTiers.tier, year: householdTiers.year }).from(householdTiers).where(eq(householdTiers.uscc, uscc));
  return row ? { tier: row.tier as Tier, year: row.year } : null;
}
