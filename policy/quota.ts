/**
 * C-QUOTA: the yearly recognition cap and its split between districts, as pure arithmetic.
 * All arithmetic is on integers, so the caps never depend on floating-point rounding.
 */

/** C-QUOTA: recognised households are at most 5% of growth + development in that year's run. */
export const QUOTA_RATE = 0.05;

/** The rate is applied in millionths, exactly; 5% is 50 000 millionths. */
const RATE_DENOMINATOR = 1_000_000;

export interface QuotaBase {
  /** Growth + development households in the tiering run in force (tiering_runs.quota_base). */
  quotaBase: number;
  /** Growth + development households per district code in the same run. */
  byDistrict: Record<string, number>;
}

export interface QuotaAllocation {
  cityCap: number;
  /** One cap per district of `byDistrict`; they add up to `cityCap` exactly. */
  districtCaps: Record<string, number>;
}

/**
 * The city-wide cap is floor(rate × quotaBase): the policy says *at most* 5% (不超过), so a
 * fraction of a place is never granted. It is split between districts in proportion to their
 * growth + development households by the largest-remainder method — each district gets the
 * whole part of its exact share, and the places left go one each to the largest remainders,
 * equal remainders to the lower district code — so the district caps add up to the city cap
 * exactly and the same input always gives the same caps.
 */
export function allocateQuota(base: QuotaBase, rate: number = QUOTA_RATE): QuotaAllocation {
  const { quotaBase, byDistrict } = base;
  assertCount('quotaBase', quotaBase);
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new RangeError(`C-QUOTA: rate must be between 0 and 1, got ${rate}`);
  }
  const codes = Object.keys(byDistrict).sort(compareCodes);
  codes.forEach((code) => assertCount(`byDistrict.${code}`, byDistrict[code]!));

  const cityCap = floorDivide(quotaBase * Math.round(rate * RATE_DENOMINATOR), RATE_DENOMINATOR);
  const total = codes.reduce((sum, code) => sum + byDistrict[code]!, 0);
  if (cityCap > 0 && total === 0) {
    throw new RangeError(
      `C-QUOTA: a city cap of ${cityCap} cannot be split: no district has growth or development households`,
    );
  }

  const shares = codes.map((code) => {
    const exact = cityCap * byDistrict[code]!;
    const remainder = total === 0 ? 0 : exact % total;
    return { code, cap: total === 0 ? 0 : (exact - remainder) / total, remainder };
  });
  const leftOver = cityCap - shares.reduce((sum, s) => sum + s.cap, 0);
  [...shares]
    .sort((a, b) => b.remainder - a.remainder || compareCodes(a.code, b.code))
    .slice(0, leftOver)
    .forEach((share) => {
      share.cap += 1;
    });

  return { cityCap, districtCaps: Object.fromEntries(shares.map((s) => [s.code, s.cap])) };
}

function floorDivide(numerator: number, denominator: number): number {
  return (numerator - (numerator % denominator)) / denominator;
}

function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function assertCount(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`C-QUOTA: ${field} must be a whole number of households ≥ 0, got ${value}`);
  }
}
