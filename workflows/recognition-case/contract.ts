/**
 * The recognition case's contract: what the API and tests may import. Never import the
 * workflow body from outside the worker.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ApplicationInput,
  CaseState,
  OpinionCommand,
  PublicityObjectionCommand,
  ReviewCommand,
  SupplyInformationCommand,
} from '../../policy/recognition-case.js';

export const RECOGNITION_TASK_QUEUE = 'recognition-cases';
export const RECOGNITION_WORKFLOW_TYPE = 'recognitionCase';

/** One case per household and application year (C-ONE-TYPE): the ID is the uniqueness guard. */
export function recognitionCaseId(uscc: string, year: number): string {
  return `recognition-${uscc}-${year}`;
}

export type RecognitionCaseInput = ApplicationInput;
export type CaseView = Omit<CaseState, 'deadlineRequest' | 'reviewPause' | 'quotaRequest'>;

/** The error type an update validator throws; its single detail is a RuleViolation. */
export const RULE_VIOLATION_ERROR = 'RuleViolation';

export const caseViewQuery = defineQuery<CaseView>('caseView');
export const reviewUpdate = defineUpdate<CaseView, [ReviewCommand]>('review');
export const supplyInformationUpdate = defineUpdate<CaseView, [SupplyInformationCommand]>('supplyInformation');
/** Sent to the first case in line when a place under the quota frees (C-QUOTA). */
export const quotaPlaceFreedSignal = defineSignal('quotaPlaceFreed');
export const opinionUpdate = defineUpdate<CaseView, [OpinionCommand]>('opinion');
export const publicityObjectionUpdate = defineUpdate<CaseView, [PublicityObjectionCommand]>('publicityObjection');

export function toCaseView(state: CaseState): CaseView {
  const { deadlineRequest: _request, reviewPause: _pause, quotaRequest: _quota, ...view } = state;
  return view;
}
