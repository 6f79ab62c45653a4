// Data for the tiering-run tests. A run tiers every household of its database, and the test
// files of one vitest run share a database, so each tiering test file migrates a database of its
// own on the same server: its counts are then exactly the households it inserted.
import postgres from 'postgres';
import { inject } from 'vitest';
import { connectDatabase, type Database } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { TIERS, type Tier } from '../../policy/tiering.js';
import { usccCheckCharacter } from '../../policy/uscc.js';

export interface IsolatedDatabase {
  url: string;
  database: Database;
  drop(): Promise<void>;
}

export async function isolatedDatabase(label: string): Promise<IsolatedDatabase> {
  const name = `tiering_${label}_${process.pid}_${Date.now()}`;
  const shared = inject('databaseUrl');
  const admin = postgres(shared, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(shared);
  url.pathname = `/${name}`;
  const database = connectDatabase(url.toString(), { max: 6 });
  await migrateDatabase(database);
  return {
    url: url.toString(),
    database,
    async drop() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export const FIXTURE_DISTRICTS = ['120101', '120104', '120110', '120116'] as const;

/** Last year's revenue that puts a household in `tier` with the default thresholds; null: no report filed. */
const REVENUE_FOR: Readonly<Record<Tier, number | null>> = {
  unclassified: null,
  survival: 50_000,
  growth: 200_000,
  development: 2_000_000,
};

export interface FixtureHousehold {
  uscc: string;
  districtCode: string;
  /** The tier as of 1 August of each year, with the default thresholds. */
  tierIn: Record<number, Tier>;
}

/**
 * `count` households established in 2015 and under tax management since, whose tier in each of
 * `years` (as of 1 August, default thresholds) depends only on the previous year's annual report:
 * none filed → unclassified (T-B2), 50,000 → survival, 200,000 → growth (T-G1), 2,000,000 →
 * development (T-D1). The tiers cycle so that every pair of tiers between consecutive years
 * occurs, in every district. Inserted set-based, as an import would.
 */
export async function insertFixtureHouseholds(
  database: Database,
  options: { count: number; years: number[]; prefix: string },
): Promise<FixtureHousehold[]> {
  const fixtures: FixtureHousehold[] = [];
  for (let i = 0; i < options.count; i++) {
    const districtCode = FIXTURE_DISTRICTS[Math.floor(i / TIERS.length ** 2) % FIXTURE_DISTRICTS.length]!;
    const first17 = `92${districtCode}${options.prefix}${String(i).padStart(9 - options.prefix.length, '0')}`;
    const tierIn: Record<number, Tier> = {};
    options.years.forEach((year, y) => {
      tierIn[year] = TIERS[Math.floor(i / TIERS.length ** y) % TIERS.length]!;
    });
    fixtures.push({ uscc: first17 + usccCheckCharacter(first17), districtCode, tierIn });
  }
  const { sql } = database;
  const registrations = fixtures.map((f) => ({
    uscc: f.uscc,
    name: `分型测试户${f.uscc.slice(-6)}`,
    operator_id: `op-${f.uscc}`,
    operator_name: '测试',
    district_code: f.districtCode,
    established_on: '2015-03-01',
    status: 'active',
  }));
  const reports: Record<string, unknown>[] = [];
  const taxes: Record<string, unknown>[] = [];
  for (const f of fixtures) {
    for (const year of options.years) {
      const revenue = REVENUE_FOR[f.tierIn[year]!];
      if (revenue !== null) reports.push({ uscc: f.uscc, year: year - 1, filed_on: `${year}-04-15`, revenue });
      taxes.push({ uscc: f.uscc, year: year - 1, tax_registered_on: '2015-04-01', vat_paid: 0, iit_paid: 0 });
    }
  }
  for (const batch of batchesOf(registrations)) await sql`insert into households ${sql(batch)}`;
  for (const batch of batchesOf(reports)) await sql`insert into annual_reports ${sql(batch)}`;
  for (const batch of batchesOf(taxes)) await sql`insert into tax_records ${sql(batch)}`;
  return fixtures;
}

function* batchesOf<T>(rows: T[], size = 1_000): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

export function expectedCounts(fixtures: FixtureHousehold[], year: number) {
  const byTier: Record<Tier, number> = { unclassified: 0, survival: 0, growth: 0, development: 0 };
  const byDistrict: Record<string, Record<Tier, number>> = {};
  for (const f of fixtures) {
    const tier = f.tierIn[year]!;
    byTier[tier] += 1;
    (byDistrict[f.districtCode] ??= { unclassified: 0, survival: 0, growth: 0, development: 0 })[tier] += 1;
  }
  return { byTier, byDistrict };
}

export function expectedMoves(fixtures: FixtureHousehold[], from: number, to: number): Record<string, number> {
  const moves: Record<string, number> = {};
  for (const f of fixtures) {
    const move = `${f.tierIn[from]}>${f.tierIn[to]}`;
    if (f.tierIn[from] !== f.tierIn[to]) moves[move] = (moves[move] ?? 0) + 1;
  }
  return moves;
}
