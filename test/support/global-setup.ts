// Runs once per `vitest run`, in the main process, before any test file: starts the one
// PostgreSQL that every test file shares, gives the run a database of its own with the
// migrations applied, bundles the workflow code once for every test worker, and hands both
// to the tests through vitest's provide/inject.
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { freePort, startPostgres } from '../../scripts/postgres.js';
import { writeWorkflowBundle } from '../../workflows/worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres:// URL of this run's own database, migrated. */
    databaseUrl: string;
    /** The workflow bundle built for this run, for `workflowBundle: { codePath }`. */
    workflowBundlePath: string;
  }
}

const dataDir = fileURLToPath(new URL('../../.data/', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Apart from the dev server's .data/postgres, so tests never touch a developer's demo data, and
  // one per run, so that two runs in the same tree (or a crashed one) never share a server.
  const serverDir = `${dataDir}postgres-test-${process.pid}`;
  const server = await startPostgres({
    dataDir: serverDir,
    port: await freePort(),
    database: 'mingteyouxin_test',
  });
  // A database per run: workflow IDs restart with every test server, so rows of an earlier run
  // would collide with this one's.
  const runDatabase = `test_run_${Date.now()}_${process.pid}`;
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${runDatabase}`);
  const url = new URL(server.url);
  url.pathname = `/${runDatabase}`;
  const database = connectDatabase(url.toString(), { max: 2 });
  await migrateDatabase(database);
  await database.close();
  project.provide('databaseUrl', url.toString());

  mkdirSync(dataDir, { recursive: true });
  const bundlePath = `${dataDir}workflow-bundle-${process.pid}.js`;
  await writeWorkflowBundle(bundlePath);
  project.provide('workflowBundlePath', bundlePath);

  return async () => {
    await admin.unsafe(`drop database if exists ${runDatabase} with (force)`);
    await admin.end();
    await server.stop();
    rmSync(serverDir, { recursive: true, force: true });
    rmSync(bundlePath, { force: true });
  };
}

