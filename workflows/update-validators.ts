import { ApplicationFailure } from '@temporalio/workflow';
import { DECISION_TOO_LATE_ERROR, RULE_VIOLATION_ERROR, type RuleViolation } from '../policy/vocabulary.js';
import { arrivesTooLate } from './recognition-case/contract.js';

/**
 * The update validator of a person's decision, in every workflow that takes one: refuses a
 * decision that arrives after its answerBy (its sender was told it was not taken, and it is not
 * applied behind their back), then one that breaks a rule.
 */
export function rejectIfLateOrViolated(command: object, violation: RuleViolation | null): void {
  if (arrivesTooLate(command, Date.now())) {
    throw ApplicationFailure.create({
      type: DECISION_TOO_LATE_ERROR,
      message: 'the decision arrived after its answerBy: its sender was told it was not taken',
      nonRetryable: true,
    });
  }
  if (violation) {
    throw ApplicationFailure.create({
      type: RULE_VIOLATION_ERROR,
      message: violation.message,
      details: [violation],
      nonRetryable: true,
    });
  }
}
