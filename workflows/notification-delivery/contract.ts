/**
 * The notification delivery loop's contract (issue 12): one workflow per deployment works off
 * the outbox. What the API, scripts and tests may import.
 */
import { CASE_TASK_QUEUE } from '../task-queues.js';

/** Deliveries are few and wait on people, like cases: they share the case queue. */
export const NOTIFICATION_DELIVERY_TASK_QUEUE = CASE_TASK_QUEUE;
export const NOTIFICATION_DELIVERY_WORKFLOW_TYPE = 'notificationDelivery';
/** One loop per deployment: the ID is its guard. */
export const NOTIFICATION_DELIVERY_WORKFLOW_ID = 'notification-delivery';

export interface NotificationDeliveryInput {
  /** How long the loop sleeps when nothing is due. */
  pollSeconds: number;
  /** Deliveries sent per activity call. */
  batchSize: number;
  /** Rounds before the loop continues as new, keeping its history short. */
  roundsPerRun: number;
}

export const DEFAULT_NOTIFICATION_DELIVERY_INPUT: NotificationDeliveryInput = { pollSeconds: 15, batchSize: 50, roundsPerRun: 500 };

