import postgres from 'postgres';
import { inject } from 'vitest';
import { connectDatabase, type Database } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';

/**
 * A database of the test file's own on the run's PostgreSQL, migrated: for a test that needs an
 * empty database (a training system starts on nothing else) or tiers a whole city.
 */
export async function ownDatabase(name: string): Promise<Database & { drop(): Promise<void> }> {
  const runUrl = new URL(inject('databaseUrl'));
  const databaseName = `${runUrl.pathname.slice(1)}_${name}`;
  const admin = postgres(runUrl.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${databaseName}`);
  const url = new URL(runUrl);
  url.pathname = `/${databaseName}`;
  const database = connectDatabase(url.toString(), { max: 6 });
  await migrateDatabase(database);
  return {
    ...database,
    async drop() {
      await database.close();
      await admin.unsafe(`drop database if exists ${databaseName} with (force)`);
      await admin.end();
    },
  };
}
