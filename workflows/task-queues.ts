/**
 * The task queues, named once; each workflow's contract says which one it runs on. The strings
 * are those of running systems and recorded histories: never change one.
 */

/** Work that waits on people and is little: recognition cases, tier objections, the notification loop. */
export const CASE_TASK_QUEUE = 'recognition-cases';

/** The city-wide tiering run's own queue and workers, so that a run never delays a reviewer waiting on a case. */
export const TIERING_TASK_QUEUE = 'tiering';
