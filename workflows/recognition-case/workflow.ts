import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CaseActivities } from '../../activities/case-records.js';
import type { QuotaActivities } from '../../activities/quota.js';
import { cstDateOf } from '../../policy/dates.js';
import {
  applyClock,
  applyDeadline,
  applyOpinion,
  applyPublicityObjection,
  applyQuotaAnswer,
  applyReview,
  applySupplyInformation,
  isClosed,
  nextWakeUp,
  openCase,
  retryQuota,
  validateOpinion,
  validatePublicityObjection,
  validateReview,
  validateSupplyInformation,
  type CaseEvent,
  type CaseState,
  type RuleViolation,
  type Transition,
} from '../../policy/recognition-case.js';
import {
  RULE_VIOLATION_ERROR,
  caseViewQuery,
  opinionUpdate,
  publicityObjectionUpdate,
  quotaPlaceFreedSignal,
  reviewUpdate,
  supplyInformationUpdate,
  toCaseView,
  type CaseView,
  type RecognitionCaseInput,
} from './contract.js';

const { saveCase, resolveDeadline, ensureYearQuota, takeQuotaPlace, leaveWaitlist } = proxyActivities<CaseActivities & QuotaActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function recognitionCase(input: RecognitionCaseInput): Promise<CaseView> {
  const opened = openCase(workflowInfo().workflowId, input);
  let state: CaseState = opened.state;
  // Events are persisted in order by the main loop alone; handlers wait until theirs is saved.
  let unsaved: CaseEvent[] = [opened.event];
  let savedSeq = 0;

  const apply = (transitions: Transition | Transition[]): void => {
    for (const transition of Array.isArray(transitions) ? transitions : [transitions]) {
      state = transition.state;
      unsaved.push(transition.event);
    }
  };
  const nowIso = (): string => new Date(Date.now()).toISOString();
  const today = (): string => cstDateOf(Date.now());
  const decided = async (transitions: Transition | Transition[]): Promise<CaseView> => {
    apply(transitions);
    const seq = state.seq;
    await condition(() => savedSeq >= seq);
    return toCaseView(state);
  };

  setHandler(caseViewQuery, () => toCaseView(state));
  setHandler(quotaPlaceFreedSignal, () => {
    state = retryQuota(state);
  });
  setHandler(reviewUpdate, (command) => decided(applyReview(state, command, nowIso())), {
    validator: (command) => rejectIfViolated(validateReview(state, command, today())),
  });
  setHandler(supplyInformationUpdate, (command) => decided(applySupplyInformation(state, command, nowIso())), {
    validator: (command) => rejectIfViolated(validateSupplyInformation(state, command)),
  });
  setHandler(opinionUpdate, (command) => decided(applyOpinion(state, command, nowIso())), {
    validator: (command) => rejectIfViolated(validateOpinion(state, command)),
  });
  setHandler(publicityObjectionUpdate, (command) => decided(applyPublicityObjection(state, command, nowIso())), {
    validator: (command) => rejectIfViolated(validatePublicityObjection(state, command, today())),
  });

  const somethingToDo = (): boolean => unsaved.length > 0 || state.deadlineRequest !== null || state.quotaRequest !== null;

  for (;;) {
    if (unsaved.length > 0) {
      const events = unsaved;
      unsaved = [];
      await saveCase({ view: toCaseView(state), events });
      savedSeq = events[events.length - 1]!.seq;
      continue;
    }
    if (isClosed(state.status)) break;
    const request = state.deadlineRequest;
    if (request) {
      const deadline = await resolveDeadline({ request, reminderWorkingDays: state.settings.reminderWorkingDays });
      // A decision taken meanwhile replaced the request; this answer is then moot.
      if (state.deadlineRequest === request) apply(applyDeadline(state, deadline, nowIso()));
      continue;
    }
    const quotaRequest = state.quotaRequest;
    if (quotaRequest) {
      // Without a tiering run in force there is no quota yet: the case waits like one without a place.
      const quotaSet = await ensureYearQuota({ year: state.year }).then(
        () => true,
        () => false,
      );
      const answer = quotaSet
        ? await takeQuotaPlace({
            caseId: state.caseId,
            year: state.year,
            districtCode: state.districtCode,
            readyAt: quotaRequest.readyAt,
          })
        : { taken: false as const, rank: 0, waiting: 0 };
      if (state.quotaRequest === quotaRequest) {
        const outcome = applyQuotaAnswer(state, answer, nowIso());
        state = outcome.state;
        unsaved.push(...outcome.transitions.map((t) => t.event));
      }
      continue;
    }
    const wakeUp = nextWakeUp(state, Date.now());
    if (wakeUp === null) {
      await condition(somethingToDo);
    } else if (!(await condition(somethingToDo, Math.max(wakeUp - Date.now(), 1)))) {
      apply(applyClock(state, Date.now(), nowIso()));
      state = retryQuota(state);
    }
  }

  if (state.status === 'quota_exhausted') await leaveWaitlist({ caseId: state.caseId });
  await condition(allHandlersFinished);
  return toCaseView(state);
}

function rejectIfViolated(violation: RuleViolation | null): void {
  if (violation) {
    throw ApplicationFailure.create({
      type: RULE_VIOLATION_ERROR,
      message: violation.message,
      details: [violation],
      nonRetryable: true,
    });
  }
}
