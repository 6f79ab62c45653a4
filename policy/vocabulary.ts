/**
 * The words the layers share: a rule's refusal, the failure types workflows and activities throw
 * and the API reads, and the settings more than one kind of case carries. A leaf: it imports
 * nothing, so any module may import it without depending on a case it does not run (the tier
 * objection refuses with the same RuleViolation as the recognition case, and knows nothing of it).
 * ARCHITECTURE.md says who imports whom.
 */

/** A rule's refusal: the answer's status, the field at fault and the clause it breaks. */
export interface RuleViolation {
  status: 403 | 409 | 422;
  field: string;
  clause: string | null;
  message: string;
}

/** A rule's refusal; its message starts with the clause, where there is one. */
export function violation(status: RuleViolation['status'], field: string, clause: string | null, message: string): RuleViolation {
  return { status, field, clause, message: clause ? `${clause}: ${message}` : message };
}

// Failure types. Their strings are in recorded histories and running systems: never change one.

/** An update validator refused a decision; its single detail is a RuleViolation. */
export const RULE_VIOLATION_ERROR = 'RuleViolation';
/** A decision refused because it arrived after its `answerBy`. */
export const DECISION_TOO_LATE_ERROR = 'DecisionTooLate';
/** A decision the workflow took but PostgreSQL refused for good: it did not happen. */
export const DECISION_NOT_RECORDED_ERROR = 'DecisionNotRecorded';
/** A case whose very first records PostgreSQL refused for good: the workflow ends failed. */
export const CASE_NOT_RECORDED_ERROR = 'CaseNotRecorded';
/**
 * An activity whose data the database refused (activities/data-errors.ts): never retried.
 * Workflows name it in their retry policies, so their bundle takes this string, not the code that throws it.
 */
export const DATA_ERROR = 'DataError';
/** On-demand tiering of a USCC the registry does not hold. */
export const HOUSEHOLD_NOT_FOUND_ERROR = 'HouseholdNotFound';
/** No quota can be set for the year: no tiering run of that year is in force (C-QUOTA); a case waits it out. */
export const QUOTA_NOT_SET_ERROR = 'QuotaNotSet';
/** A request the quota cannot serve as asked (bad input, a released place taken again). */
export const QUOTA_REQUEST_ERROR = 'QuotaRequestRefused';
/** A tiering run's request the rules refuse (policy/tiering-run.ts). */
export const INVALID_RUN_INPUT_ERROR = 'InvalidRunInput';
/** Another run of the year is running (T-RUN: one at a time). */
export const RUN_IN_PROGRESS_ERROR = 'RunInProgress';
/** The run is not in the state the step needs (a completed run is immutable). */
export const RUN_STATE_ERROR = 'RunState';

/**
 * The recognised phase's settings (policy/recognition-term.ts), fixed when a case starts: the
 * application carries them (policy/recognition-case.ts) into the phase that reads them.
 */
export interface RecognitionTermSettings {
  /** Share of the filed recognitions the city office spot-checks (C-FILE), 0–1. */
  spotCheckRate: number;
  /** Calendar days before 31 July that the household is reminded of its annual report. */
  annualReportReminderDays: number;
  /** Calendar days after 31 July before a report still missing cancels the recognition (C-ANNUAL). */
  annualReportGraceDays: number;
  /** Growth over the term that counts as marked 明显增长 for X1 (C-EVAL), as a fraction. */
  markedGrowthRate: number;
  /** Days between two readings of the data criteria X1 and X3 during the final year (at least 1). */
  evaluationRereadDays: number;
  /** Working days before the supplement's due date that the household is reminded. */
  supplementReminderWorkingDays: number;
}

export const DEFAULT_RECOGNITION_TERM_SETTINGS: Readonly<RecognitionTermSettings> = {
  spotCheckRate: 0.1,
  annualReportReminderDays: 30,
  annualReportGraceDays: 30,
  markedGrowthRate: 0.2,
  evaluationRereadDays: 30,
  supplementReminderWorkingDays: 3,
};

/** How a tier objection's ID (its workflow's, its audit trail's, its notifications') begins. */
export const TIER_OBJECTION_ID_PREFIX = 'tier-objection-';
