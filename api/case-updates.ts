/**
 * Decisions on a recognition case: sending one to its workflow, its refusals as HTTP errors
 * naming the step's clause, and the update routes of a case (api/routes/cases.ts,
 * recognitions.ts) built on that.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { FastifyRequest } from 'fastify';
import {
  RECOGNITION_WORKFLOW_TYPE,
  caseMemo,
  caseSearchAttributes,
  isContinuedApplicationInput,
  isRecognisedPhaseInput,
  type CaseIndexFields,
  type LiveCaseView,
  type RecognitionCaseInput,
} from '../workflows/recognition-case/contract.js';
import { openCase } from '../policy/recognition-case.js';
import { openRecognisedPhase } from '../policy/recognition-term.js';
import { caseReader } from './case-reading.js';
import { DecisionNotAnsweredError, sendDecision, type UpdateRouteKind } from './decisions.js';
import { HttpError } from './errors.js';
import { DECISION_NOT_RECORDED_ERROR, RULE_VIOLATION_ERROR, type RuleViolation } from '../policy/vocabulary.js';
import type { RouteDeps } from './deps.js';

/**
 * The clause that governs a route's step, named by its 409 and 422 answers when the rule that
 * refused says none of its own; the review's depends on the case's route (C-SELF, or C-REC for
 * a department's recommendation).
 */
type StepClause = string | ((view: LiveCaseView) => string);

const reviewStepClause: StepClause = (view) => ('route' in view && view.route === 'department' ? 'C-REC' : 'C-SELF');

/** A decision its case's worker took after the decision's time limit: refused, not applied. */
const CASE_DECISION_TOO_LATE = { field: 'caseId', message: '案件未能及时受理本次决定，决定未生效；请稍后重新提交' };

/**
 * Sends a decision (api/decisions.ts: with a time limit and the caller's Idempotency-Key); a
 * validator's refusal becomes the HTTP error it describes, and nothing was written. Each phase of
 * a case takes its own decisions only: an update the case's current phase has no handler for (a
 * review of a recognised case, a spot check of a case under review) is rejected by the workflow
 * before it reaches history, and answers 409 with the case's status. A 409 or 422 names the
 * step's clause where the refusing rule names none.
 */
export function updateRunner(deps: RouteDeps) {
  const readCase = caseReader(deps);
  return async <Command extends object, View>(
    handle: WorkflowHandle,
    update: UpdateDefinition<View, [Command]>,
    command: Command,
    request: FastifyRequest,
    stepClause: StepClause,
  ): Promise<View> => {
    const clauseOf = async (view?: LiveCaseView): Promise<string> =>
      typeof stepClause === 'string' ? stepClause : stepClause(view ?? (await readCase(handle.workflowId)).view);
    try {
      return await sendDecision(handle, update, command, request, { expires: deps.decisionsExpire, tooLate: CASE_DECISION_TOO_LATE });
    } catch (err) {
      if (err instanceof DecisionNotAnsweredError) throw err;
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        if (err.cause.type === RULE_VIOLATION_ERROR) {
          const violation = err.cause.details?.[0] as RuleViolation;
          const status = violation.status ?? 422;
          const named = violation.clause === null && (status === 409 || status === 422) ? { ...violation, clause: await clauseOf() } : violation;
          throw HttpError.fromViolation(named);
        }
        if (err.cause.type === DECISION_NOT_RECORDED_ERROR) {
          throw new HttpError(422, `${err.cause.message}。请检查提交的内容后重试。`, { field: 'body', clause: await clauseOf() });
        }
        const { view } = await readCase(handle.workflowId);
        throw new HttpError(409, `the case is ${view.status} and takes no such decision in this phase`, { field: 'caseId', clause: await clauseOf(view), status: view.status });
      }
      if (err instanceof WorkflowNotFoundError) {
        // The workflow has finished: the case exists but takes no more decisions.
        const { view } = await readCase(handle.workflowId);
        throw new HttpError(409, `the case is ${view.status} and takes no more decisions`, { field: 'caseId', clause: await clauseOf(view), status: view.status });
      }
      throw err;
    }
  };
}

/** The case a route's `:caseId` names. */
export function caseIdOf(request: FastifyRequest): string {
  return (request.params as { caseId: string }).caseId;
}

/**
 * How a case's update routes send: to the case of the route's `:caseId`, refusals naming the
 * route's step clause (`config.stepClause`, or else the review's); `answer` reads the view.
 */
export function caseUpdates<Outcome, View>(deps: RouteDeps, answer: UpdateRouteKind<Outcome, View>['answer']): UpdateRouteKind<Outcome, View> {
  const runUpdate = updateRunner(deps);
  return {
    send: (request, update, command) =>
      runUpdate(deps.temporal.workflow.getHandle(caseIdOf(request)), update, command, request, request.routeOptions.config.stepClause ?? reviewStepClause),
    answer,
  };
}

/**
 * Starts a household's case of a year: an application, a recommendation or a registered transfer.
 * The case ID is the one-case-per-year guard (C-ONE-TYPE): a second start that year answers 409.
 */
export async function startCase(deps: RouteDeps, caseId: string, input: RecognitionCaseInput, household: { uscc: string; year: number }): Promise<void> {
  const opening = openingFields(caseId, input, deps.now());
  try {
    await deps.temporal.workflow.start(RECOGNITION_WORKFLOW_TYPE, {
      taskQueue: deps.taskQueue,
      workflowId: caseId,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'FAIL',
      typedSearchAttributes: caseSearchAttributes(opening),
      memo: caseMemo(opening),
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new HttpError(409, `C-ONE-TYPE: household ${household.uscc} already has a case for ${household.year}`, { field: 'uscc', clause: 'C-ONE-TYPE', caseId });
    }
    throw err;
  }
}

/** What the case is filtered by as it opens: the state its workflow opens on, computed by the same rules. */
function openingFields(caseId: string, input: RecognitionCaseInput, now: number): CaseIndexFields {
  if (isRecognisedPhaseInput(input)) return openRecognisedPhase(input, new Date(now).toISOString()).state;
  return isContinuedApplicationInput(input) ? input.state : openCase(caseId, input).state;
}
