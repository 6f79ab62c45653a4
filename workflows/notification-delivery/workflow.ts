import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { NotificationActivities } from '../../activities/notifications.js';
import type { NotificationDeliveryInput } from './contract.js';

const { deliverDueNotifications } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  // The activity fails only when the database does: it is tried again, with backoff, for as long as that lasts.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Works off the notification outbox for as long as the deployment runs: each round sends what is
 * due, and sleeps when nothing more is. Exactly once comes from the outbox rows (sent rows are
 * never sent again), not from the loop, so a loop restarted or replayed sends nothing twice.
 */
export async function notificationDelivery(input: NotificationDeliveryInput): Promise<void> {
  for (let round = 0; round < input.roundsPerRun; round++) {
    const result = await deliverDueNotifications({ limit: input.batchSize });
    if (!result.more) await sleep(input.pollSeconds * 1000);
  }
  await continueAsNew<typeof notificationDelivery>(input);
}
