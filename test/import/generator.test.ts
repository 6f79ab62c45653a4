import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvBatches } from '../../activities/feed-import/csv.js';
import { FEEDS, FEED_NAMES, rowParserFor, type FeedName } from '../../policy/feeds.js';
import { DEFAULT_TIER_THRESHOLDS, decideTier, type HouseholdFacts, type Tier } from '../../policy/tiering.js';
import { defaultAsOf, generateHouseholds, mulberry32, writeCity, type GeneratedHousehold } from '../../scripts/generate-city.js';

const AS_OF = '2026-08-01';
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'generator-test-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function factsOf(household: GeneratedHousehold): HouseholdFacts {
  const { registration } = household;
  return {
    uscc: registration.uscc,
    establishedOn: registration.establishedOn,
    status: registration.status,
    seasonal: registration.seasonal,
    suspendedOn: registration.suspendedOn,
    annualReports: household.annualReports,
    tax: household.tax,
    socialInsurance: household.socialInsurance,
    ipRights: household.ipRights,
    creditEvents: household.creditEvents,
  };
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every record of a file through the import's own reader and rules, as the importer would see it. */
async function rejectedLines(feed: FeedName, path: string, today: string): Promise<number[]> {
  const rejected = new Set<number>();
  let parse: ((cells: readonly string[]) => { ok: boolean }) | undefined;
  for await (const batch of csvBatches(createReadStream(path))) {
    for (const record of batch) {
      if (record.error !== undefined) {
        rejected.add(record.line);
      } else if (parse === undefined) {
        const header = rowParserFor(feed, record.fields, today);
        if (!header.ok) throw new Error(`${path}: ${JSON.stringify(header.errors)}`);
        parse = (cells) => header.parser.parse(cells);
      } else if (!parse(record.fields).ok) {
        rejected.add(record.line);
      }
    }
  }
  return [...rejected];
}

describe('the synthetic city', () => {
  const SAMPLE = 20_000;
  const tiers: Record<Tier, number> = { unclassified: 0, survival: 0, growth: 0, development: 0 };
  const mismatches: string[] = [];

  beforeAll(() => {
    for (const household of generateHouseholds({ households: SAMPLE, seed: 2024, asOf: AS_OF })) {
      const decision = decideTier(factsOf(household), AS_OF, DEFAULT_TIER_THRESHOLDS);
      tiers[decision.tier]++;
      if (decision.tier !== household.tier && mismatches.length < 5) {
        mismatches.push(`${household.registration.uscc}: drawn ${household.tier}, decided ${decision.tier}`);
      }
    }
  });

  it('gives every household the facts of the tier it was drawn for', () => {
    expect(mismatches).toEqual([]);
  });

  it('has about a quarter failing the base standard, and of the rest about 92% survival, 7% growth, 1% development', () => {
    const tiered = SAMPLE - tiers.unclassified;
    expect(Math.abs(tiers.unclassified / SAMPLE - 0.25)).toBeLessThan(0.015);
    expect(Math.abs(tiers.survival / tiered - 0.92)).toBeLessThan(0.01);
    expect(Math.abs(tiers.growth / tiered - 0.07)).toBeLessThan(0.008);
    expect(Math.abs(tiers.development / tiered - 0.01)).toBeLessThan(0.004);
  });
});

describe('the files', () => {
  it('are the same for the same seed and differ for another', async () => {
    const first = await writeCity({ households: 500, seed: 42, asOf: AS_OF, out: join(scratch, 'a') });
    const again = await writeCity({ households: 500, seed: 42, asOf: AS_OF, out: join(scratch, 'b') });
    const other = await writeCity({ households: 500, seed: 43, asOf: AS_OF, out: join(scratch, 'c') });
    for (const feed of FEED_NAMES) expect(sha256(again.files[feed])).toBe(sha256(first.files[feed]));
    expect(sha256(other.files.registrations)).not.toBe(sha256(first.files.registrations));
    expect(first.rows.registrations).toBe(500);
  });

  it('hold only rows the import accepts, dated no later than the as-of date', async () => {
    const city = await writeCity({ households: 1000, seed: 7, asOf: AS_OF, out: join(scratch, 'clean') });
    for (const feed of FEED_NAMES) {
      // Imported on the as-of date itself, a date after it would be rejected as future.
      expect(await rejectedLines(feed, city.files[feed], AS_OF), feed).toEqual([]);
    }
    const header = readFileSync(city.files.registrations, 'utf8').split('\n', 1)[0];
    expect(header).toBe(FEEDS.registrations.columns.map((c) => c.name).join(','));
  });

  it('have operators with several households, each in one district, and USCCs that are all different', () => {
    const households = new Map<string, number>();
    const districts = new Map<string, Set<string>>();
    const usccs = new Set<string>();
    for (const household of generateHouseholds({ households: 5000, seed: 9, asOf: AS_OF })) {
      const { operatorId, districtCode, uscc } = household.registration;
      usccs.add(uscc);
      households.set(operatorId, (households.get(operatorId) ?? 0) + 1);
      districts.set(operatorId, (districts.get(operatorId) ?? new Set<string>()).add(districtCode));
    }
    expect(usccs.size).toBe(5000);
    expect([...households.values()].filter((n) => n > 1).length).toBeGreaterThan(50);
    expect([...districts.values()].every((set) => set.size === 1)).toBe(true);
  });

  it('carry exactly the broken rows asked for, each rejected by the import', async () => {
    const city = await writeCity({ households: 900, seed: 5, asOf: AS_OF, badRows: 9, out: join(scratch, 'bad') });
    expect(city.badRows).toBe(9);
    let rejected = 0;
    for (const feed of FEED_NAMES) rejected += (await rejectedLines(feed, city.files[feed], '2026-11-26')).length;
    expect(rejected).toBe(9);
  });
});

describe('helpers', () => {
  it('mulberry32 repeats its sequence for a seed', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const sequence = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(sequence);
    expect(sequence.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it.each([
    ['2026-11-26', '2026-08-01'],
    ['2026-08-01', '2026-08-01'],
    ['2026-07-31', '2025-08-01'],
  ])('on %s the default as-of date is %s', (today, asOf) => {
    expect(defaultAsOf(today)).toBe(asOf);
  });
});
