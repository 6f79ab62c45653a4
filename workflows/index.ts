// The worker's workflow bundle: every workflow type the task queues serve.
export { recognitionCase } from './recognition-case/workflow.js';
