import type { Database } from './client.js';

/**
 * A training system's database carries this table, created by the training start and by no
 * migration: its very presence is the mark, so a production database (migrated like any other)
 * never has it, and a training database cannot pass for a production one.
 */
const MARKER_TABLE = 'training_system';

async function isMarked(database: Database): Promise<boolean> {
  const [row] = await database.sql<{ marked: boolean }[]>`select to_regclass(${`public.${MARKER_TABLE}`}) is not null as marked`;
  return row?.marked ?? false;
}

/**
 * Makes `database` a training database. Training starts on an empty database only: one that
 * holds households or cases may be a production database, and the time-skipping server keeps no
 * workflows from an earlier session, so an earlier training database's cases would be orphans too.
 */
export async function markTrainingDatabase(database: Database): Promise<void> {
  const [held] = await database.sql<{ households: number; cases: number }[]>`
    select (select count(*) from households)::int as households, (select count(*) from cases)::int as cases`;
  if ((held?.households ?? 0) > 0 || (held?.cases ?? 0) > 0) {
    throw new Error(
      'A training system starts on an empty database only, and this one holds households or cases ' +
        `(a production database, or an earlier training session's, whose workflows the time-skipping server did not keep). ` +
        'Leave DATABASE_URL unset (training then uses its own embedded PostgreSQL) or give it a new, empty database.',
    );
  }
  await database.sql.unsafe(`create table if not exists ${MARKER_TABLE} (marked_at timestamptz not null default now())`);
  await database.sql.unsafe(`insert into ${MARKER_TABLE} select where not exists (select from ${MARKER_TABLE})`);
}

/** Stops a production process (npm start, the API, the worker) from running on a training database. */
export async function refuseTrainingDatabase(database: Database): Promise<void> {
  if (await isMarked(database)) {
    throw new Error('This database belongs to a training system (npm run training): its times are not real. Use the production database, or start the training system.');
  }
}
