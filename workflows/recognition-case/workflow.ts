import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CaseActivities } from '../../activities/case-records.js';
import { cstDateOf } from '../../policy/dates.js';
import {
  applyClock,
  applyDeadline,
  applyReview,
  applySupplyInformation,
  isClosed,
  nextWakeUp,
  openCase,
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
  reviewUpdate,
  supplyInformationUpdate,
  toCaseView,
  type CaseView,
  type RecognitionCaseInput,
} from './contract.js';

const { saveCase, resolveDeadline } = proxyActivities<CaseActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function recognitionCase(input: RecognitionCaseInput): Promise<CaseView> {
  const opened = openCase(workflowInfo().workflowId, input);
  let state: CaseState = opened.state;
  // Events are persisted in order by the main loop alone; handlers wait until theirs is saved.
  let unsaved: CaseEvent[] = [opened.event];
  let savedSeq = 0;

  const apply = (transition: Transition): void => {
    state = transition.state;
    unsaved.push(transition.event);
  };
  const nowIso = (): string => new Date(Date.now()).toISOString();
  const savedView = async (seq: number): Promise<CaseView> => {
    await condition(() => savedSeq >= seq);
    return toCaseView(state);
  };

  setHandler(caseViewQuery, () => toCaseView(state));
  setHandler(
    reviewUpdate,
    (command) => {
      apply(applyReview(state, command, nowIso()));
      return savedView(state.seq);
    },
    { validator: (command) => rejectIfViolated(validateReview(state, command, cstDateOf(Date.now()))) },
  );
  setHandler(
    supplyInformationUpdate,
    (command) => {
      apply(applySupplyInformation(state, command, nowIso()));
      return savedView(state.seq);
    },
    { validator: (command) => rejectIfViolated(validateSupplyInformation(state, command)) },
  );

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
    const somethingToDo = (): boolean => unsaved.length > 0 || state.deadlineRequest !== null;
    const wakeUp = nextWakeUp(state);
    if (wakeUp === null) {
      await condition(somethingToDo);
    } else if (!(await condition(somethingToDo, Math.max(wakeUp - Date.now(), 1)))) {
      applyClock(state, Date.now(), nowIso()).forEach(apply);
    }
  }

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
