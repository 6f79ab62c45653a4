/**
 * Reads the facts `checkEligibility` (policy/eligibility.ts) decides on, in two rounds of
 * set-based queries: the household, then everything else at once — its tier, fines, bans, its
 * operator's courts' listings, the recognitions and cases of every household the operator runs
 * in the district (itself included), and the year's tiering run in force.
 */
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { recognitionBans, recognitions } from '../db/recognition-schema.js';
import { cases, households } from '../db/schema.js';
import { creditEvents, dishonestDebtors, householdTiers, tieringRuns } from '../db/tiering-schema.js';
import { cstDateOf, type IsoDate } from '../policy/dates.js';
import {
  isSpecialGroup,
  type ApplicationRoute,
  type EligibilityFacts,
  type HeldRecognition,
  type OpenCase,
  type SiblingHousehold,
} from '../policy/eligibility.js';
import { isClosed, recognitionCaseId, type CaseStatus } from '../policy/recognition-case.js';
import type { RegistrationStatus, Tier } from '../policy/tiering.js';

export interface EligibilityQuery {
  uscc: string;
  route: ApplicationRoute;
  /** CST date of the application or recommendation. */
  applicationDate: IsoDate;
  /** The recognition year applied for. */
  year: number;
}

export interface EligibilityActivities {
  gatherEligibilityFacts(query: EligibilityQuery): Promise<EligibilityFacts>;
}

export function createEligibilityActivities(deps: { db: Db }): EligibilityActivities {
  return { gatherEligibilityFacts: (query) => readEligibilityFacts(deps.db, query) };
}

/** The facts of one application; a household missing from the registry is an error nobody can retry away. */
export async function readEligibilityFacts(db: Db, query: EligibilityQuery): Promise<EligibilityFacts> {
  const { uscc, route, applicationDate, year } = query;
  const [household] = await db
    .select({
      name: households.name,
      status: households.status,
      districtCode: households.districtCode,
      operatorId: households.operatorId,
      specialGroup: households.specialGroup,
    })
    .from(households)
    .where(eq(households.uscc, uscc));
  if (!household) {
    throw ApplicationFailure.create({
      type: 'HouseholdNotFound',
      message: `no household ${uscc} in the registry`,
      nonRetryable: true,
    });
  }

  // Every household of the operator in the district, this one included (C-ONE-TYPE, C-ONE-PERSON).
  const ofSameOperator = and(eq(households.operatorId, household.operatorId), eq(households.districtCode, household.districtCode));
  const sameOperator = db.select({ uscc: households.uscc }).from(households).where(ofSameOperator);

  const [tierRows, fineRows, listingRows, banRows, siblingRows, recognitionRows, caseRows, runRows] = await Promise.all([
    db.select({ tier: householdTiers.tier, year: householdTiers.year }).from(householdTiers).where(eq(householdTiers.uscc, uscc)),
    db
      .select({ listedOn: creditEvents.listedOn, clearedOn: creditEvents.clearedOn })
      .from(creditEvents)
      .where(and(eq(creditEvents.uscc, uscc), eq(creditEvents.kind, 'penalty_fine')))
      .orderBy(creditEvents.listedOn),
    db
      .select({ listedOn: dishonestDebtors.listedOn, clearedOn: dishonestDebtors.clearedOn })
      .from(dishonestDebtors)
      .where(eq(dishonestDebtors.operatorId, household.operatorId))
      .orderBy(dishonestDebtors.listedOn),
    db
      .select({ caseId: recognitionBans.caseId, revokedOn: recognitionBans.revokedOn, bannedUntil: recognitionBans.bannedUntil })
      .from(recognitionBans)
      .where(eq(recognitionBans.uscc, uscc))
      .orderBy(recognitionBans.revokedOn),
    db.select({ uscc: households.uscc, name: households.name }).from(households).where(ofSameOperator).orderBy(households.uscc),
    db
      .select({
        uscc: recognitions.uscc,
        caseId: recognitions.caseId,
        category: recognitions.category,
        recognisedOn: recognitions.recognisedOn,
        validUntil: recognitions.validUntil,
        origin: recognitions.origin,
      })
      .from(recognitions)
      .where(and(inArray(recognitions.uscc, sameOperator), eq(recognitions.status, 'recognised'))),
    db
      .select({ uscc: cases.uscc, caseId: cases.caseId, year: cases.year, status: cases.status, route: cases.route })
      .from(cases)
      .where(inArray(cases.uscc, sameOperator))
      .orderBy(cases.caseId),
    db
      .select({ id: tieringRuns.id, version: tieringRuns.version, completedAt: tieringRuns.completedAt })
      .from(tieringRuns)
      .where(and(eq(tieringRuns.year, year), eq(tieringRuns.inForce, true), isNotNull(tieringRuns.completedAt))),
  ]);

  const recognitionOf = new Map<string, HeldRecognition>();
  for (const { uscc: holder, ...held } of recognitionRows) recognitionOf.set(holder, held);
  // The case this application would open, kept apart from the open ones: it exists only if the year's application was made.
  const ownCaseId = recognitionCaseId(uscc, year);
  const openCasesOf = new Map<string, OpenCase[]>();
  let yearCase: EligibilityFacts['yearCase'] = null;
  for (const { uscc: applicant, ...row } of caseRows) {
    if (row.caseId === ownCaseId) yearCase = { caseId: row.caseId, status: row.status };
    if (isClosed(row.status as CaseStatus) || row.caseId === ownCaseId) continue;
    openCasesOf.set(applicant, [...(openCasesOf.get(applicant) ?? []), row]);
  }
  const sameOperatorHouseholds: SiblingHousehold[] = siblingRows
    .filter((sibling) => sibling.uscc !== uscc && (recognitionOf.has(sibling.uscc) || openCasesOf.has(sibling.uscc)))
    .map((sibling) => ({
      ...sibling,
      recognition: recognitionOf.get(sibling.uscc) ?? null,
      openCases: openCasesOf.get(sibling.uscc) ?? [],
    }));

  const tier = tierRows[0];
  const run = runRows[0];
  return {
    uscc,
    route,
    applicationDate,
    household: {
      name: household.name,
      status: household.status as RegistrationStatus,
      districtCode: household.districtCode,
      operatorId: household.operatorId,
      specialGroup: isSpecialGroup(household.specialGroup) ? household.specialGroup : null,
    },
    tier: tier ? { tier: tier.tier as Tier, year: tier.year } : null,
    penaltyFines: fineRows,
    dishonestListings: listingRows,
    bans: banRows,
    recognition: recognitionOf.get(uscc) ?? null,
    openCases: openCasesOf.get(uscc) ?? [],
    yearCase,
    sameOperatorHouseholds,
    window: {
      year,
      tieringRun: run?.completedAt
        ? { runId: run.id, version: run.version, inForceSince: cstDateOf(run.completedAt.getTime()) }
        : null,
    },
  };
}
