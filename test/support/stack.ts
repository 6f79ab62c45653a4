import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { connectDatabase, type Database } from '../../db/client.js';
import { households } from '../../db/schema.js';
import type { Actor } from '../../policy/actors.js';
import { usccCheckCharacter } from '../../policy/uscc.js';
import { createWorker } from '../../workflows/worker.js';

export function testDatabase(): Database {
  return connectDatabase(inject('databaseUrl'), { max: 5 });
}

/** A worker on its own task queue, running the bundle the global setup built once. */
export async function caseWorker(
  env: TestWorkflowEnvironment,
  database: Database,
): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = `cases-${randomUUID()}`;
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    db: database.db,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  return { worker, taskQueue };
}

let serial = 0;
/** A fresh household with a valid USCC in `district`, registered so that applications find it. */
export async function registerHousehold(database: Database, district = '120104'): Promise<{ uscc: string; actor: Actor }> {
  serial += 1;
  const organisation = `T${String(process.pid % 100_000).padStart(5, '0')}${String(serial).padStart(3, '0')}`;
  const first17 = `92${district}${organisation}`;
  const uscc = first17 + usccCheckCharacter(first17);
  await database.db
    .insert(households)
    .values({
      uscc,
      name: `测试个体户${serial}`,
      operatorId: `op-${uscc}`,
      operatorName: '测试',
      districtCode: district,
      establishedOn: '2018-05-01',
      status: 'active',
    })
    .onConflictDoNothing();
  return { uscc, actor: { id: uscc, role: 'household', uscc } };
}

export function districtOffice(districtCode: string): Actor {
  return { id: `reviewer-${districtCode}`, role: 'district', districtCode };
}

/**
 * With RECORD_HISTORIES=1 the scenario's history is saved for the replay test, which then
 * guards running cases against incompatible workflow changes.
 */
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  const folder = new URL('../histories/', import.meta.url);
  mkdirSync(folder, { recursive: true });
  writeFileSync(new URL(`${name}.json`, folder), historyToJSON(history));
}
