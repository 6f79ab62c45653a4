// Temporal test environments on the binaries that scripts/setup.sh caches, so that no test run
// downloads a server (the SDK's default) and every run uses the same pinned versions.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributeArgs } from '../../scripts/temporal-dev-server.js';
import { temporalCliPath, temporalTestServerPath } from '../../scripts/toolchain.js';

// The SDK gives a spawned server about 5 s to answer and then kills it; a JVM on a loaded
// two-core machine (parallel test forks, a fresh page cache) can miss that once.
const START_ATTEMPTS = 3;

/** The Java time-skipping test server: timers and sleeps complete as soon as nothing else is pending. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = temporalTestServerPath();
  return withRetries('time-skipping test server', path, () =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path } },
    }),
  );
}

/** A real Temporal dev server (temporal server start-dev), in memory and without its web UI. */
export async function createDevServerEnv(): Promise<TestWorkflowEnvironment> {
  const path = temporalCliPath();
  return withRetries('Temporal dev server', path, () =>
    TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path }, ui: false, extraArgs: searchAttributeArgs() },
    }),
  );
}

async function withRetries(
  what: string,
  path: string,
  start: () => Promise<TestWorkflowEnvironment>,
): Promise<TestWorkflowEnvironment> {
  const errors: unknown[] = [];
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await start();
    } catch (error) {
      errors.push(error);
    }
  }
  const reasons = errors.map((e, i) => `  attempt ${i + 1}: ${e instanceof Error ? e.message : String(e)}`).join('\n');
  throw new AggregateError(errors, `Could not start the ${what} (${path}) in ${START_ATTEMPTS} attempts:\n${reasons}`);
}
