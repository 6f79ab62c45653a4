import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { failAbandonedRuns } from '../activities/tiering-queries.js';
import type { Database } from '../db/client.js';

/**
 * Before anything a running tiering run holds back (imports, the year's next run): a run whose
 * workflow was terminated or timed out never recorded its end, so it is failed here (T-RUN).
 */
export async function releaseAbandonedRuns(deps: { database: Database; temporal: Client; now: () => number }): Promise<void> {
  await failAbandonedRuns(
    deps.database.db,
    async (workflowId) => {
      try {
        const { status } = await deps.temporal.workflow.getHandle(workflowId).describe();
        return status.name === 'RUNNING' ? null : status.name;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'not found';
        throw err;
      }
    },
    new Date(deps.now()).toISOString(),
  );
}
