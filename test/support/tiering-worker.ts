// A worker in a process of its own, for the tests that kill it (SIGKILL) in the middle of a tiering
// run or stop it (SIGTERM) mid-task or with a close that never ends (within WORKER_STOP_DEADLINE_MS,
// if set). It runs the test run's workflow bundle against the database and Temporal server it is given.
import { NativeConnection } from '@temporalio/worker';
import { connectDatabase, survivePostgresSocketFault } from '../../db/client.js';
import { createWorker, runUntilStopped } from '../../workflows/worker.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

survivePostgresSocketFault();
const database = connectDatabase(required('DATABASE_URL'), { max: 6 });
const connection = await NativeConnection.connect({ address: required('TEMPORAL_ADDRESS') });
const worker = await createWorker({
  connection,
  namespace: required('TEMPORAL_NAMESPACE'),
  db: database.db,
  taskQueue: required('TASK_QUEUE'),
  workflowBundle: { codePath: required('WORKFLOW_BUNDLE_PATH') },
});
process.stdout.write('ready\n');
const stopDeadline = process.env.WORKER_STOP_DEADLINE_MS;
// A fault test's stand-in for a close that never ends and keeps the process alive, as a stopped
// worker's once did: the stop deadline must end it all the same.
const closeNeverEnds = process.env.WORKER_CLOSE_NEVER_ENDS === '1';
await runUntilStopped([worker], {
  ...(stopDeadline ? { deadlineMs: Number(stopDeadline) } : {}),
  close: () => (closeNeverEnds ? new Promise(() => setInterval(() => {}, 1_000)) : Promise.all([connection.close(), database.close()])),
});
