/**
 * The yearly tiering run's rules (RULES.md part 1, T-RUN), apart from the tier rules themselves
 * (policy/tiering.ts): what a run request may ask, how the chunks' counts add up, and which of
 * two tier decisions is a household's current tier. Pure: the API, the run's workflow and its
 * activities apply the same functions.
 */
import { isValidIsoDate, yearOf, type IsoDate } from './dates.js';
import type { Tier, TierThresholds } from './tiering.js';

export type TierCounts = Record<Tier, number>;

/** What one chunk (or the run so far) tiered: counts per district and tier, and the movements. */
export interface ChunkTally {
  households: number;
  countsByDistrict: Record<string, TierCounts>;
  /** Households per change of tier, "from>to"; "none>to" for those the previous run did not tier. */
  moves: Record<string, number>;
}

/** Adds a chunk's tally to the run's: the workflow's running count, and the finalizer's sum of the stored chunks. */
export function addTally(total: ChunkTally, chunk: ChunkTally): void {
  total.households += chunk.households;
  for (const [district, counts] of Object.entries(chunk.countsByDistrict)) {
    const sum = (total.countsByDistrict[district] ??= { unclassified: 0, survival: 0, growth: 0, development: 0 });
    for (const tier of Object.keys(counts) as (keyof TierCounts)[]) sum[tier] += counts[tier];
  }
  for (const [move, households] of Object.entries(chunk.moves)) total.moves[move] = (total.moves[move] ?? 0) + households;
}

export interface RunRequestViolation {
  field: string;
  message: string;
  clause: string | null;
}

/**
 * Checks a run request on the CST date `today`: the API answers 422 with it, the workflow
 * refuses a start (from a client that bypassed the API) with the same message.
 */
export function validateRunRequest(
  request: { year: number; asOf: IsoDate; thresholds?: TierThresholds | null },
  today: IsoDate,
): RunRequestViolation | null {
  const { year, asOf, thresholds } = request;
  if (!Number.isInteger(year) || year < 2000 || year > 9999) {
    return { field: 'year', message: `year ${year} is not a year of the tiering (2000–9999)`, clause: 'T-RUN' };
  }
  if (!isValidIsoDate(asOf)) return { field: 'asOf', message: `asOf "${asOf}" is not a valid date (YYYY-MM-DD)`, clause: null };
  if (asOf > today) {
    return { field: 'asOf', message: `asOf ${asOf} is in the future (today is ${today}, CST): the facts of that day are not known yet`, clause: 'T-RUN' };
  }
  if (yearOf(asOf) !== year) {
    return { field: 'asOf', message: `asOf ${asOf} is not in the run's year ${year}: "last year" of the rules is the year before asOf`, clause: 'T-RUN' };
  }
  if (thresholds) return validateThresholds(thresholds, 'thresholds.');
  return null;
}

/**
 * T-G1's "certain amount" must stay below T-D1's "higher" revenue, both positive amounts in yuan
 * to the fen (2 decimals), as they are stored: an amount with more is refused, not rounded.
 */
export function validateThresholds(thresholds: TierThresholds, fieldPrefix = ''): RunRequestViolation | null {
  const { growthRevenueYuan: growth, developmentRevenueYuan: development } = thresholds;
  if (!(Number.isFinite(growth) && growth > 0)) {
    return { field: `${fieldPrefix}growthRevenueYuan`, message: `growthRevenueYuan must be a positive amount in yuan, got ${growth}`, clause: 'T-G1' };
  }
  if (!(Number.isFinite(development) && development > 0)) {
    return { field: `${fieldPrefix}developmentRevenueYuan`, message: `developmentRevenueYuan must be a positive amount in yuan, got ${development}`, clause: 'T-D1' };
  }
  if (!toTheFen(growth)) {
    return { field: `${fieldPrefix}growthRevenueYuan`, message: `growthRevenueYuan must be in yuan with at most 2 decimals, got ${growth}`, clause: 'T-G1' };
  }
  if (!toTheFen(development)) {
    return { field: `${fieldPrefix}developmentRevenueYuan`, message: `developmentRevenueYuan must be in yuan with at most 2 decimals, got ${development}`, clause: 'T-D1' };
  }
  if (development <= growth) {
    return {
      field: `${fieldPrefix}developmentRevenueYuan`,
      message: `developmentRevenueYuan (${development}) must be above growthRevenueYuan (${growth}): T-D1 asks for a higher revenue than T-G1`,
      clause: 'T-D1',
    };
  }
  return null;
}

/** Whether an amount has at most 2 decimals: its nearest 2-decimal value is the same number. */
function toTheFen(amount: number): boolean {
  return Number(amount.toFixed(2)) === amount;
}

/** Who decided a household's tier: the yearly run, on-demand tiering, or the city office on an objection. */
export const TIER_SOURCES = ['run', 'on_demand', 'objection'] as const;
export type TierSource = (typeof TIER_SOURCES)[number];

/** What the precedence of tier decisions reads of a decision: its year, its as-of date and who made it. */
export interface TierDecisionStanding {
  year: number;
  asOf: IsoDate;
  source: TierSource;
}

/**
 * The one precedence of tier decisions (T-RUN, T-OBJ), applied by the yearly run's applying,
 * on-demand tiering and the objection decision alike: whether a new decision replaces the
 * household's current tier `held` (null when it has none). A later year replaces; within a
 * year, a decision as of the same or a later date replaces, except that an upheld objection's
 * tier yields only to another objection decision (T-OBJ: the city office's correction stands
 * for its year, against runs and on-demand tiering). The set-based applying says the same in SQL
 * (REPLACES_CURRENT_TIER); test/db/tier-precedence.test.ts holds the two to the same answers.
 */
export function replacesCurrentTier(decision: TierDecisionStanding, held: TierDecisionStanding | null): boolean {
  if (held === null) return true;
  if (decision.year !== held.year) return decision.year > held.year;
  return decision.asOf >= held.asOf && (held.source !== 'objection' || decision.source === 'objection');
}

/** Says which decision stands against a newer one that replacesCurrentTier did not let replace it. */
export function whyCurrentTierStands(standing: TierDecisionStanding & { tier: Tier }, decision: { year: number; asOf: IsoDate }): string {
  const held = `its ${standing.year} tier ${standing.tier} (${standing.source}, as of ${standing.asOf})`;
  if (standing.year > decision.year) {
    return `T-RUN: ${held} stands: a decision on ${decision.year}, an earlier year, does not replace it`;
  }
  if (standing.source === 'objection') {
    return `T-OBJ: ${held} stands: the city office set it on an upheld objection, and only another objection decision replaces it for ${standing.year}`;
  }
  return `T-RUN: ${held} stands: a decision as of ${decision.asOf}, an earlier date, does not replace it`;
}
