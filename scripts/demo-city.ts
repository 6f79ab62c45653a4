/**
 * The demo city: a small synthetic Tianjin made by the project's own generator and imported
 * through the real feed import, so that the demo's yearly run has growth and development
 * households in every district and so a quota place in each (C-QUOTA).
 */
import { createReadStream } from 'node:fs';
import { basename, join } from 'node:path';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { importFeed } from '../activities/feed-import/importer.js';
import type { Database } from '../db/client.js';
import { households } from '../db/schema.js';
import { householdTiers, imports } from '../db/tiering-schema.js';
import type { IsoDate } from '../policy/dates.js';
import { FEED_NAMES } from '../policy/feeds.js';
import { TIERS, type Tier } from '../policy/tiering.js';
import { writeCity, type CityOptions } from './generate-city.js';

/**
 * 4,000 households, 250 in each of the 16 districts. The real city's mix (8% growth or
 * development) would give a city this small 9 places for 16 districts; this mix (12%) gives
 * about 24, so that with the largest-remainder split every district has at least one.
 */
export const DEMO_CITY: Omit<CityOptions, 'asOf'> = {
  households: 4000,
  seed: 2024,
  evenDistricts: true,
  tierShares: { unclassified: 0.2, survival: 0.68, growth: 0.1, development: 0.02 },
};

const IMPORTED_BY = 'demo-city';

/**
 * Writes the demo city's seven feed files into `dir` and imports them, as of `today`, unless an
 * earlier start has imported them already (the import would change nothing, but costs time).
 */
export async function seedDemoCity(database: Database, dir: string, today: IsoDate): Promise<void> {
  const [done] = await database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(imports)
    .where(and(eq(imports.importedBy, IMPORTED_BY), eq(imports.status, 'completed')));
  if ((done?.n ?? 0) >= FEED_NAMES.length) return;
  const city = await writeCity({ ...DEMO_CITY, asOf: today, out: dir });
  // Registrations first: the other feeds' rows are about households it registers.
  for (const feed of FEED_NAMES) {
    const input = createReadStream(city.files[feed]);
    try {
      await importFeed({ database, feed, input, fileName: join('demo-city', basename(city.files[feed])), importedBy: IMPORTED_BY, today });
    } finally {
      input.destroy();
    }
  }
}

export interface HouseholdToTry {
  uscc: string;
  name: string;
  districtCode: string;
  tier: Tier;
}

/** A few households of each tier in force, the hand-made ones first, for the start banner. */
export async function householdsToTry(database: Database, handMade: readonly string[], perTier = 2): Promise<HouseholdToTry[]> {
  const rows = await database.db
    .select({ uscc: households.uscc, name: households.name, districtCode: households.districtCode, tier: householdTiers.tier })
    .from(householdTiers)
    .innerJoin(households, eq(households.uscc, householdTiers.uscc))
    .where(inArray(householdTiers.tier, [...TIERS]))
    .orderBy(sql`${householdTiers.uscc} in ${handMade.length > 0 ? handMade : ['']} desc`, asc(households.districtCode), asc(householdTiers.uscc));
  const picked: HouseholdToTry[] = [];
  for (const tier of TIERS) picked.push(...rows.filter((row) => row.tier === tier).slice(0, perTier).map((row) => ({ ...row, tier })));
  return picked;
}

/** The banner's lines naming households of each tier to try, with the district office to review them. */
export async function householdsToTryLines(database: Database, handMade: readonly string[], tokenCommand = 'npm run token --'): Promise<string[]> {
  const picked = await householdsToTry(database, handMade);
  if (picked.length === 0) return [];
  return [
    `Households to try (issue their tokens with ${tokenCommand} --role household --uscc <USCC>; a district office with --role district --district <code>):`,
    ...picked.map((h) => `  ${h.tier.padEnd(12)} ${h.uscc}  ${h.districtCode}  ${h.name}`),
  ];
}
