/**
 * The recognition case's contract: what the API and tests may import. Never import the
 * workflow body from outside the worker.
 */
import { defineSearchAttributeKey, type SearchAttributePair } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { TIANJIN_DISTRICTS } from '../../policy/districts.js';
import {
  recognitionCaseId,
  type ApplicationInput,
  type CaseState,
  type CaseView,
  type ConsentCommand,
  type OpinionCommand,
  type PublicityObjectionCommand,
  type ReviewCommand,
  type SupplyInformationCommand,
} from '../../policy/recognition-case.js';
import { isRecognitionView, termWaiting, type LiveCaseView, type RecognitionView } from '../../policy/recognition-term.js';
import type {
  AnnualReportCommand,
  AnnualReportDecisionCommand,
  CancellationCommand,
  EvaluationFindingCommand,
  OperatorChangeCommand,
  RecognisedPhaseInput,
  RecognitionTerm,
  RevocationCommand,
  SpotCheckCommand,
  SupplementCommand,
  TransferOutCommand,
} from '../../policy/recognition-term.js';
import { type RecognitionTermSettings } from '../../policy/vocabulary.js';
import { CASE_TASK_QUEUE } from '../task-queues.js';

export const RECOGNITION_TASK_QUEUE = CASE_TASK_QUEUE;
export const RECOGNITION_WORKFLOW_TYPE = 'recognitionCase';

/**
 * A case starts with its application; once recognised, the workflow continues as new into the
 * recognised phase, one run per validity period. An incoming transfer (C-XREGION) starts there.
 */
export type RecognitionCaseInput = ApplicationInput | ContinuedApplicationInput | RecognisedPhaseInput;

/** The application phase continued as new (its history grew long): the state carried on, nothing else. */
export interface ContinuedApplicationInput {
  phase: 'application';
  state: CaseState;
  termSettings?: RecognitionTermSettings;
}

export function isContinuedApplicationInput(input: RecognitionCaseInput): input is ContinuedApplicationInput {
  return 'phase' in input && input.phase === 'application';
}

export function isRecognisedPhaseInput(input: RecognitionCaseInput): input is RecognisedPhaseInput {
  return 'phase' in input && input.phase === 'recognised';
}

/**
 * The search attributes every case carries, so that operators filter cases in Temporal's UI and
 * list them with a query (`DistrictCode='120101' AND CaseStatus='under_review'`). The API sets
 * them all when it starts a case; the workflow keeps `CaseStatus` current. Each server must
 * have them registered (CASE_SEARCH_ATTRIBUTE_TYPES); their names are in running systems: never
 * change one.
 */
export const CASE_STATUS_ATTRIBUTE = defineSearchAttributeKey('CaseStatus', 'KEYWORD');
export const DISTRICT_CODE_ATTRIBUTE = defineSearchAttributeKey('DistrictCode', 'KEYWORD');
export const CASE_CATEGORY_ATTRIBUTE = defineSearchAttributeKey('CaseCategory', 'KEYWORD');
export const CASE_YEAR_ATTRIBUTE = defineSearchAttributeKey('CaseYear', 'INT');
export const USCC_ATTRIBUTE = defineSearchAttributeKey('Uscc', 'KEYWORD');

/** The case's search attributes with their types, as a server registers them. */
export const CASE_SEARCH_ATTRIBUTE_TYPES = Object.fromEntries(
  [CASE_STATUS_ATTRIBUTE, DISTRICT_CODE_ATTRIBUTE, CASE_CATEGORY_ATTRIBUTE, CASE_YEAR_ATTRIBUTE, USCC_ATTRIBUTE].map((key) => [key.name, key.type]),
) as Readonly<Record<string, 'KEYWORD' | 'INT'>>;

/** What a case is filtered by, alike in either phase. */
export interface CaseIndexFields {
  status: string;
  districtCode: string;
  category: string;
  year: number;
  uscc: string;
  householdName: string;
  route: string;
}

export function caseSearchAttributes(fields: CaseIndexFields): SearchAttributePair[] {
  return [
    { key: CASE_STATUS_ATTRIBUTE, value: fields.status },
    { key: DISTRICT_CODE_ATTRIBUTE, value: fields.districtCode },
    { key: CASE_CATEGORY_ATTRIBUTE, value: fields.category },
    { key: CASE_YEAR_ATTRIBUTE, value: fields.year },
    { key: USCC_ATTRIBUTE, value: fields.uscc },
  ];
}

/** What an operator reads beside a case in Temporal's list: who, which district, by which route. */
export function caseMemo(fields: CaseIndexFields): Record<string, string> {
  return {
    householdName: fields.householdName,
    districtName: TIANJIN_DISTRICTS[fields.districtCode] ?? fields.districtCode,
    route: fields.route,
  };
}

// The case's ID and views are defined with its rules (policy/); readers of the case take them from here.
export { isRecognitionView, recognitionCaseId, type CaseView, type LiveCaseView, type RecognitionView };


/**
 * What an application-phase decision answers: enough to go on (the status and the due date of
 * the step it opened), never the whole view, whose objections and opinions would make the
 * history grow with the square of the decisions. Readers query the view.
 */
export interface DecisionAnswer {
  caseId: string;
  status: CaseState['status'];
  seq: number;
  /** When the case last changed: the decision's instant. */
  updatedAt: string;
  /** The due date of the step the case now waits in; absent from the whole views answered before. */
  dueOn?: string | null;
  deadline: CaseState['deadline'];
}

export function decisionAnswer(state: CaseState): DecisionAnswer {
  return { caseId: state.caseId, status: state.status, seq: state.seq, updatedAt: state.updatedAt, dueOn: state.deadline?.dueOn ?? null, deadline: state.deadline };
}

/**
 * The latest moment a decision may be taken, set by the API that sends it: the API answers 503 when
 * no worker took the decision by then, so a decision delivered later (a worker back after an
 * outage) is refused rather than applied behind the caller's back.
 */
export interface AnswerBy {
  answerBy?: string;
}

/** Whether a decision arrives after its `answerBy` (decisions sent without one never are). */
export function arrivesTooLate(command: object, now: number): boolean {
  const { answerBy } = command as AnswerBy;
  return typeof answerBy === 'string' && now > Date.parse(answerBy);
}

/** The application phase's view. Both phases answer this query name, each with its own view. */
export const caseViewQuery = defineQuery<CaseView>('caseView');
export const recognitionViewQuery = defineQuery<RecognitionView>('caseView');
/** What a reader who does not know the phase asks. */
export const liveCaseViewQuery = defineQuery<LiveCaseView>('caseView');
// Cases whose decisions were answered before the small-decision-answers patch answered the whole view, a superset.
export const reviewUpdate = defineUpdate<DecisionAnswer, [ReviewCommand]>('review');
export const supplyInformationUpdate = defineUpdate<DecisionAnswer, [SupplyInformationCommand]>('supplyInformation');
/** The operator's answer to a department's recommendation (C-REC). */
export const consentUpdate = defineUpdate<DecisionAnswer, [ConsentCommand]>('consent');
/** Sent to the first case in line when a place under the quota frees (C-QUOTA). */
export const quotaPlaceFreedSignal = defineSignal('quotaPlaceFreed');
export const opinionUpdate = defineUpdate<DecisionAnswer, [OpinionCommand]>('opinion');
/** The objection's number, given as it was filed (others may be filed while it is saved). */
export interface FiledObjection extends DecisionAnswer {
  objectionNo: number;
}
export const publicityObjectionUpdate = defineUpdate<FiledObjection, [PublicityObjectionCommand]>('publicityObjection');

export function toCaseView(state: CaseState): CaseView {
  const { deadlineRequest: _request, reviewPause: _pause, quotaRequest: _quota, ...view } = state;
  return view;
}

// The recognised phase (policy/recognition-term.ts).
/**
 * What a recognised-phase decision answers, as in the application (DecisionAnswer): the status,
 * whose move the recognition waits for and by when; readers query the view. Decisions answered
 * before the small-decision-answers patch answered the whole view, a superset but for the last two.
 */
export interface TermDecisionAnswer {
  phase: 'recognised';
  caseId: string;
  status: RecognitionTerm['status'];
  seq: number;
  updatedAt: string;
  waitingFor?: ReturnType<typeof termWaiting>['waitingFor'];
  dueOn?: string | null;
  /**
   * The run that took the decision: an extension continues the case as new at once, and the view
   * that shows the decision is that run's.
   */
  runId?: string;
}

export function termDecisionAnswer(term: RecognitionTerm, runId: string): TermDecisionAnswer {
  return { phase: 'recognised', caseId: term.caseId, status: term.status, seq: term.seq, updatedAt: term.updatedAt, ...termWaiting(term), runId };
}

export const spotCheckUpdate = defineUpdate<TermDecisionAnswer, [SpotCheckCommand]>('spotCheck');
export const supplementUpdate = defineUpdate<TermDecisionAnswer, [SupplementCommand]>('supplement');
export const annualReportUpdate = defineUpdate<TermDecisionAnswer, [AnnualReportCommand]>('annualReport');
export const annualReportDecisionUpdate = defineUpdate<TermDecisionAnswer, [AnnualReportDecisionCommand]>('annualReportDecision');
export const operatorChangeUpdate = defineUpdate<TermDecisionAnswer, [OperatorChangeCommand]>('operatorChange');
export const cancellationUpdate = defineUpdate<TermDecisionAnswer, [CancellationCommand]>('cancellation');
export const evaluationFindingUpdate = defineUpdate<TermDecisionAnswer, [EvaluationFindingCommand]>('evaluationFinding');
export const revocationUpdate = defineUpdate<TermDecisionAnswer, [RevocationCommand]>('revocation');
export const transferOutUpdate = defineUpdate<TermDecisionAnswer, [TransferOutCommand]>('transferOut');

export function toRecognitionView(term: RecognitionTerm): RecognitionView {
  const { deadlineRequest: _request, operatorRecheck: _recheck, evaluationDataDue: _data, placeRelease: _release, ...view } = term;
  return view;
}
