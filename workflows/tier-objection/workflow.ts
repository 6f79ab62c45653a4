import { allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CalendarActivities } from '../../activities/calendar.js';
import type { ObjectionActivities } from '../../activities/objections.js';
import { cstDateOf } from '../../policy/dates.js';
import {
  applyClock,
  applyDeadline,
  applyDecision,
  needsDeadline,
  nextObjectionDuty,
  openObjection,
  validateDecision,
  type ObjectionEvent,
  type ObjectionState,
  type ObjectionTransition,
} from '../../policy/tier-objection.js';
import { DATA_ERROR } from '../../policy/vocabulary.js';
import { SaveLoop } from '../save-loop.js';
import { rejectIfLateOrViolated } from '../update-validators.js';
import { decideObjectionUpdate, objectionViewQuery, type ObjectionView, type TierObjectionInput } from './contract.js';

const { saveObjection, workingDayDeadline } = proxyActivities<ObjectionActivities & CalendarActivities>({
  startToCloseTimeout: '30 seconds',
  // Data PostgreSQL refuses (DataError) fails at once: the objection fails visibly instead of retrying forever.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: [DATA_ERROR] },
});

/** An objection to a tier (T-OBJ), from filing until the city office answers it. */
export async function tierObjection(input: TierObjectionInput): Promise<ObjectionView> {
  const opened = openObjection(workflowInfo().workflowId, input);
  let state: ObjectionState = opened.state;
  const saves = new SaveLoop<ObjectionEvent>([opened.event], 0);

  const apply = (transition: ObjectionTransition): void => {
    state = transition.state;
    saves.push(transition.event);
  };
  const nowIso = (): string => new Date(Date.now()).toISOString();

  setHandler(objectionViewQuery, () => state);
  setHandler(
    decideObjectionUpdate,
    async (command) => {
      apply(applyDecision(state, command, nowIso()));
      await saves.saved(state.seq);
      return state;
    },
    { validator: (command) => rejectIfLateOrViolated(command, validateDecision(state, command, cstDateOf(Date.now()))) },
  );

  for (;;) {
    if (saves.pending) {
      // A refusal is not recorded on the objection: any failure of the save fails the workflow.
      await saves.saveNext((events) => saveObjection({ view: state, events }));
      continue;
    }
    if (state.status !== 'open') break;
    if (needsDeadline(state)) {
      const deadline = await workingDayDeadline({
        from: cstDateOf(Date.parse(state.filedAt)),
        workingDays: state.settings.answerWorkingDays,
        reminderWorkingDays: state.settings.reminderWorkingDays,
      });
      // A decision taken meanwhile closed the objection; its deadline is then moot.
      if (state.status === 'open') apply(applyDeadline(state, { ...deadline, reminded: false, passed: false }, nowIso()));
      continue;
    }
    const somethingToSave = (): boolean => saves.pending;
    const wakeUp = nextObjectionDuty(state);
    if (wakeUp === null) {
      await condition(somethingToSave);
    } else if (!(await condition(somethingToSave, Math.max(wakeUp.at - Date.now(), 1), { summary: wakeUp.name }))) {
      applyClock(state, Date.now(), nowIso()).forEach(apply);
    }
  }

  await condition(allHandlersFinished);
  return state;
}
