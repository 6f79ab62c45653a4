import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import {
  DEFAULT_NOTIFICATION_DELIVERY_INPUT,
  NOTIFICATION_DELIVERY_TASK_QUEUE,
  NOTIFICATION_DELIVERY_WORKFLOW_ID,
  NOTIFICATION_DELIVERY_WORKFLOW_TYPE,
  type NotificationDeliveryInput,
} from './contract.js';

/** Starts the deployment's delivery loop unless it runs already (every start of the system calls it). */
export async function ensureNotificationDelivery(
  client: Client,
  options: { input?: NotificationDeliveryInput; taskQueue?: string; workflowId?: string } = {},
): Promise<void> {
  try {
    await client.workflow.start(NOTIFICATION_DELIVERY_WORKFLOW_TYPE, {
      taskQueue: options.taskQueue ?? NOTIFICATION_DELIVERY_TASK_QUEUE,
      workflowId: options.workflowId ?? NOTIFICATION_DELIVERY_WORKFLOW_ID,
      args: [options.input ?? DEFAULT_NOTIFICATION_DELIVERY_INPUT],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
