/**
 * Objections to a tier (T-OBJ) as pure rules over plain data, in the manner of the recognition
 * case: `validate*` say whether a command may happen and why not, `apply*` compute the next
 * state and the audit event it leaves. No I/O, no clock: callers pass the instant and the CST date.
 *
 * The city office corrects a tier only through the rules: an upheld objection re-runs
 * `decideTier` on the contested facts overlaid with the corrected facts, and the corrected tier
 * is whatever that trace gives. Nobody types a tier. An objection is the operator's remedy: upholding
 * it never lowers the contested tier, and every answer states its reason.
 */
import { SYSTEM_ACTOR, type Actor } from './actors.js';
import { addDays, isValidIsoDate, startOfCstDay, yearOf, type IsoDate } from './dates.js';
import { fireDueDuties, nextDuty, type TimedDuty } from './timed-duties.js';
import type { RuleViolation } from './vocabulary.js';
import { storedTrace, type StoredTierTrace } from './tier-trace.js';
import {
  TIERS,
  decideTier,
  type AnnualReportFacts,
  type CreditEventFacts,
  type HouseholdFacts,
  type IpRightFacts,
  type RegistrationStatus,
  type SocialInsuranceFacts,
  type TaxFacts,
  type Tier,
  type TierDecision,
} from './tiering.js';

export type ObjectionStatus = 'open' | 'upheld' | 'dismissed';
export type ObjectionAction = 'filed' | 'deadline_set' | 'reminder_sent' | 'deadline_escalated' | 'upheld' | 'dismissed';

/**
 * Corrections to a household's facts, laid over the facts the contested tier was decided on.
 * Scalars replace; a row replaces the row with the same key (annual report, tax and social
 * insurance by year, IP right by kind and registration number, credit event by kind and
 * listing date) or is added. Nothing is deleted: a wrong listing is corrected by its
 * clearance date, a trademark no longer used by `inUse: false`.
 */
export interface FactsCorrection {
  establishedOn?: IsoDate;
  status?: RegistrationStatus;
  seasonal?: boolean;
  suspendedOn?: IsoDate | null;
  annualReports?: AnnualReportFacts[];
  tax?: TaxFacts[];
  socialInsurance?: SocialInsuranceFacts[];
  ipRights?: IpRightFacts[];
  creditEvents?: CreditEventFacts[];
}

export interface ObjectionSettings {
  /** Working days the city office has to answer an objection. */
  answerWorkingDays: number;
  /** How many working days before the due date the reminder goes out. */
  reminderWorkingDays: number;
}

/** Not policy: the text sets no time limit for answering an objection. */
export const DEFAULT_OBJECTION_SETTINGS: Readonly<ObjectionSettings> = { answerWorkingDays: 15, reminderWorkingDays: 3 };

/** The household's current tier when the objection was filed, with the trace it was decided on. */
export interface ContestedTier {
  tier: Tier;
  year: number;
  asOf: IsoDate;
  source: string;
  runId: number | null;
  ruleVersion: string;
  trace: StoredTierTrace;
}

export interface ObjectionInput {
  uscc: string;
  districtCode: string;
  householdName: string;
  contested: ContestedTier;
  reason: string;
  correctedFacts: FactsCorrection | null;
  filedBy: Actor;
  /** The instant the objection was received (ISO 8601). */
  filedAt: string;
  settings: ObjectionSettings;
}

export interface ObjectionDeadline {
  dueOn: IsoDate;
  remindOn: IsoDate;
  reminded: boolean;
  passed: boolean;
  /** Years for which no holiday notice was loaded, so Monday–Friday was assumed (calendar.md). */
  fallbackYears: number[];
}

export interface ObjectionDecision {
  decision: 'upheld' | 'dismissed';
  by: Actor;
  at: string;
  reason: string | null;
  /** The corrections the decision rests on (upheld only). */
  correctedFacts: FactsCorrection | null;
  /** The corrected tier and its trace (upheld only). */
  tier: Tier | null;
  trace: StoredTierTrace | null;
}

export interface ObjectionState extends ObjectionInput {
  objectionId: string;
  /** The contested tier's year: one objection per household and year. */
  year: number;
  status: ObjectionStatus;
  updatedAt: string;
  deadline: ObjectionDeadline | null;
  decision: ObjectionDecision | null;
  /** Sequence number of the last audit event; also the projection's version. */
  seq: number;
}

export interface ObjectionEvent {
  seq: number;
  at: string;
  actor: Actor;
  action: ObjectionAction;
  fromStatus: ObjectionStatus | null;
  toStatus: ObjectionStatus;
  reason: string | null;
  clauses: string[];
  details: Record<string, unknown>;
}

export interface ObjectionTransition {
  state: ObjectionState;
  event: ObjectionEvent;
}

export type ObjectionDecisionCommand =
  | { decision: 'upheld'; actor: Actor; reason?: string; correctedFacts?: FactsCorrection; tier?: Tier }
  | { decision: 'dismissed'; actor: Actor; reason: string };

const CLAUSE = 'T-OBJ';

/** The tiers from lowest to highest: unclassified is outside the sequence, below survival. */

// ── Corrected facts ──────────────────────────────────────────────────────────────────────

/** Dates valid and not after `today`, money and counts not negative, years not in the future, keys unique. */
export function validateFactsCorrection(correction: FactsCorrection, today: IsoDate, field: string): RuleViolation | null {
  if (Object.values(correction).every((value) => value === undefined)) {
    return violation(422, field, 'names no fact to correct');
  }
  const currentYear = yearOf(today);
  const problems: RuleViolation[] = [];
  const date = (value: IsoDate | null | undefined, path: string): void => {
    if (value === null || value === undefined) return;
    if (!isValidIsoDate(value)) problems.push(violation(422, `${field}.${path}`, `'${value}' is not a date (YYYY-MM-DD)`));
    else if (value > today) problems.push(violation(422, `${field}.${path}`, `${value} is in the future`));
  };
  const notNegative = (value: number | null | undefined, path: string, integer = false): void => {
    if (value === null || value === undefined) return;
    if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
      problems.push(violation(422, `${field}.${path}`, `must be ${integer ? 'an integer' : 'an amount'} ≥ 0, got ${value}`));
    }
  };
  const year = (value: number, path: string): void => {
    if (!Number.isInteger(value) || value < 1 || value > currentYear) {
      problems.push(violation(422, `${field}.${path}`, `year ${value} is not a past or current year`));
    }
  };
  const uniqueKeys = <T>(rows: readonly T[] | undefined, key: (row: T) => string, path: string): void => {
    const seen = new Set<string>();
    rows?.forEach((row, i) => {
      if (seen.has(key(row))) problems.push(violation(422, `${field}.${path}.${i}`, `a second row for ${key(row)}`));
      seen.add(key(row));
    });
  };

  date(correction.establishedOn, 'establishedOn');
  date(correction.suspendedOn, 'suspendedOn');
  correction.annualReports?.forEach((report, i) => {
    year(report.year, `annualReports.${i}.year`);
    date(report.filedOn, `annualReports.${i}.filedOn`);
    if (report.filedOn && isValidIsoDate(report.filedOn) && yearOf(report.filedOn) <= report.year) {
      problems.push(violation(422, `${field}.annualReports.${i}.filedOn`, `a report on ${report.year} is filed after that year ends`));
    }
    notNegative(report.revenue, `annualReports.${i}.revenue`);
  });
  correction.tax?.forEach((row, i) => {
    year(row.year, `tax.${i}.year`);
    date(row.taxRegisteredOn, `tax.${i}.taxRegisteredOn`);
    notNegative(row.vatPaid, `tax.${i}.vatPaid`);
    notNegative(row.iitPaid, `tax.${i}.iitPaid`);
  });
  correction.socialInsurance?.forEach((row, i) => {
    year(row.year, `socialInsurance.${i}.year`);
    notNegative(row.insuredCount, `socialInsurance.${i}.insuredCount`, true);
  });
  correction.creditEvents?.forEach((event, i) => {
    date(event.listedOn, `creditEvents.${i}.listedOn`);
    date(event.clearedOn, `creditEvents.${i}.clearedOn`);
    if (event.clearedOn && event.clearedOn < event.listedOn) {
      problems.push(violation(422, `${field}.creditEvents.${i}.clearedOn`, 'a listing is cleared after it is listed'));
    }
  });
  uniqueKeys(correction.annualReports, (row) => `year ${row.year}`, 'annualReports');
  uniqueKeys(correction.tax, (row) => `year ${row.year}`, 'tax');
  uniqueKeys(correction.socialInsurance, (row) => `year ${row.year}`, 'socialInsurance');
  uniqueKeys(correction.ipRights, (row) => `${row.kind} ${row.registrationNo}`, 'ipRights');
  uniqueKeys(correction.creditEvents, (row) => `${row.kind} listed on ${row.listedOn}`, 'creditEvents');
  return problems[0] ?? null;
}

export function overlayFacts(facts: HouseholdFacts, correction: FactsCorrection): HouseholdFacts {
  const merge = <T>(rows: readonly T[], corrected: readonly T[] | undefined, key: (row: T) => string): T[] => {
    if (!corrected) return [...rows];
    const replaced = new Set(corrected.map(key));
    return [...rows.filter((row) => !replaced.has(key(row))), ...corrected];
  };
  return {
    ...facts,
    establishedOn: correction.establishedOn ?? facts.establishedOn,
    status: correction.status ?? facts.status,
    seasonal: correction.seasonal ?? facts.seasonal,
    suspendedOn: correction.suspendedOn === undefined ? facts.suspendedOn : correction.suspendedOn,
    annualReports: merge(facts.annualReports, correction.annualReports, (row) => String(row.year)),
    tax: merge(facts.tax, correction.tax, (row) => String(row.year)),
    socialInsurance: merge(facts.socialInsurance, correction.socialInsurance, (row) => String(row.year)),
    ipRights: merge(facts.ipRights, correction.ipRights, (row) => `${row.kind}/${row.registrationNo}`),
    creditEvents: merge(facts.creditEvents, correction.creditEvents, (row) => `${row.kind}/${row.listedOn}`),
  };
}

/** The tier the contested facts give once corrected, on the contested run's date and thresholds. */
export function redecide(contested: ContestedTier, correction: FactsCorrection): { decision: TierDecision; trace: StoredTierTrace } {
  const facts = overlayFacts(contested.trace.facts, correction);
  const decision = decideTier(facts, contested.asOf, contested.trace.thresholds);
  return { decision, trace: storedTrace(decision, facts, contested.trace.thresholds) };
}

// ── The objection's life ─────────────────────────────────────────────────────────────────

export function openObjection(objectionId: string, input: ObjectionInput): ObjectionTransition {
  const state: ObjectionState = {
    ...input,
    objectionId,
    year: input.contested.year,
    status: 'open',
    updatedAt: input.filedAt,
    deadline: null,
    decision: null,
    seq: 1,
  };
  return {
    state,
    event: {
      seq: 1,
      at: input.filedAt,
      actor: input.filedBy,
      action: 'filed',
      fromStatus: null,
      toStatus: 'open',
      reason: input.reason,
      clauses: [CLAUSE],
      details: { contestedTier: input.contested.tier, year: input.contested.year, correctedFacts: input.correctedFacts },
    },
  };
}

/** Whether the workflow still has to count the answer's due date. */
export function needsDeadline(state: ObjectionState): boolean {
  return state.status === 'open' && state.deadline === null;
}

export function applyDeadline(state: ObjectionState, deadline: ObjectionDeadline, at: string): ObjectionTransition {
  return transition(state, at, SYSTEM_ACTOR, 'deadline_set', state.status, null, {
    patch: { deadline },
    details: { ...deadline, workingDays: state.settings.answerWorkingDays },
  });
}

/** The reminder fires at the start of its day, CST; a due date is met until the end of its day. */
function reminderMoment(deadline: ObjectionDeadline): number {
  return startOfCstDay(deadline.remindOn);
}

function passedMoment(deadline: ObjectionDeadline): number {
  return startOfCstDay(addDays(deadline.dueOn, 1));
}

/** What the clock alone decides on an open objection, each once and in this order: the reminder to the city office, then the escalation. */
export const OBJECTION_DUTIES: readonly TimedDuty<ObjectionState, ObjectionEvent>[] = [
  {
    name: '异议处理截止提醒 (T-OBJ)',
    dueAt: ({ deadline }) => (deadline && !deadline.reminded ? reminderMoment(deadline) : null),
    fire: (state, at) => {
      const deadline = state.deadline as ObjectionDeadline;
      return transition(state, at, SYSTEM_ACTOR, 'reminder_sent', 'open', null, {
        patch: { deadline: { ...deadline, reminded: true } },
        details: { dueOn: deadline.dueOn, notify: 'city' },
      });
    },
  },
  {
    name: '异议处理已逾期 (T-OBJ)',
    dueAt: ({ deadline }) => (deadline && !deadline.passed ? passedMoment(deadline) : null),
    fire: (state, at) => {
      const deadline = state.deadline as ObjectionDeadline;
      return transition(state, at, SYSTEM_ACTOR, 'deadline_escalated', 'open', 'objection not answered by its due date', {
        patch: { deadline: { ...deadline, reminded: true, passed: true } },
        details: { dueOn: deadline.dueOn, notify: 'city' },
      });
    },
  },
];

/** The next duty the objection wakes for by the clock alone, or null when nothing is pending. */
export function nextObjectionDuty(state: ObjectionState): { at: number; name: string } | null {
  return state.deadline && state.status === 'open' ? nextDuty(OBJECTION_DUTIES, state) : null;
}

/** What the clock alone decides at `nowMs`: every duty of OBJECTION_DUTIES then due, each once. */
export function applyClock(state: ObjectionState, nowMs: number, at: string): ObjectionTransition[] {
  if (!state.deadline || state.status !== 'open') return [];
  return fireDueDuties(OBJECTION_DUTIES, state, nowMs, at).transitions;
}

export function validateDecision(state: ObjectionState, command: ObjectionDecisionCommand, today: IsoDate): RuleViolation | null {
  if (command.actor.role !== 'city') {
    return violation(403, 'actor', 'the city office answers objections to a tier');
  }
  if (state.status !== 'open') return violation(409, 'decision', `the objection is already ${state.status}`);
  if (command.decision === 'dismissed') {
    return isBlank(command.reason) ? violation(422, 'reason', 'a dismissal states its reason') : null;
  }
  if (command.correctedFacts) {
    const invalid = validateFactsCorrection(command.correctedFacts, today, 'correctedFacts');
    if (invalid) return invalid;
  }
  const correction = command.correctedFacts ?? state.correctedFacts;
  if (!correction) {
    return violation(422, 'correctedFacts', 'upholding re-runs the tiering on corrected facts: name the facts that were wrong');
  }
  const { tier } = redecide(state.contested, correction).decision;
  const contested = state.contested.tier;
  if (tier === contested) {
    return violation(422, 'correctedFacts', `the corrected facts still give ${tier}: the standard for another tier is not met, dismiss instead`);
  }
  // T-OBJ corrects the tier where the standard is met: facts that lower it answer the objection with a dismissal.
  if (TIERS.indexOf(tier) < TIERS.indexOf(contested)) {
    return violation(
      422,
      'correctedFacts',
      `the corrected facts give ${tier}, below the contested ${contested}: upholding an objection never lowers the tier, dismiss instead`,
    );
  }
  if (command.tier !== undefined && command.tier !== tier) {
    return violation(422, 'tier', `the corrected facts give ${tier}, not ${command.tier}: the tier follows from the trace`);
  }
  if (isBlank(command.reason)) return violation(422, 'reason', 'an upheld objection states its reason');
  return null;
}

/** Applies a decision that `validateDecision` accepted. */
export function applyDecision(state: ObjectionState, command: ObjectionDecisionCommand, at: string): ObjectionTransition {
  if (command.decision === 'dismissed') {
    const reason = command.reason.trim();
    return transition(state, at, command.actor, 'dismissed', 'dismissed', reason, {
      patch: { decision: { decision: 'dismissed', by: command.actor, at, reason, correctedFacts: null, tier: null, trace: null } },
      details: { contestedTier: state.contested.tier },
    });
  }
  const correctedFacts = command.correctedFacts ?? state.correctedFacts;
  if (!correctedFacts) throw new Error('an upheld objection needs corrected facts (validateDecision)');
  const { decision, trace } = redecide(state.contested, correctedFacts);
  // Upholding without a reason was accepted once: such decisions still replay.
  const reason = isBlank(command.reason) ? null : command.reason!.trim();
  return transition(state, at, command.actor, 'upheld', 'upheld', reason, {
    patch: { decision: { decision: 'upheld', by: command.actor, at, reason, correctedFacts, tier: decision.tier, trace } },
    details: { contestedTier: state.contested.tier, correctedTier: decision.tier, outcomes: trace.outcomes, correctedFacts },
  });
}

function transition(
  state: ObjectionState,
  at: string,
  actor: Actor,
  action: ObjectionAction,
  toStatus: ObjectionStatus,
  reason: string | null,
  change: { patch: Partial<ObjectionState>; details: Record<string, unknown> },
): ObjectionTransition {
  const seq = state.seq + 1;
  return {
    state: { ...state, ...change.patch, status: toStatus, seq, updatedAt: at },
    event: { seq, at, actor, action, fromStatus: state.status, toStatus, reason, clauses: [CLAUSE], details: change.details },
  };
}

function violation(status: RuleViolation['status'], field: string, message: string): RuleViolation {
  return { status, field, clause: CLAUSE, message: `${CLAUSE}: ${message}` };
}

function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}
