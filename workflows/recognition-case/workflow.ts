import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { CaseActivities } from '../../activities/case-records.js';
import type { EligibilityActivities } from '../../activities/eligibility.js';
import type { QuotaActivities } from '../../activities/quota.js';
import type { RecognitionTermActivities } from '../../activities/recognition-term.js';
import { cstDateOf, yearOf } from '../../policy/dates.js';
import { CASE_NOT_RECORDED_ERROR, DATA_ERROR, DEFAULT_RECOGNITION_TERM_SETTINGS, HOUSEHOLD_NOT_FOUND_ERROR, QUOTA_NOT_SET_ERROR } from '../../policy/vocabulary.js';
import {
  applyClock,
  applyConsent,
  applyDeadline,
  applyOpinion,
  applyPublicityObjection,
  applyQuotaAnswer,
  applyRecordFailure,
  applyReview,
  applyStepFailure,
  applySupplyInformation,
  isClosed,
  nextCaseDuty,
  openCase,
  retryQuota,
  returnPlaceOfClosedCase,
  validateConsent,
  validateOpinion,
  validatePublicityObjection,
  validateReview,
  validateSupplyInformation,
  type ApplicationInput,
  type CaseEvent,
  type CaseState,
  type Transition,
} from '../../policy/recognition-case.js';
import { applyAnnualReport, applyAnnualReportDecision, applyCancellation, applyEvaluationData, applyEvaluationFinding, applyOperatorChange, applyOperatorRecheck, applyPlaceReleased, applyRevocation, applySpotCheck, applySupplement, applyTermClock, applyTermDeadline, applyTermRecordFailure, applyTransferOut, continueRecognisedPhase, evaluationDataQuery, isTermClosed, nextTermDuty, openRecognisedPhase, recheckOperator, recognisedApplication, validateAnnualReport, validateAnnualReportDecision, validateCancellation, validateEvaluationFinding, validateOperatorChange, validateRevocation, validateSpotCheck, validateSupplement, validateTransferOut, type RecognisedPhaseInput, type RecognitionTerm, type TermEvent, type TermTransition } from '../../policy/recognition-term.js';
import {
  annualReportDecisionUpdate,
  annualReportUpdate,
  cancellationUpdate,
  caseViewQuery,
  consentUpdate,
  decisionAnswer,
  evaluationFindingUpdate,
  isContinuedApplicationInput,
  isRecognisedPhaseInput,
  operatorChangeUpdate,
  opinionUpdate,
  publicityObjectionUpdate,
  quotaPlaceFreedSignal,
  recognitionViewQuery,
  revocationUpdate,
  reviewUpdate,
  spotCheckUpdate,
  supplementUpdate,
  supplyInformationUpdate,
  termDecisionAnswer,
  toCaseView,
  toRecognitionView,
  transferOutUpdate,
  type CaseView,
  type ContinuedApplicationInput,
  type DecisionAnswer,
  type FiledObjection,
  type RecognitionCaseInput,
  type RecognitionView,
  type TermDecisionAnswer,
  caseSearchAttributes,
  type CaseIndexFields,
} from './contract.js';
import {
  APPLICATION_CONTINUES_AS_NEW_PATCH,
  CASE_STATUS_KEPT_CURRENT_PATCH,
  CLOSED_WHILE_TAKING_A_PLACE_PATCH,
  DEADLINE_SAVED_WITH_ITS_DECISION_PATCH,
  DECISION_ANSWERS_WITH_DEADLINE_PATCH,
  LOCAL_DECISION_RECORDS_PATCH,
  ONLY_EXPECTED_FAILURES_PASS_PATCH,
  RECOGNISED_PHASE_PATCH,
  REJECTED_LEAVES_WAITLIST_PATCH,
  SMALL_DECISION_ANSWERS_PATCH,
} from './patches.js';
import { SaveLoop, type Refusal } from '../save-loop.js';
import { rejectIfLateOrViolated } from '../update-validators.js';

const ACTIVITY_OPTIONS: ActivityOptions & LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  // Transient faults (a database restarting) are retried until they pass; data PostgreSQL refuses is not.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: [DATA_ERROR] },
};

const {
  ensureYearQuota,
  takeQuotaPlace,
  leaveWaitlist,
  releaseQuotaPlace,
  gatherEligibilityFacts,
  readTierInForce,
  readEvaluationData,
} = proxyActivities<QuotaActivities & EligibilityActivities & RecognitionTermActivities>(ACTIVITY_OPTIONS);

type DecisionRecords = Pick<CaseActivities & RecognitionTermActivities, 'saveCase' | 'resolveDeadline' | 'saveRecognition'>;
const queuedDecisionRecords = proxyActivities<DecisionRecords>(ACTIVITY_OPTIONS);
const localDecisionRecords = proxyLocalActivities<DecisionRecords>(ACTIVITY_OPTIONS);

/**
 * What a person's decision waits on before it is answered: its record saved and the next step's
 * due date. Run within the workflow task that took the decision, they spare it three round trips
 * through the server's queues (and the server their work), which was most of a decision's time.
 */
function decisionRecords(): DecisionRecords {
  return patched(LOCAL_DECISION_RECORDS_PATCH) ? localDecisionRecords : queuedDecisionRecords;
}

/** One workflow per case: the application, then — once recognised — one run per validity period. */
export async function recognitionCase(input: RecognitionCaseInput): Promise<CaseView | RecognitionView> {
  return isRecognisedPhaseInput(input) ? recognisedPhase(input) : applicationPhase(input);
}

async function applicationPhase(input: ApplicationInput | ContinuedApplicationInput): Promise<CaseView> {
  let state: CaseState;
  let saves: SaveLoop<CaseEvent>;
  if (isContinuedApplicationInput(input)) {
    state = input.state;
    saves = new SaveLoop<CaseEvent>([], state.seq);
  } else {
    const opened = openCase(workflowInfo().workflowId, input);
    state = opened.state;
    saves = new SaveLoop([opened.event], 0);
  }
  // The state whose events are all recorded: what the case falls back to when a record is refused for good.
  let recorded: CaseState | null = isContinuedApplicationInput(input) ? state : null;
  const index = searchIndexer(state);

  const apply = (transitions: Transition | Transition[]): void => {
    for (const transition of Array.isArray(transitions) ? transitions : [transitions]) {
      state = transition.state;
      saves.push(transition.event);
    }
  };
  const nowIso = (): string => new Date(Date.now()).toISOString();
  const today = (): string => cstDateOf(Date.now());
  const decided = async (transitions: Transition | Transition[]): Promise<DecisionAnswer> => {
    apply(transitions);
    await saves.saved(state.seq);
    // The caller reads the due date of the step it opened, not null until the calendar is read a
    // moment later: the main loop reads it before anything else once the decision is saved (a
    // closing decision leaves none to read). Decisions answered before this change did not wait.
    if (patched(DECISION_ANSWERS_WITH_DEADLINE_PATCH)) {
      await saves.waitUnlessRefused(() => state.deadlineRequest === null && saves.isSaved(state.seq));
    }
    // The whole view made every answer, and so the history, grow with the objections and opinions.
    return patched(SMALL_DECISION_ANSWERS_PATCH) ? decisionAnswer(state) : toCaseView(state);
  };
  /** PostgreSQL refused these events for good: they did not happen, and the trail says so. */
  const refuse = ({ refused, error }: Refusal<CaseEvent>): void => {
    if (!recorded || !dropsADecision(refused)) {
      // Nothing a person asked for to drop: the case's own records are at fault, which no decision can mend.
      throw ApplicationFailure.create({ type: CASE_NOT_RECORDED_ERROR, message: `the case's records were refused: ${error}`, nonRetryable: true });
    }
    state = recorded;
    apply(applyRecordFailure(recorded, refused, error, nowIso()));
  };

  setHandler(caseViewQuery, () => toCaseView(state));
  setHandler(quotaPlaceFreedSignal, () => {
    state = retryQuota(state);
  });
  setHandler(reviewUpdate, (command) => decided(applyReview(state, command, nowIso())), {
    validator: (command) => rejectIfLateOrViolated(command, validateReview(state, command, today())),
  });
  setHandler(supplyInformationUpdate, (command) => decided(applySupplyInformation(state, command, nowIso())), {
    validator: (command) => rejectIfLateOrViolated(command, validateSupplyInformation(state, command)),
  });
  setHandler(consentUpdate, (command) => decided(applyConsent(state, command, nowIso())), {
    validator: (command) => rejectIfLateOrViolated(command, validateConsent(state, command)),
  });
  setHandler(opinionUpdate, (command) => decided(applyOpinion(state, command, nowIso())), {
    validator: (command) => rejectIfLateOrViolated(command, validateOpinion(state, command)),
  });
  setHandler(
    publicityObjectionUpdate,
    async (command) => {
      const filed = applyPublicityObjection(state, command, nowIso());
      const objectionNo = filed.event.details['objectionNo'] as number;
      const answer = await decided(filed);
      // Objections answered before SMALL_DECISION_ANSWERS_PATCH carried the whole case.
      return patched(SMALL_DECISION_ANSWERS_PATCH) ? { ...answer, objectionNo } : ({ objectionNo, case: answer } as unknown as FiledObjection);
    },
    { validator: (command) => rejectIfLateOrViolated(command, validatePublicityObjection(state, command, today())) },
  );

  const somethingToDo = (): boolean => saves.pending || state.deadlineRequest !== null || state.quotaRequest !== null;

  // A due date still to be read is saved with the decision that opened it (one save, not two).
  const savesWithItsDeadline = (): boolean => state.deadlineRequest !== null && patched(DEADLINE_SAVED_WITH_ITS_DECISION_PATCH);
  for (;;) {
    if (saves.pending && !savesWithItsDeadline()) {
      const saving = state;
      const refusal = await saves.saveNext((events) => decisionRecords().saveCase({ view: toCaseView(saving), events }), failedForGood);
      if (refusal) refuse(refusal);
      else recorded = saving;
      continue;
    }
    index(state);
    if (isClosed(state.status)) break;
    const settled = state.deadlineRequest === null && state.quotaRequest === null;
    if (settled && workflowInfo().continueAsNewSuggested && patched(APPLICATION_CONTINUES_AS_NEW_PATCH)) {
      // Updates in flight finish in this run; one that decided something is saved first.
      await condition(() => saves.pending || state.deadlineRequest !== null || allHandlersFinished());
      if (saves.pending || state.deadlineRequest !== null) continue;
      return continueAsNew<typeof recognitionCase>({ phase: 'application', state, termSettings: input.termSettings });
    }
    const request = state.deadlineRequest;
    if (request) {
      const deadline = await decisionRecords().resolveDeadline({ request, reminderWorkingDays: state.settings.reminderWorkingDays }).catch((err: unknown) => ({
        failure: failedForGood(err),
      }));
      // A decision taken meanwhile replaced the request; this answer is then moot.
      if (state.deadlineRequest === request) {
        apply('failure' in deadline ? applyStepFailure(state, 'resolveDeadline', deadline.failure, nowIso()) : applyDeadline(state, deadline, nowIso()));
      }
      continue;
    }
    const quotaRequest = state.quotaRequest;
    if (quotaRequest) {
      // Without a tiering run in force there is no quota yet (QuotaNotSet): the case waits like one
      // without a place. A quota that could not be set for another reason is recorded, as a refused place is.
      const quota = await ensureYearQuota({ year: state.year }).then(
        () => 'set' as const,
        (err: unknown) =>
          failedAs(err, QUOTA_NOT_SET_ERROR) || !patched(ONLY_EXPECTED_FAILURES_PASS_PATCH) ? ('not set' as const) : { failure: failedForGood(err) },
      );
      const answer =
        quota === 'set'
          ? await takeQuotaPlace({
              caseId: state.caseId,
              year: state.year,
              districtCode: state.districtCode,
              readyAt: quotaRequest.readyAt,
            }).catch((err: unknown) => ({ failure: failedForGood(err) }))
          : quota === 'not set'
            ? { taken: false as const, rank: 0, waiting: 0 }
            : quota;
      if ('failure' in answer) {
        // The quota refused the request for good: recorded, and the case asks again with the weekly retry.
        if (state.quotaRequest === quotaRequest) apply(applyStepFailure(state, 'takeQuotaPlace', answer.failure, nowIso()));
        continue;
      }
      if (state.quotaRequest === quotaRequest) {
        const outcome = applyQuotaAnswer(state, answer, nowIso());
        state = outcome.state;
        saves.push(...outcome.transitions.map((t) => t.event));
      } else if (isClosed(state.status) && patched(CLOSED_WHILE_TAKING_A_PLACE_PATCH)) {
        // Closed by a decision while the quota answered: a place taken or a place in the queue is not its to keep.
        if (answer.taken) {
          const returned = await releaseQuotaPlace({ caseId: state.caseId, reason: `case ${state.status} while its place was being taken` });
          if (returned.nextInLine) await tellPlaceFreed(returned.nextInLine);
          apply(returnPlaceOfClosedCase(state, returned, nowIso()));
        } else if (!('heldBySameOperator' in answer) && !state.quotaWait) {
          // A case that was already waiting leaves the list once its loop ends.
          await leaveWaitlist({ caseId: state.caseId });
        }
      }
      continue;
    }
    const wakeUp = nextCaseDuty(state, Date.now());
    if (wakeUp === null) {
      await condition(somethingToDo);
    } else if (!(await condition(somethingToDo, Math.max(wakeUp.at - Date.now(), 1), { summary: wakeUp.name }))) {
      apply(applyClock(state, Date.now(), nowIso()));
      state = retryQuota(state);
    }
  }

  if (state.status === 'quota_exhausted') await leaveWaitlist({ caseId: state.caseId });
  // Left on the waitlist, a rejected case would hold back every case ranked after it in its district.
  else if (state.status === 'rejected' && state.quotaWait && patched(REJECTED_LEAVES_WAITLIST_PATCH)) await leaveWaitlist({ caseId: state.caseId });
  await condition(allHandlersFinished);
  // Cases recognised before the recognised phase existed ended here; their histories must replay so.
  if (state.status === 'recognised' && patched(RECOGNISED_PHASE_PATCH)) {
    const tier = await readTierInForce({ uscc: state.uscc });
    return continueAsNew<typeof recognitionCase>({
      phase: 'recognised',
      start: 'recognition',
      application: recognisedApplication(state),
      tier,
      termSettings: input.termSettings ?? DEFAULT_RECOGNITION_TERM_SETTINGS,
    });
  }
  return toCaseView(state);
}

/**
 * One validity period of a recognition (policy/recognition-term.ts). It ends the case when the
 * recognition ends, or continues as new into the next period once extended, or when the
 * history grows long, so that each run's history stays small.
 */
async function recognisedPhase(input: RecognisedPhaseInput): Promise<RecognitionView> {
  const nowIso = (): string => new Date(Date.now()).toISOString();
  const today = (): string => cstDateOf(Date.now());
  const opened = openRecognisedPhase(input, nowIso());
  let state: RecognitionTerm = opened.state;
  const saves = new SaveLoop(opened.transitions.map((t) => t.event), 0);
  // As in the application: what a refused record falls back to (a continued run opens on a
  // recorded state).
  let recorded: RecognitionTerm | null = saves.pending ? null : state;
  const index = searchIndexer(state);

  const apply = (transitions: TermTransition | TermTransition[]): void => {
    for (const transition of Array.isArray(transitions) ? transitions : [transitions]) {
      state = transition.state;
      saves.push(transition.event);
    }
  };
  const applyOutcome = (outcome: { state: RecognitionTerm; transitions: TermTransition[] }): void => {
    state = outcome.state;
    saves.push(...outcome.transitions.map((t) => t.event));
  };
  const decided = async (transitions: TermTransition | TermTransition[]): Promise<TermDecisionAnswer> => {
    apply(transitions);
    await saves.saved(state.seq);
    return patched(SMALL_DECISION_ANSWERS_PATCH) ? termDecisionAnswer(state, workflowInfo().runId) : toRecognitionView(state);
  };
  const refuse = ({ refused, error }: Refusal<TermEvent>): void => {
    if (!recorded || !dropsADecision(refused)) {
      throw ApplicationFailure.create({ type: CASE_NOT_RECORDED_ERROR, message: `the recognition's records were refused: ${error}`, nonRetryable: true });
    }
    state = recorded;
    apply(applyTermRecordFailure(recorded, refused, error, nowIso()));
  };

  setHandler(recognitionViewQuery, () => toRecognitionView(state));
  setHandler(spotCheckUpdate, (command) => decided(applySpotCheck(state, command, nowIso())), {
    validator: (command) => rejectIfLateOrViolated(command, validateSpotCheck(state, command, today())),
  });
  setHandler(supplementUpdate, (command) => decided(applySupplement(state, command, nowIso())), {
    validator: (command) => rejectIfLateOrViolated(command, validateSupplement(state, command)),
  });
  setHandler(annualReportUpdate, (command) => decided(applyAnnualReport(state, command, nowIso())), {
    validator: (command) => rejectIfLateOrViolated(command, validateAnnualReport(state, command, today())),
  });
  setHandler(annualReportDecisionUpdate, (command) => decided(applyAnnualReportDecision(state, command, nowIso())), {
    validator: (command) => rejectIfLateOrViolated(command, validateAnnualReportDecision(state, command)),
  });
  setHandler(operatorChangeUpdate, (command) => decided(applyOperatorChange(state, command, nowIso())), {
    validator: (command) => rejectIfLateOrViolated(command, validateOperatorChange(state, command, today())),
  });
  setHandler(cancellationUpdate, (command) => decided(applyCancellation(state, command, nowIso())), {
    validator: (command) => rejectIfLateOrViolated(command, validateCancellation(state, command)),
  });
  setHandler(evaluationFindingUpdate, (command) => decided(applyEvaluationFinding(state, command, nowIso())), {
    validator: (command) => rejectIfLateOrViolated(command, validateEvaluationFinding(state, command, today())),
  });
  setHandler(revocationUpdate, (command) => decided(applyRevocation(state, command, nowIso())), {
    validator: (command) => rejectIfLateOrViolated(command, validateRevocation(state, command)),
  });
  setHandler(transferOutUpdate, (command) => decided(applyTransferOut(state, command, nowIso())), {
    validator: (command) => rejectIfLateOrViolated(command, validateTransferOut(state, command, today())),
  });

  const somethingToDo = (): boolean =>
    saves.pending ||
    state.placeRelease !== null ||
    state.extension !== null ||
    state.deadlineRequest !== null ||
    state.operatorRecheck !== null ||
    state.evaluationDataDue;

  for (;;) {
    if (saves.pending) {
      const saving = state;
      const refusal = await saves.saveNext((events) => decisionRecords().saveRecognition({ view: toRecognitionView(saving), events }), failedForGood);
      if (refusal) refuse(refusal);
      else recorded = saving;
      continue;
    }
    index(state);
    const release = state.placeRelease;
    if (release) {
      const released = await releaseQuotaPlace({ caseId: state.caseId, reason: release.reason });
      if (released.nextInLine) await tellPlaceFreed(released.nextInLine);
      apply(applyPlaceReleased(state, released, nowIso()));
      continue;
    }
    if (isTermClosed(state.status)) break;
    if (state.extension || workflowInfo().continueAsNewSuggested) {
      // Updates in flight finish in this run; one that decided something is saved first.
      await condition(() => saves.pending || allHandlersFinished());
      if (saves.pending) continue;
      return continueAsNew<typeof recognitionCase>(continueRecognisedPhase(state));
    }
    const request = state.deadlineRequest;
    if (request) {
      const deadline = await decisionRecords().resolveDeadline({ request, reminderWorkingDays: state.termSettings.supplementReminderWorkingDays });
      if (state.deadlineRequest === request) apply(applyTermDeadline(state, deadline, nowIso()));
      continue;
    }
    const recheck = state.operatorRecheck;
    if (recheck) {
      const facts = await gatherEligibilityFacts({ uscc: state.uscc, route: 'self', applicationDate: recheck.asOf, year: yearOf(recheck.asOf) }).catch(
        householdGone,
      );
      if (state.operatorRecheck === recheck) apply(applyOperatorRecheck(state, recheckOperator(facts), facts?.household.operatorId ?? null, nowIso()));
      continue;
    }
    if (state.evaluationDataDue) {
      const data = await readEvaluationData(evaluationDataQuery(state, today()));
      if (state.evaluationDataDue && !isTermClosed(state.status) && !state.extension) applyOutcome(applyEvaluationData(state, data, nowIso()));
      continue;
    }
    const wakeUp = nextTermDuty(state);
    if (wakeUp === null) {
      await condition(somethingToDo);
    } else if (!(await condition(somethingToDo, Math.max(wakeUp.at - Date.now(), 1), { summary: wakeUp.name }))) {
      applyOutcome(applyTermClock(state, Date.now(), nowIso()));
    }
  }

  await condition(allHandlersFinished);
  return toRecognitionView(state);
}

/**
 * Keeps the case's search attributes current (CaseStatus, for operators' queries) once its
 * status has moved and been recorded. A run opens on the status its case was started or
 * continued with, which the attributes already carry (a continued run inherits its
 * predecessor's); cases before CASE_STATUS_KEPT_CURRENT_PATCH kept their opening attributes.
 */
function searchIndexer(opening: CaseIndexFields): (fields: CaseIndexFields) => void {
  let indexedStatus = opening.status;
  return (fields) => {
    if (fields.status === indexedStatus) return;
    indexedStatus = fields.status;
    // All of them, so that a case started before they existed gains the rest as it moves.
    if (patched(CASE_STATUS_KEPT_CURRENT_PATCH)) upsertSearchAttributes(caseSearchAttributes(fields));
  };
}

/** The failure type Temporal gives a signal to a workflow that has ended or never was. */
const TARGET_WORKFLOW_GONE = 'ExternalWorkflowExecutionNotFound';

/** Tells the first case waiting for a place that one is free (C-QUOTA). */
async function tellPlaceFreed(caseId: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(caseId).signal(quotaPlaceFreedSignal);
  } catch (err) {
    // It ended meanwhile; a case still waiting asks again weekly, so no word is lost for good.
    if (err instanceof ApplicationFailure && (err.type === TARGET_WORKFLOW_GONE || !patched(ONLY_EXPECTED_FAILURES_PASS_PATCH))) return;
    throw err;
  }
}

/** Whether refused events hold something a person decided (not only the system's own steps and failure records). */
function dropsADecision(refused: readonly { actor: { role: string }; action: string }[]): boolean {
  return !refused.every((e) => e.actor.role === 'system' || e.action === 'record_failed');
}

/**
 * An activity that failed for good (a data error PostgreSQL refuses, or one its retry policy
 * gives up on) answers what went wrong, in words safe to record; anything else is not the
 * activity's verdict and fails the workflow task, to be retried.
 */
function failedForGood(err: unknown): string {
  const cause = activityFailureCause(err);
  if (cause === undefined) throw err;
  const what = cause instanceof ApplicationFailure ? `${cause.type ?? 'Error'}: ${cause.message}` : (cause?.message ?? (err as Error).message);
  // The refused data may be quoted back; what is recorded keeps none of its control characters.
  return what.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 300);
}

/** Why an activity failed: a queued one's failure wraps the cause; a local one's arrives unwrapped. Undefined for any other error. */
function activityFailureCause(err: unknown): Error | null | undefined {
  if (err instanceof ActivityFailure) return err.cause ?? null;
  return err instanceof ApplicationFailure ? err : undefined;
}

/** A household no longer in the registry fails the base standard (T-B1) instead of failing the workflow. */
function householdGone(err: unknown): null {
  if (failedAs(err, HOUSEHOLD_NOT_FOUND_ERROR)) return null;
  throw err;
}

/** Whether an activity failed with an ApplicationFailure of `type`. */
function failedAs(err: unknown, type: string): boolean {
  const cause = activityFailureCause(err);
  return cause instanceof ApplicationFailure && cause.type === type;
}

