import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { holidayNotices } from '../../db/schema.js';
import { supportMeasures } from '../../db/tiering-schema.js';
import { isolatedDatabase, type IsolatedDatabase } from '../support/tiering-data.js';

const journal = JSON.parse(readFileSync(new URL('../../db/migrations/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] };

let isolated: IsolatedDatabase;
beforeAll(async () => {
  isolated = await isolatedDatabase('migrate');
});
afterAll(async () => {
  await isolated?.drop();
});

async function appliedMigrations(database: Database): Promise<number> {
  const [row] = await database.sql<[{ count: number }]>`select count(*)::int as count from drizzle.__drizzle_migrations`;
  return row.count;
}

it('migrates on every start, from several processes at once, without applying anything twice or losing an edit', async () => {
  const { database } = isolated;
  expect(await appliedMigrations(database)).toBe(journal.entries.length);
  const noticesBefore = await database.db.select().from(holidayNotices);
  const measuresBefore = await database.db.$count(supportMeasures);
  // An administrator corrects a notice; a later start must not put the shipped one back.
  await database.db.update(holidayNotices).set({ notice: 'corrected by the city office' }).where(eq(holidayNotices.year, 2026));

  // API, worker and a second API starting together, each with its own connections.
  const processes = [1, 2, 3].map(() => connectDatabase(isolated.url, { max: 2 }));
  try {
    await Promise.all(processes.map((process) => migrateDatabase(process)));
  } finally {
    await Promise.all(processes.map((process) => process.close()));
  }

  expect(await appliedMigrations(database)).toBe(journal.entries.length);
  const noticesAfter = await database.db.select().from(holidayNotices).orderBy(holidayNotices.year);
  expect(noticesAfter.map((n) => n.year)).toEqual(noticesBefore.map((n) => n.year).sort());
  expect(noticesAfter.find((n) => n.year === 2026)?.notice).toBe('corrected by the city office');
  expect(await database.db.$count(supportMeasures)).toBe(measuresBefore);
  const [{ locks }] = await database.sql<[{ locks: number }]>`
    select count(*)::int as locks from pg_locks
    where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`;
  expect(locks).toBe(0);
});
