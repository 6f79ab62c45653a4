// The worker's workflow bundle: every workflow type the task queues serve.
export { recognitionCase } from './recognition-case/workflow.js';
export { tierObjection } from './tier-objection/workflow.js';
export { tieringRun } from './tiering-run/workflow.js';
export { tierHousehold } from './tier-household/workflow.js';
export { notificationDelivery } from './notification-delivery/workflow.js';
