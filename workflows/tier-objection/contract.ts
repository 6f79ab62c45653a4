/**
 * The tier objection's contract (T-OBJ): what the API and tests may import. Never import the
 * workflow body from outside the worker.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ObjectionDecisionCommand, ObjectionInput, ObjectionState } from '../../policy/tier-objection.js';
import { TIER_OBJECTION_ID_PREFIX } from '../../policy/vocabulary.js';
import { CASE_TASK_QUEUE } from '../task-queues.js';

/**
 * Objections wait on people, like recognition cases, and are few: they share the case queue,
 * which the city-wide tiering run does not use.
 */
export const TIER_OBJECTION_TASK_QUEUE = CASE_TASK_QUEUE;
export const TIER_OBJECTION_WORKFLOW_TYPE = 'tierObjection';

/** One objection per household and tier year: the ID is the uniqueness guard (409 on a second). */
export function tierObjectionId(uscc: string, year: number): string {
  return `${TIER_OBJECTION_ID_PREFIX}${uscc}-${year}`;
}

export type TierObjectionInput = ObjectionInput;
export type ObjectionView = ObjectionState;

export { DECISION_TOO_LATE_ERROR, RULE_VIOLATION_ERROR } from '../../policy/vocabulary.js';

export const objectionViewQuery = defineQuery<ObjectionView>('objectionView');
export const decideObjectionUpdate = defineUpdate<ObjectionView, [ObjectionDecisionCommand]>('decideObjection');
