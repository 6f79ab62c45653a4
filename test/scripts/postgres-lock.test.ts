// Two commands in one tree (npm start beside a soak or a test run) each keep to their own cluster:
// a stale postmaster.pid whose PID now belongs to another cluster's server neither shares that
// server nor stops it.
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, expect, it } from 'vitest';
import { freePort, startPostgres, type RunningPostgres } from '../../scripts/postgres.js';

// Below the clone, as the embedded PostgreSQL needs when run as root (see scripts/postgres.ts).
const scratch = fileURLToPath(new URL(`../../.data/postgres-lock-${process.pid}/`, import.meta.url));
const running: RunningPostgres[] = [];

afterAll(async () => {
  for (const server of running) await server.stop();
  rmSync(scratch, { recursive: true, force: true });
});

it('starts its own cluster when its stale lock names a live postgres of another cluster', { timeout: 120_000 }, async () => {
  const other = await startPostgres({ dataDir: join(scratch, 'other'), port: await freePort(), database: 'other' });
  running.push(other);
  const ownDir = join(scratch, 'own');
  await (await startPostgres({ dataDir: ownDir, port: await freePort(), database: 'own' })).stop();
  // As a killed start leaves it, with a PID the machine has since given to the other cluster's server.
  copyFileSync(join(scratch, 'other', 'postmaster.pid'), join(ownDir, 'postmaster.pid'));

  const ownPort = await freePort();
  const own = await startPostgres({ dataDir: ownDir, port: ownPort, database: 'own' });
  running.push(own);
  expect(new URL(own.url).port).toBe(String(ownPort));
  const sql = postgres(other.url, { max: 1, onnotice: () => {} });
  try {
    expect(await sql`select 1 as answered`).toEqual([{ answered: 1 }]);
  } finally {
    await sql.end({ timeout: 1 });
  }
});
