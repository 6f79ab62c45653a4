/**
 * Timed duties: what the clock alone brings due, each declared once — when it falls due and
 * what it fires — as statecharts declare `after`. A workflow's next wake-up and what a wake-up
 * fires are both derived from the one list, so the two cannot disagree (a case that wakes for
 * nothing, or never wakes for a duty it has).
 */

/** What firing a duty leaves: the next state, and the audit event when the duty is one to record. */
export interface DutyStep<State, Event> {
  state: State;
  event?: Event;
}

export interface TimedDuty<State, Event> {
  /** Which duty this is, in the words an operator reads on the workflow's timer (zh-CN). */
  name: string;
  /** The instant it falls due, or null while it is not pending. */
  dueAt(state: State): number | null;
  /** The instant from which it is moot and no longer fired: a duty of a period that ends then. */
  until?(state: State): number;
  /** What it fires: a step, or the steps it sets going (none where it changes nothing). */
  fire(state: State, at: string): DutyStep<State, Event> | DutyStep<State, Event>[];
}

/** The next duty to fall due and when, or null when none is pending. Ties go to the first listed. */
export function nextDuty<State, Event>(duties: readonly TimedDuty<State, Event>[], state: State): { at: number; name: string } | null {
  let next: { at: number; name: string } | null = null;
  for (const duty of duties) {
    const at = duty.dueAt(state);
    if (at === null || (duty.until && at >= duty.until(state))) continue;
    if (next === null || at < next.at) next = { at, name: duty.name };
  }
  return next;
}

/**
 * Fires, in the order listed, every duty due at `nowMs`, each on the state the ones before it
 * left; stops once `ends` (if given) says the state is final (a duty that closed the case).
 */
export function fireDueDuties<State, Event>(
  duties: readonly TimedDuty<State, Event>[],
  state: State,
  nowMs: number,
  at: string,
  ends: (state: State) => boolean = () => false,
): { state: State; transitions: { state: State; event: Event }[] } {
  let current = state;
  const transitions: { state: State; event: Event }[] = [];
  for (const duty of duties) {
    if (ends(current)) break;
    const dueAt = duty.dueAt(current);
    if (dueAt === null || nowMs < dueAt || (duty.until && nowMs >= duty.until(current))) continue;
    const fired = duty.fire(current, at);
    for (const step of Array.isArray(fired) ? fired : [fired]) {
      current = step.state;
      if (step.event) transitions.push({ state: step.state, event: step.event });
    }
  }
  return { state: current, transitions };
}
