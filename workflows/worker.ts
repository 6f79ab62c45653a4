import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { RECOGNITION_TASK_QUEUE } from './recognition-case/contract.js';
import { TIERING_TASK_QUEUE } from './tiering-run/contract.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('./index.ts', import.meta.url));

export interface WorkerDeps extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  /** A prebuilt bundle (tests build one for all workers); otherwise the worker bundles at start. */
  workflowBundle?: WorkflowBundleOption;
}

/**
 * One worker per task queue, all from the same bundle and activities. Queues are separate so
 * that a city-wide tiering run cannot delay a reviewer waiting on a case.
 */
export const TASK_QUEUES = [RECOGNITION_TASK_QUEUE, TIERING_TASK_QUEUE] as const;

const SHUTDOWN_FORCE_TIME = '30 seconds';
/**
 * The SDK's force time fails a worker whose pollers have not drained by then, but nothing bounds
 * what follows (tasks still running, the native shutdown): a fault-test worker on a loaded machine
 * never exited after SIGTERM. The process itself therefore ends this long after a stop signal,
 * whatever it still holds.
 */
const STOP_DEADLINE_MS = 45_000;
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export function createWorker(deps: WorkerDeps & { taskQueue: string }): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(deps),
    // A stop (SIGTERM) lets running tasks finish, but not for ever: a worker caught mid-task by a
    // fault could otherwise never exit, and a deploy or a supervisor would wait on it. A task cut
    // short is handed to another worker by the server, as after SIGKILL.
    shutdownForceTime: SHUTDOWN_FORCE_TIME,
  });
}

export async function createWorkers(deps: WorkerDeps): Promise<Worker[]> {
  const workflowBundle = deps.workflowBundle ?? (await bundleOnce());
  return Promise.all(TASK_QUEUES.map((taskQueue) => createWorker({ ...deps, workflowBundle, taskQueue })));
}

/**
 * Runs `workers` until they stop (the SDK stops them on SIGTERM or SIGINT), then `close` (their
 * connections). A stop that has not ended, closing included, `deadlineMs` after the signal is
 * logged with what each worker still holds, and the process exits with 1: the server hands those
 * tasks to another worker, as after a SIGKILL, and a deploy or a supervisor is never kept waiting.
 * The close is bounded too: a fault-test worker stopped within a second of its signal and then
 * never exited, something it still held keeping the process alive.
 */
export async function runUntilStopped(
  workers: Worker[],
  { deadlineMs = STOP_DEADLINE_MS, close = async () => {} }: { deadlineMs?: number; close?: () => Promise<unknown> } = {},
): Promise<void> {
  let deadline: NodeJS.Timeout | undefined;
  let phase = 'the workers did not stop';
  const armDeadline = (cause: string) => {
    deadline ??= setTimeout(() => {
      const held = workers.map((worker) => `${worker.options.taskQueue}: ${worker.getState()} ${JSON.stringify(worker.getStatus())}`);
      // What keeps the process alive (sockets, timers), for a stop whose close hangs.
      const resources = process.getActiveResourcesInfo().join(', ');
      console.error(`${phase} within ${deadlineMs / 1000} s of ${cause}; exiting with what they still hold:\n${held.join('\n')}\nactive resources: ${resources}`);
      process.exit(1);
    }, deadlineMs).unref();
  };
  for (const signal of STOP_SIGNALS) process.once(signal, armDeadline);
  try {
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, armDeadline);
    armDeadline('their stop');
    phase = 'the workers stopped, but their connections did not close';
    try {
      await close();
    } finally {
      clearTimeout(deadline);
    }
  }
}

/** What the bundler says: its warnings and errors, not its progress (which buried npm start's addresses). */
const BUNDLER_WARNINGS_ONLY = { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: console.warn, error: console.error };

async function bundleOnce(): Promise<WorkflowBundleOption> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: BUNDLER_WARNINGS_ONLY });
}

/** Bundles the workflows into `path`, for workers started with WORKFLOW_BUNDLE_PATH (the build, the tests, the scripts). */
export async function writeWorkflowBundle(path: string): Promise<void> {
  writeFileSync(path, (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: BUNDLER_WARNINGS_ONLY })).code);
}
