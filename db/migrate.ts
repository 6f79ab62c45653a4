import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type { HolidayNotice } from '../policy/calendar.js';
import type { Database } from './client.js';
import { departments } from './recognition-schema.js';
import { holidayNotices } from './schema.js';
import { supportMeasures } from './tiering-schema.js';

const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));
const HOLIDAY_NOTICES_SEED = new URL('./seed/holiday-notices.json', import.meta.url);
const SUPPORT_MEASURES_SEED = new URL('./seed/support-measures.json', import.meta.url);
const DEPARTMENTS_SEED = new URL('./seed/departments.json', import.meta.url);
/** Any constant shared by every process that migrates: API, worker and tests start together. */
const MIGRATION_LOCK_KEY = 4_2024_0009;

/**
 * Brings the schema up to date and loads the reference data the policy needs (the holiday
 * notices of calendar.md). Safe to run again and from several processes at once.
 */
export async function migrateDatabase(database: Database): Promise<void> {
  const lock = await database.sql.reserve();
  try {
    await lock`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migrate(database.db, { migrationsFolder: MIGRATIONS_FOLDER });
    await seedHolidayNotices(database);
    await seedSupportMeasures(database);
    await seedDepartments(database);
  } finally {
    await lock`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    lock.release();
  }
}

/** Ships the notices known at release; an administrator's later edits to a year are kept. */
async function seedHolidayNotices(database: Database): Promise<void> {
  const notices = JSON.parse(await readFile(HOLIDAY_NOTICES_SEED, 'utf8')) as HolidayNotice[];
  await database.db
    .insert(holidayNotices)
    .values(notices.map((n) => ({ ...n })))
    .onConflictDoNothing({ target: holidayNotices.year });
}

/**
 * The measures of annex 1 §4 and annex 2 §6 (T-AID, C-AID) are the text's, not an
 * administrator's: a corrected seed overwrites what an earlier release loaded.
 */
async function seedSupportMeasures(database: Database): Promise<void> {
  const measures = JSON.parse(await readFile(SUPPORT_MEASURES_SEED, 'utf8')) as Array<typeof supportMeasures.$inferInsert>;
  await database.db
    .insert(supportMeasures)
    .values(measures)
    .onConflictDoUpdate({
      target: supportMeasures.id,
      set: {
        appliesTo: sql`excluded.applies_to`,
        clause: sql`excluded.clause`,
        measure: sql`excluded.measure`,
        departments: sql`excluded.departments`,
        withoutApplication: sql`excluded.without_application`,
      },
    });
}

/**
 * The city-level departments the plan names (C-REC, C-AID); a deployment adds its districts'
 * departments. An ID once given keeps its meaning: a second start keeps what is there.
 */
async function seedDepartments(database: Database): Promise<void> {
  const seeded = JSON.parse(await readFile(DEPARTMENTS_SEED, 'utf8')) as Array<typeof departments.$inferInsert>;
  await database.db.insert(departments).values(seeded).onConflictDoNothing({ target: departments.id });
}
