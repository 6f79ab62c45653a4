// Household tiers as the tiering run leaves them, written directly so that the lookup,
// objection and support-measure tests do not depend on a run.
import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { households } from '../../db/schema.js';
import { householdTiers, tierHistory } from '../../db/tiering-schema.js';
import { storedTrace, type StoredTierTrace } from '../../policy/tier-trace.js';
import { DEFAULT_TIER_THRESHOLDS, TIER_RULES_VERSION, decideTier, type HouseholdFacts, type Tier } from '../../policy/tiering.js';
import { registerHousehold } from './stack.js';

export const TIER_AS_OF = '2025-08-01';
export const TIER_YEAR = 2025;

/** Passes the base standard and T-AGE on TIER_AS_OF and meets no growth or development condition: survival. */
export function survivalFacts(uscc: string, overrides: Partial<HouseholdFacts> = {}): HouseholdFacts {
  return {
    uscc,
    establishedOn: '2019-04-01',
    status: 'active',
    seasonal: false,
    suspendedOn: null,
    annualReports: [{ year: 2024, filedOn: '2025-03-10', revenue: 40_000 }],
    tax: [{ year: 2024, taxRegisteredOn: '2019-05-01', generalTaxpayer: false, vatPaid: 0, iitPaid: 0, abnormal: false }],
    socialInsurance: [],
    ipRights: [],
    creditEvents: [],
    ...overrides,
  };
}

/**
 * Makes `facts` the household's current tier (decided on TIER_AS_OF with the default thresholds)
 * and records it in the history, as a run would.
 */
export async function giveTier(
  database: Database,
  facts: HouseholdFacts,
  options: { source?: string; runId?: number | null } = {},
): Promise<{ tier: Tier; trace: StoredTierTrace }> {
  const decision = decideTier(facts, TIER_AS_OF, DEFAULT_TIER_THRESHOLDS);
  const trace = storedTrace(decision, facts, DEFAULT_TIER_THRESHOLDS);
  const decidedAt = new Date('2025-08-02T02:00:00Z');
  const source = options.source ?? 'on_demand';
  const runId = options.runId ?? null;
  const row = { year: TIER_YEAR, tier: decision.tier, source, runId, asOf: TIER_AS_OF, ruleVersion: TIER_RULES_VERSION, trace, decidedAt };
  await database.db
    .insert(householdTiers)
    .values({ uscc: facts.uscc, ...row })
    .onConflictDoUpdate({ target: householdTiers.uscc, set: row });
  await database.db.insert(tierHistory).values({
    uscc: facts.uscc,
    year: TIER_YEAR,
    tier: decision.tier,
    previousTier: null,
    source,
    runId,
    decidedBy: 'test-tiering',
    decidedAt,
    trace,
  });
  return { tier: decision.tier, trace };
}

/** A registered household without a tier, optionally renamed (for the name search). */
export async function untieredHousehold(database: Database, district = '120104', name?: string) {
  const household = await registerHousehold(database, district, { eligible: false });
  if (name !== undefined) await database.db.update(households).set({ name }).where(eq(households.uscc, household.uscc));
  return household;
}

/** A registered household whose current tier is survival. */
export async function survivalHousehold(database: Database, district = '120104', name?: string) {
  const household = await untieredHousehold(database, district, name);
  const facts = survivalFacts(household.uscc);
  const tier = await giveTier(database, facts);
  return { ...household, facts, ...tier };
}
