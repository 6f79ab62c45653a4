/**
 * The recognition case's patch IDs (patched()): each marks a change to the workflow's command
 * sequence that cases started before it must replay without. They belong to the workflow alone;
 * the API never reads them. Their strings are in recorded histories: never change one.
 */

/** Marks the application's change from ending at recognition to continuing into the recognised phase. */
export const RECOGNISED_PHASE_PATCH = 'recognised-phase';

/** Marks the change that takes a case rejected while it waited for a place off the quota's waitlist. */
export const REJECTED_LEAVES_WAITLIST_PATCH = 'rejected-leaves-waitlist';

/** Marks the change that gives back a place taken for a case closed while it was being taken. */
export const CLOSED_WHILE_TAKING_A_PLACE_PATCH = 'closed-while-taking-a-place';

/** Marks the change that answers an application-phase decision with the due date of the step it opened. */
export const DECISION_ANSWERS_WITH_DEADLINE_PATCH = 'decision-answers-with-deadline';

/** Marks the change that answers a decision, in either phase, with a small result instead of the whole view. */
export const SMALL_DECISION_ANSWERS_PATCH = 'small-decision-answers';

/** Marks the change that continues the application phase as new when Temporal suggests it. */
export const APPLICATION_CONTINUES_AS_NEW_PATCH = 'application-continues-as-new';

/**
 * Marks the change that lets pass only the failures the case waits out: a quota not set yet
 * (any other failure to set it is recorded, as one to take a place is) and a signal to a case
 * that has ended. Before it, any failure of either was passed over.
 */
export const ONLY_EXPECTED_FAILURES_PASS_PATCH = 'only-expected-failures-pass';

/**
 * Marks the change that keeps the case's search attributes (CaseStatus above all) current as
 * its status moves; before it, a case kept those it was started with.
 */
export const CASE_STATUS_KEPT_CURRENT_PATCH = 'case-status-kept-current';

/**
 * Marks the change that saves a decision's records and resolves its due dates as local activities,
 * in the workflow task that took the decision, instead of through the activity task queue.
 */
export const LOCAL_DECISION_RECORDS_PATCH = 'local-decision-records';

/**
 * Marks the change that reads the due date a decision opens before saving the decision, so that
 * one save records both: a decision's records then take two local activities instead of three.
 */
export const DEADLINE_SAVED_WITH_ITS_DECISION_PATCH = 'deadline-saved-with-its-decision';
