/**
 * The 名特优新 recognition case (RULES.md part 2) as pure rules over plain data:
 * `validate*` say whether a command may happen and why not (with the clause it breaks),
 * `apply*` compute the next state and the audit event it leaves. No I/O, no clock: the
 * caller passes the instant and the CST date.
 */
import type { Actor, Role } from './actors.js';
import { SYSTEM_ACTOR } from './actors.js';
import { addDays, cstDateOf, isValidIsoDate, startOfCstDay, type IsoDate } from './dates.js';

export const CATEGORIES = ['renowned', 'distinctive', 'quality', 'emerging'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Minimum criteria per category; any one suffices. */
export const CATEGORY_CRITERIA: Record<Category, readonly string[]> = {
  renowned: ['K1', 'K2', 'K3', 'K4', 'K5'],
  distinctive: ['F1', 'F2', 'F3', 'F4', 'F5', 'F6'],
  quality: ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6'],
  emerging: ['E1', 'E2', 'E3', 'E4'],
};

/** "Recommended by a department" can only come from a department (C-REC), never be self-claimed. */
export const DEPARTMENT_RECOMMENDATION_CRITERIA: readonly string[] = ['K5', 'F6', 'Q6', 'E4'];

export type CaseStatus =
  | 'under_review'
  | 'awaiting_information'
  | 'review_accepted'
  | 'rejected'
  | 'lapsed';

const CLOSED_STATUSES: readonly CaseStatus[] = ['review_accepted', 'rejected', 'lapsed'];

export type CaseAction =
  | 'submitted'
  | 'review_accepted'
  | 'review_rejected'
  | 'information_requested'
  | 'information_supplied'
  | 'information_lapsed'
  | 'deadline_set'
  | 'reminder_sent'
  | 'deadline_escalated';

export interface Deadline {
  kind: 'review' | 'information';
  dueOn: IsoDate;
  remindOn: IsoDate;
  reminded: boolean;
  passed: boolean;
  /** Years for which no holiday notice was loaded, so Monday–Friday was assumed (calendar.md). */
  fallbackYears: number[];
}

/** How the next deadline is to be counted; the workflow resolves it against the calendar. */
export type DeadlineRequest =
  | { kind: 'review'; from: IsoDate; workingDays: number }
  | { kind: 'review'; resumeOn: IsoDate; pausedOn: IsoDate; previousDueOn: IsoDate }
  | { kind: 'information'; dueOn: IsoDate };

export interface CaseSettings {
  /** Working days the district office has to decide on an application. */
  reviewWorkingDays: number;
  /** How many working days before a due date the reminder goes out. */
  reminderWorkingDays: number;
}

export interface ApplicationInput {
  uscc: string;
  year: number;
  category: Category;
  claimedCriteria: string[];
  evidenceRefs: string[];
  householdName: string;
  districtCode: string;
  applicant: Actor;
  /** The instant the application was received (ISO 8601). */
  submittedAt: string;
  settings: CaseSettings;
}

export interface DecisionRecord {
  action: CaseAction;
  by: Actor;
  at: string;
  reason: string | null;
}

export interface CaseState {
  caseId: string;
  uscc: string;
  year: number;
  category: Category;
  route: 'self';
  districtCode: string;
  householdName: string;
  claimedCriteria: string[];
  evidenceRefs: string[];
  status: CaseStatus;
  settings: CaseSettings;
  submittedAt: string;
  updatedAt: string;
  deadline: Deadline | null;
  deadlineRequest: DeadlineRequest | null;
  /** Set while the review clock is paused for missing information. */
  reviewPause: { pausedOn: IsoDate; reviewDueOn: IsoDate } | null;
  informationRequest: { reason: string; dueOn: IsoDate } | null;
  lastDecision: DecisionRecord | null;
  /** Sequence number of the last audit event; also the projection's version. */
  seq: number;
}

export interface CaseEvent {
  seq: number;
  at: string;
  actor: Actor;
  action: CaseAction;
  fromStatus: CaseStatus | null;
  toStatus: CaseStatus;
  reason: string | null;
  clauses: string[];
  details: Record<string, unknown>;
}

export interface Transition {
  state: CaseState;
  event: CaseEvent;
}

/** Why a command is refused: HTTP-like status, the field at fault and the clause it breaks. */
export interface RuleViolation {
  status: 403 | 409 | 422;
  field: string;
  clause: string | null;
  message: string;
}

export type ReviewCommand =
  | { decision: 'accept'; actor: Actor; reason?: string; category?: Category }
  | { decision: 'reject'; actor: Actor; reason: string }
  | { decision: 'request_information'; actor: Actor; reason: string; informationDueOn: IsoDate };

export interface SupplyInformationCommand {
  actor: Actor;
  evidenceRefs: string[];
  note?: string;
}

/** Whose move the case waits for: what puts it on a role's worklist. */
const WAITING_FOR: Record<CaseStatus, Role | null> = {
  under_review: 'district',
  awaiting_information: 'household',
  review_accepted: null,
  rejected: null,
  lapsed: null,
};

export function waitingFor(status: CaseStatus): Role | null {
  return WAITING_FOR[status];
}

export function isClosed(status: CaseStatus): boolean {
  return CLOSED_STATUSES.includes(status);
}

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);
}

/** C-SELF: what a household may claim when it applies itself. */
export function validateApplication(input: {
  category: string;
  claimedCriteria: string[];
  evidenceRefs: string[];
}): RuleViolation | null {
  if (!isCategory(input.category)) {
    return violation(422, 'category', null, `category must be one of ${CATEGORIES.join(', ')}`);
  }
  if (input.claimedCriteria.length === 0) {
    return violation(422, 'claimedCriteria', 'C-SELF', 'claim at least one criterion of the category');
  }
  const allowed = CATEGORY_CRITERIA[input.category];
  for (const criterion of input.claimedCriteria) {
    if (DEPARTMENT_RECOMMENDATION_CRITERIA.includes(criterion)) {
      return violation(
        422,
        'claimedCriteria',
        'C-REC',
        `${criterion} (recommended by a department) comes only with a department's recommendation`,
      );
    }
    if (!allowed.includes(criterion)) {
      return violation(
        422,
        'claimedCriteria',
        'C-SELF',
        `${criterion} is not a criterion of category ${input.category} (${allowed.join(', ')})`,
      );
    }
  }
  if (new Set(input.claimedCriteria).size !== input.claimedCriteria.length) {
    return violation(422, 'claimedCriteria', 'C-SELF', 'each criterion may be claimed once');
  }
  return null;
}

export function openCase(caseId: string, input: ApplicationInput): Transition {
  const submittedOn = cstDate(input.submittedAt);
  const state: CaseState = {
    caseId,
    uscc: input.uscc,
    year: input.year,
    category: input.category,
    route: 'self',
    districtCode: input.districtCode,
    householdName: input.householdName,
    claimedCriteria: [...input.claimedCriteria],
    evidenceRefs: [...input.evidenceRefs],
    status: 'under_review',
    settings: input.settings,
    submittedAt: input.submittedAt,
    updatedAt: input.submittedAt,
    deadline: null,
    deadlineRequest: { kind: 'review', from: submittedOn, workingDays: input.settings.reviewWorkingDays },
    reviewPause: null,
    informationRequest: null,
    lastDecision: null,
    seq: 1,
  };
  return {
    state,
    event: {
      seq: 1,
      at: input.submittedAt,
      actor: input.applicant,
      action: 'submitted',
      fromStatus: null,
      toStatus: 'under_review',
      reason: null,
      clauses: ['C-SELF', 'C-NOFEE'],
      details: { category: input.category, claimedCriteria: input.claimedCriteria, evidenceRefs: input.evidenceRefs },
    },
  };
}

/** District review (C-SELF): only the household's own district office decides, and only once. */
export function validateReview(state: CaseState, command: ReviewCommand, today: IsoDate): RuleViolation | null {
  const { actor } = command;
  if (actor.role !== 'district') {
    return violation(403, 'actor', 'C-SELF', 'only the district office reviews a self-application');
  }
  if (actor.districtCode !== state.districtCode) {
    return violation(403, 'actor', 'C-SELF', `the case belongs to district ${state.districtCode}`);
  }
  if (state.status !== 'under_review') {
    return violation(409, 'decision', null, `the case is ${state.status}, not under review`);
  }
  switch (command.decision) {
    case 'accept':
      if (command.category !== undefined && !isCategory(command.category)) {
        return violation(422, 'category', 'C-ONE-TYPE', `category must be one of ${CATEGORIES.join(', ')}`);
      }
      return null;
    case 'reject':
      return isBlank(command.reason) ? violation(422, 'reason', null, 'a rejection must give its reason') : null;
    case 'request_information':
      if (isBlank(command.reason)) {
        return violation(422, 'reason', null, 'say which information is missing');
      }
      if (!isValidIsoDate(command.informationDueOn)) {
        return violation(422, 'informationDueOn', null, 'informationDueOn must be a date YYYY-MM-DD');
      }
      if (command.informationDueOn <= today) {
        return violation(422, 'informationDueOn', null, `informationDueOn must be after today (${today}, CST)`);
      }
      return null;
    default:
      return violation(422, 'decision', null, 'decision must be accept, reject or request_information');
  }
}

export function applyReview(state: CaseState, command: ReviewCommand, at: string): Transition {
  switch (command.decision) {
    case 'accept': {
      const category = command.category ?? state.category;
      return transition(state, at, command.actor, 'review_accepted', 'review_accepted', command.reason ?? null, {
        patch: { category, deadline: null },
        clauses: category === state.category ? ['C-SELF'] : ['C-SELF', 'C-ONE-TYPE'],
        details: { category },
      });
    }
    case 'reject':
      return transition(state, at, command.actor, 'review_rejected', 'rejected', command.reason, {
        patch: { deadline: null },
        clauses: ['C-SELF'],
      });
    case 'request_information': {
      const reviewDueOn = state.deadline?.dueOn ?? cstDate(at);
      return transition(state, at, command.actor, 'information_requested', 'awaiting_information', command.reason, {
        patch: {
          informationRequest: { reason: command.reason, dueOn: command.informationDueOn },
          reviewPause: { pausedOn: cstDate(at), reviewDueOn },
          deadline: null,
          deadlineRequest: { kind: 'information', dueOn: command.informationDueOn },
        },
        clauses: ['C-SELF', 'C-NOFEE'],
        details: { informationDueOn: command.informationDueOn, reviewPausedWithDueOn: reviewDueOn },
      });
    }
  }
}

/** The household answers a request for information; the review clock resumes (C-SELF). */
export function validateSupplyInformation(state: CaseState, command: SupplyInformationCommand): RuleViolation | null {
  if (command.actor.role !== 'household' || command.actor.uscc !== state.uscc) {
    return violation(403, 'actor', 'C-SELF', 'only the applying household supplies information');
  }
  if (state.status !== 'awaiting_information') {
    return violation(409, 'evidenceRefs', null, `the case is ${state.status}, no information was requested`);
  }
  if (command.evidenceRefs.length === 0 || command.evidenceRefs.some(isBlank)) {
    return violation(422, 'evidenceRefs', 'C-NOFEE', 'name at least one piece of evidence');
  }
  return null;
}

export function applySupplyInformation(state: CaseState, command: SupplyInformationCommand, at: string): Transition {
  const pause = state.reviewPause;
  const resumeOn = cstDate(at);
  return transition(state, at, command.actor, 'information_supplied', 'under_review', command.note ?? null, {
    patch: {
      evidenceRefs: [...state.evidenceRefs, ...command.evidenceRefs],
      informationRequest: null,
      reviewPause: null,
      deadline: null,
      deadlineRequest: pause
        ? { kind: 'review', resumeOn, pausedOn: pause.pausedOn, previousDueOn: pause.reviewDueOn }
        : { kind: 'review', from: resumeOn, workingDays: state.settings.reviewWorkingDays },
    },
    clauses: ['C-SELF'],
    details: { evidenceRefs: command.evidenceRefs },
  });
}

export function applyDeadline(state: CaseState, deadline: Deadline, at: string): Transition {
  return transition(state, at, SYSTEM_ACTOR, 'deadline_set', state.status, null, {
    patch: { deadline, deadlineRequest: null },
    clauses: [],
    details: { ...deadline },
  });
}

/** The instant a deadline's reminder fires: the start of its reminder day, CST. */
function reminderMoment(deadline: Deadline): number {
  return startOfCstDay(deadline.remindOn);
}

/** A due date is met until the end of that day, CST; it has passed from the next day's start. */
function passedMoment(deadline: Deadline): number {
  return startOfCstDay(addDays(deadline.dueOn, 1));
}

/** When the workflow next has something to do by the clock alone, or null when nothing is pending. */
export function nextWakeUp(state: CaseState): number | null {
  const deadline = state.deadline;
  if (!deadline || isClosed(state.status)) return null;
  if (!deadline.reminded) return reminderMoment(deadline);
  if (!deadline.passed) return passedMoment(deadline);
  return null;
}

/**
 * What the clock alone decides at `now`: the reminder, then the escalation (review) or the
 * lapse (information not supplied). Each fires once, as the flags on the deadline record.
 */
export function applyClock(state: CaseState, nowMs: number, at: string): Transition[] {
  const transitions: Transition[] = [];
  let current = state;
  const deadline = current.deadline;
  if (!deadline || isClosed(current.status)) return transitions;
  if (!deadline.reminded && nowMs >= reminderMoment(deadline)) {
    const next = transition(current, at, SYSTEM_ACTOR, 'reminder_sent', current.status, null, {
      patch: { deadline: { ...deadline, reminded: true } },
      clauses: [],
      details: { kind: deadline.kind, dueOn: deadline.dueOn, notify: deadline.kind === 'review' ? 'district' : 'household' },
    });
    transitions.push(next);
    current = next.state;
  }
  const reminded = current.deadline;
  if (reminded && !reminded.passed && nowMs >= passedMoment(reminded)) {
    const next =
      reminded.kind === 'review'
        ? transition(current, at, SYSTEM_ACTOR, 'deadline_escalated', current.status, 'review not decided by its due date', {
            patch: { deadline: { ...reminded, reminded: true, passed: true } },
            clauses: ['C-SELF'],
            details: { kind: 'review', dueOn: reminded.dueOn, notify: 'city' },
          })
        : transition(current, at, SYSTEM_ACTOR, 'information_lapsed', 'lapsed', 'requested information not supplied by its due date', {
            patch: { deadline: { ...reminded, reminded: true, passed: true } },
            clauses: ['C-SELF'],
            details: { kind: 'information', dueOn: reminded.dueOn },
          });
    transitions.push(next);
  }
  return transitions;
}

function transition(
  state: CaseState,
  at: string,
  actor: Actor,
  action: CaseAction,
  toStatus: CaseStatus,
  reason: string | null,
  change: { patch: Partial<CaseState>; clauses: string[]; details?: Record<string, unknown> },
): Transition {
  const seq = state.seq + 1;
  const decided = actor.role !== 'system' ? { lastDecision: { action, by: actor, at, reason } } : {};
  return {
    // A closed case waits for nothing: no deadline stays pending on it.
    state: {
      ...state,
      ...change.patch,
      ...decided,
      ...(isClosed(toStatus) ? { deadlineRequest: null, reviewPause: null } : {}),
      status: toStatus,
      seq,
      updatedAt: at,
    },
    event: {
      seq,
      at,
      actor,
      action,
      fromStatus: state.status,
      toStatus,
      reason,
      clauses: change.clauses,
      details: change.details ?? {},
    },
  };
}

function violation(status: RuleViolation['status'], field: string, clause: string | null, message: string): RuleViolation {
  return { status, field, clause, message: clause ? `${clause}: ${message}` : message };
}

function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function cstDate(isoInstant: string): IsoDate {
  return cstDateOf(Date.parse(isoInstant));
}
