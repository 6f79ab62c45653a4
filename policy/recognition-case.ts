/**
 * The 名特优新 recognition case (RULES.md part 2) as pure rules over plain data:
 * `validate*` say whether a command may happen and why not (with the clause it breaks),
 * `apply*` compute the next state and the audit event it leaves. No I/O, no clock: the
 * caller passes the instant and the CST date.
 */
import type { Actor, Role } from './actors.js';
import { SYSTEM_ACTOR } from './actors.js';
import { addDays, addYears, cstDateOf, isValidIsoDate, startOfCstDay, yearOf, type IsoDate } from './dates.js';
import { TIANJIN_DISTRICTS } from './districts.js';
import { DEFAULT_ELIGIBILITY_SETTINGS, type EligibilityResult } from './eligibility.js';
import { fireDueDuties, nextDuty, type TimedDuty } from './timed-duties.js';
import { violation, type RecognitionTermSettings, type RuleViolation } from './vocabulary.js';


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
  | 'awaiting_consent'
  | 'under_review'
  | 'awaiting_information'
  | 'on_site_verification'
  | 'soliciting_opinions'
  | 'publicity'
  | 'awaiting_quota'
  | 'recognised'
  | 'rejected'
  | 'lapsed'
  | 'quota_exhausted'
  | 'consent_lapsed'
  | 'declined'
  // How a recognition ends (policy/recognition-term.ts).
  | 'refused'
  | 'cancelled'
  | 'revoked'
  | 'expired'
  | 'transferred';

/**
 * Where the application ends. A recognised case goes on in the recognised phase
 * (policy/recognition-term.ts: filing, annual reports, evaluation), which ends in the statuses
 * after it; no application is open in any of them.
 */
const CLOSED_STATUSES: readonly CaseStatus[] = ['recognised', 'rejected', 'lapsed', 'quota_exhausted', 'consent_lapsed', 'declined', 'refused', 'cancelled', 'revoked', 'expired', 'transferred'];

export type CaseAction =
  | 'submitted'
  | 'recommended'
  | 'consent_given'
  | 'consent_declined'
  | 'consent_lapsed'
  | 'review_accepted'
  | 'review_rejected'
  | 'information_requested'
  | 'information_supplied'
  | 'information_lapsed'
  | 'verification_passed'
  | 'opinion_given'
  | 'opinions_closed'
  | 'publicity_started'
  | 'objection_filed'
  | 'objection_resolved'
  | 'publicity_closed'
  | 'quota_requested'
  | 'quota_waiting'
  | 'recognised'
  | 'one_person_refused'
  | 'quota_exhausted'
  | 'quota_place_returned'
  | 'deadline_set'
  | 'reminder_sent'
  | 'deadline_escalated'
  | 'record_failed'
  | 'step_failed';

/** What each waiting step is, and what happens when its due date passes unanswered. */
export const DEADLINE_KINDS = ['consent', 'review', 'information', 'verification', 'opinions', 'publicity', 'quota', 'supplement'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export interface Deadline {
  kind: DeadlineKind;
  dueOn: IsoDate;
  /** Null where no reminder is due (publicity, the quota wait). */
  remindOn: IsoDate | null;
  reminded: boolean;
  passed: boolean;
  /** Years for which no holiday notice was loaded, so Monday–Friday was assumed (calendar.md). */
  fallbackYears: number[];
}

/** How the next deadline is to be counted; the workflow resolves it against the calendar. */
export type DeadlineRequest =
  | { kind: DeadlineKind; from: IsoDate; workingDays: number }
  | { kind: 'review'; resumeOn: IsoDate; pausedOn: IsoDate; previousDueOn: IsoDate }
  | { kind: DeadlineKind; dueOn: IsoDate };

/** Steps whose passing due date escalates to the city office rather than moving the case on. */
const ESCALATING: readonly DeadlineKind[] = ['review', 'verification'];
const REMINDED: readonly DeadlineKind[] = ['consent', 'review', 'information', 'verification', 'opinions', 'supplement'];

export function needsReminder(kind: DeadlineKind): boolean {
  return REMINDED.includes(kind);
}

export interface CaseSettings {
  /** Working days the district office has to decide on an application. */
  reviewWorkingDays: number;
  /** Working days for the on-site verification 走访核实. */
  verificationWorkingDays: number;
  /** Working days the consulted departments have to give their opinions 征求意见. */
  opinionWorkingDays: number;
  /** Working days of the publicity notice's objection window (C-SELF: configurable, default 5). */
  publicityWorkingDays: number;
  /** How many working days before a due date the reminder goes out. */
  reminderWorkingDays: number;
  /**
   * Working days the operator has to consent to a department's recommendation (C-REC). Cases
   * started before the department route existed have none; they never wait for consent.
   */
  consentWorkingDays: number;
  /**
   * The day of the case's year by which its recognition is done (C-CYCLE: 11月底前, MM-DD): a
   * case not ready for a place by then is not recognised that year. Cases started before it was
   * enforced have none; they end their quota wait on 30 November and are not closed before that.
   */
  recognitionsDoneBy?: string;
}

export const DEFAULT_CASE_SETTINGS: CaseSettings = {
  reviewWorkingDays: 20,
  verificationWorkingDays: 10,
  opinionWorkingDays: 10,
  publicityWorkingDays: 5,
  reminderWorkingDays: 3,
  consentWorkingDays: 10,
  recognitionsDoneBy: DEFAULT_ELIGIBILITY_SETTINGS.recognitionsDoneBy,
};

/** Recognitions are all done by 30 November (C-CYCLE), or the case's own setting; a case still without a place then has none. */
export function recognitionWindowClosesOn(year: number, settings: Pick<CaseSettings, 'recognitionsDoneBy'>): IsoDate {
  return `${year}-${settings.recognitionsDoneBy ?? DEFAULT_ELIGIBILITY_SETTINGS.recognitionsDoneBy}`;
}

/** A department's recommendation (C-REC); its level is the recommending department's. */
export interface Recommendation {
  department: string;
  /** A district-level recommendation is reviewed by that district's office, a city-level one by the city office. */
  level: 'city' | 'district';
  reason: string;
}

interface ApplicationCommon {
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
  /**
   * The recognised phase's settings, fixed when the case starts like `settings`; cases started
   * before that phase existed have none and take the defaults.
   */
  termSettings?: RecognitionTermSettings;
  /**
   * Every eligibility clause as evaluated when the case was admitted, so that the first audit
   * record says why it was; cases started before it was recorded have none.
   */
  eligibility?: EligibilityResult[];
}

/** The household applies itself (C-SELF); cases started before the department route have no `route`. */
export interface SelfApplicationInput extends ApplicationCommon {
  route?: 'self';
  recommendation?: undefined;
}

/** A department recommends the household (C-REC); `applicant` is the recommending department. */
export interface RecommendationInput extends ApplicationCommon {
  route: 'department';
  recommendation: Recommendation;
}

export type ApplicationInput = SelfApplicationInput | RecommendationInput;

export interface DecisionRecord {
  action: CaseAction;
  by: Actor;
  at: string;
  reason: string | null;
}

export interface Opinion {
  department: string;
  opinion: 'support' | 'object' | 'no_answer';
  comment: string | null;
  by: string;
  at: string;
}

/**
 * An objection kept in the case's state, as objections were before their text moved to the
 * database; cases that had objections then still carry them. Objections filed since are counted
 * in `objectionsFiled` and `unresolvedObjections` only: their text and resolution live in the
 * database, so that neither the state nor the history grows with what the public writes.
 */
export interface PublicityObjection {
  objectionNo: number;
  reason: string;
  filedBy: string;
  filedAt: string;
  resolution: 'upheld' | 'dismissed' | null;
  resolutionReason: string | null;
  /** Who resolved it and when; absent on objections resolved before they were kept here. */
  resolvedBy?: string;
  resolvedAt?: string;
}

export interface CaseState {
  caseId: string;
  uscc: string;
  year: number;
  category: Category;
  route: 'self' | 'department';
  /** Set on the department route only. */
  recommendation: Recommendation | null;
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
  verification: { findings: string; by: string; at: string } | null;
  /** The departments whose opinions 征求意见 the district office asked for. */
  consultedDepartments: string[];
  opinions: Opinion[];
  publicity: { publishedOn: IsoDate; objectionsUntil: IsoDate | null; windowClosed: boolean } | null;
  objections: PublicityObjection[];
  /** Objections filed in all (the ones in `objections` included); absent before objections were counted. */
  objectionsFiled?: number;
  /** The counted objections (not in `objections`) still to be resolved, by number. */
  unresolvedObjections?: number[];
  /**
   * The last decision or step that could not be recorded for good (a data error): it did not
   * happen, the audit trail says so, and the office sees it here until the next decision is recorded.
   */
  recordFailure?: RecordFailure | null;
  /** Set when the case is ready for a place under the quota and has not asked for one yet. */
  quotaRequest: { readyAt: string } | null;
  quotaWait: { readyAt: string; rank: number } | null;
  recognition: { recognisedOn: IsoDate; validUntil: IsoDate; benefitsFrom: IsoDate } | null;
  lastDecision: DecisionRecord | null;
  /** Sequence number of the last audit event; also the projection's version. */
  seq: number;
}

/** What a reader sees of a case in application: its state without the workflow's own bookkeeping. */
export type CaseView = Omit<CaseState, 'deadlineRequest' | 'reviewPause' | 'quotaRequest'>;

/** One case per household and application year (C-ONE-TYPE): the ID is the uniqueness guard. */
export function recognitionCaseId(uscc: string, year: number): string {
  return `recognition-${uscc}-${year}`;
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

export type ReviewCommand =
  | { decision: 'accept'; actor: Actor; reason?: string; category?: Category }
  | { decision: 'reject'; actor: Actor; reason: string }
  | { decision: 'request_information'; actor: Actor; reason: string; informationDueOn: IsoDate }
  | { decision: 'verified'; actor: Actor; findings: string; departments: string[] }
  | { decision: 'resolve_objection'; actor: Actor; objectionNo: number; upheld: boolean; reason: string };

export interface SupplyInformationCommand {
  actor: Actor;
  evidenceRefs: string[];
  note?: string;
}

export interface OpinionCommand {
  actor: Actor;
  opinion: 'support' | 'object';
  comment?: string;
}

/** The operator's answer to a recommendation (C-REC), with the reason it gives, if any, kept in the audit record. */
export type ConsentCommand = { actor: Actor; consent: boolean; reason?: string };

/**
 * An objection during publicity. The API keeps its text in the database first and names it by
 * `submissionId`; the workflow gives it its number. Histories recorded before that carry the
 * text itself (`reason`), which new objections may no longer do.
 */
export type PublicityObjectionCommand = { actor: Actor; submissionId: string } | { actor: Actor; reason: string };

/** C-SELF bounds what the public may add to one publicity notice (README: bounded cases). */
export const MAX_OBJECTIONS_PER_CASE = 1000;
/** Objections one sender (a token's actor, or else one network address) may file on one notice. */
export const MAX_OBJECTIONS_PER_SENDER = 3;
/** Characters of one objection's text. */
export const MAX_OBJECTION_LENGTH = 4000;

/** A decision or step whose records PostgreSQL refused for good (a data error). */
export interface RecordFailure {
  at: string;
  /** The actions that were not recorded, so did not happen. */
  actions: string[];
  /** Who asked for them (the system for a step of the clock). */
  by: string;
  error: string;
}

/** Whose move the case waits for: what puts it on a role's worklist. */
const WAITING_FOR: Record<CaseStatus, Role | null> = {
  awaiting_consent: 'household',
  under_review: 'district',
  awaiting_information: 'household',
  on_site_verification: 'district',
  soliciting_opinions: 'department',
  publicity: 'district',
  awaiting_quota: null,
  recognised: null,
  rejected: null,
  lapsed: null,
  quota_exhausted: null,
  consent_lapsed: null,
  declined: null,
  refused: null,
  cancelled: null,
  revoked: null,
  expired: null,
  transferred: null,
};

/** Every status a case can be in, through its recognised phase. */
export const CASE_STATUSES = Object.keys(WAITING_FOR) as CaseStatus[];

/** Stages at which the district office may still refuse the application. */
const REJECTABLE: readonly CaseStatus[] = ['under_review', 'on_site_verification', 'soliciting_opinions', 'publicity', 'awaiting_quota'];

export function waitingFor(status: CaseStatus): Role | null {
  return WAITING_FOR[status];
}

/**
 * As `waitingFor`, where the reviewing office's moves fall to the city office on a city-level
 * recommendation (C-REC), and where publicity waits for the office only while an objection is
 * unresolved: otherwise it waits for its window to close.
 */
export function waitingForCase(state: Pick<CaseState, 'status' | 'recommendation' | 'objections' | 'unresolvedObjections'>): Role | null {
  if (state.status === 'publicity' && objectionsAllResolved(state)) return null;
  const role = waitingFor(state.status);
  return role === 'district' && state.recommendation?.level === 'city' ? 'city' : role;
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

/** The criterion a department's recommendation stands for in each category (K5, F6, Q6, E4). */
export function departmentCriterion(category: Category): string {
  return CATEGORY_CRITERIA[category].find((criterion) => DEPARTMENT_RECOMMENDATION_CRITERIA.includes(criterion))!;
}

/** C-REC: what a department may put forward; its own criterion is implied, others of the category may be added. */
export function validateRecommendation(input: { category: string; claimedCriteria: string[]; reason: string }): RuleViolation | null {
  if (!isCategory(input.category)) {
    return violation(422, 'category', null, `category must be one of ${CATEGORIES.join(', ')}`);
  }
  const allowed = CATEGORY_CRITERIA[input.category];
  for (const criterion of input.claimedCriteria) {
    if (!allowed.includes(criterion)) {
      return violation(422, 'claimedCriteria', 'C-REC', `${criterion} is not a criterion of category ${input.category} (${allowed.join(', ')})`);
    }
  }
  if (new Set(input.claimedCriteria).size !== input.claimedCriteria.length) {
    return violation(422, 'claimedCriteria', 'C-REC', 'each criterion may be claimed once');
  }
  return isBlank(input.reason) ? violation(422, 'reason', 'C-REC', 'a recommendation must say why the household is put forward') : null;
}

/** The recommended criteria: the department's own first, then the others claimed. */
export function recommendedCriteria(category: Category, claimedCriteria: string[]): string[] {
  const own = departmentCriterion(category);
  return [own, ...claimedCriteria.filter((criterion) => criterion !== own)];
}

export function openCase(caseId: string, input: ApplicationInput): Transition {
  return input.route === 'department' ? openRecommendedCase(caseId, input) : openSelfApplication(caseId, input);
}

function openSelfApplication(caseId: string, input: SelfApplicationInput): Transition {
  const submittedOn = cstDate(input.submittedAt);
  const state: CaseState = {
    caseId,
    uscc: input.uscc,
    year: input.year,
    category: input.category,
    route: 'self',
    recommendation: null,
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
    verification: null,
    consultedDepartments: [],
    opinions: [],
    publicity: null,
    objections: [],
    quotaRequest: null,
    quotaWait: null,
    recognition: null,
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
      clauses: ['C-SELF', 'C-NOFEE', ...admissionClauses(input)],
      details: { category: input.category, claimedCriteria: input.claimedCriteria, evidenceRefs: input.evidenceRefs, ...admissionDetails(input) },
    },
  };
}

function admissionClauses(input: ApplicationInput): string[] {
  return (input.eligibility ?? []).map((result) => result.clause);
}

function admissionDetails(input: ApplicationInput): { eligibility?: EligibilityResult[] } {
  return input.eligibility ? { eligibility: input.eligibility } : {};
}

/** A recommendation waits for the operator's consent before any office reviews it (C-REC). */
function openRecommendedCase(caseId: string, input: RecommendationInput): Transition {
  const { state: selfState } = openSelfApplication(caseId, { ...input, route: 'self', recommendation: undefined });
  const state: CaseState = {
    ...selfState,
    route: 'department',
    recommendation: { ...input.recommendation },
    status: 'awaiting_consent',
    deadlineRequest: { kind: 'consent', from: cstDate(input.submittedAt), workingDays: input.settings.consentWorkingDays },
  };
  return {
    state,
    event: {
      seq: 1,
      at: input.submittedAt,
      actor: input.applicant,
      action: 'recommended',
      fromStatus: null,
      toStatus: 'awaiting_consent',
      reason: input.recommendation.reason,
      clauses: ['C-REC', 'C-NOFEE', ...admissionClauses(input)],
      details: {
        category: input.category,
        claimedCriteria: input.claimedCriteria,
        evidenceRefs: input.evidenceRefs,
        department: input.recommendation.department,
        level: input.recommendation.level,
        ...admissionDetails(input),
      },
    },
  };
}

/** The operator consents to the recommendation or declines it (C-REC); only the household itself answers. */
export function validateConsent(state: CaseState, command: ConsentCommand): RuleViolation | null {
  if (command.actor.role !== 'household' || command.actor.uscc !== state.uscc) {
    return violation(403, 'actor', 'C-REC', 'only the recommended household consents to its recommendation');
  }
  if (state.status !== 'awaiting_consent') {
    return violation(409, 'consent', 'C-REC', `the case is ${state.status}, not waiting for consent`);
  }
  return null;
}

export function applyConsent(state: CaseState, command: ConsentCommand, at: string): Transition {
  if (!command.consent) {
    return transition(state, at, command.actor, 'consent_declined', 'declined', command.reason ?? null, {
      patch: { deadline: null },
      clauses: ['C-REC'],
      details: { department: state.recommendation?.department ?? null },
    });
  }
  return transition(state, at, command.actor, 'consent_given', 'under_review', command.reason ?? null, {
    patch: { deadline: null, deadlineRequest: { kind: 'review', from: cstDate(at), workingDays: state.settings.reviewWorkingDays } },
    clauses: ['C-REC'],
    details: { department: state.recommendation?.department ?? null, reviewedBy: reviewingOffice(state) },
  });
}

/** The SAMR office at the recommendation's level reviews it (C-REC); a self-application, the district office (C-SELF). */
function reviewingOffice(state: CaseState): 'district' | 'city' {
  return state.recommendation?.level === 'city' ? 'city' : 'district';
}

/** The clause the reviewing office's decisions rest on. */
function reviewClause(state: CaseState): 'C-SELF' | 'C-REC' {
  return state.route === 'department' ? 'C-REC' : 'C-SELF';
}

function validateReviewer(state: CaseState, actor: Actor): RuleViolation | null {
  if (state.route === 'self') {
    if (actor.role !== 'district') {
      return violation(403, 'actor', 'C-SELF', 'only the district office reviews a self-application');
    }
    if (actor.districtCode !== state.districtCode) {
      return violation(403, 'actor', 'C-SELF', `the case belongs to district ${state.districtCode}`);
    }
    return null;
  }
  if (reviewingOffice(state) === 'city') {
    return actor.role === 'city' ? null : violation(403, 'actor', 'C-REC', 'only the city office reviews a city-level recommendation');
  }
  if (actor.role !== 'district') {
    return violation(403, 'actor', 'C-REC', 'only the district office reviews a district-level recommendation');
  }
  if (actor.districtCode !== state.districtCode) {
    return violation(403, 'actor', 'C-REC', `the case belongs to district ${state.districtCode}`);
  }
  return null;
}

/**
 * The reviewing office's decisions, each at its stage: the household's own district office
 * (C-SELF), or on the department route the office at the recommendation's level (C-REC).
 */
export function validateReview(state: CaseState, command: ReviewCommand, today: IsoDate): RuleViolation | null {
  const reviewer = validateReviewer(state, command.actor);
  if (reviewer) return reviewer;
  const atStage = (stages: readonly CaseStatus[]): RuleViolation | null =>
    stages.includes(state.status)
      ? null
      : violation(409, 'decision', null, `the case is ${state.status}: ${command.decision} is not a decision it can take`);
  switch (command.decision) {
    case 'accept':
      if (command.category !== undefined && !isCategory(command.category)) {
        return violation(422, 'category', 'C-ONE-TYPE', `category must be one of ${CATEGORIES.join(', ')}`);
      }
      return atStage(['under_review']);
    case 'reject':
      return atStage(REJECTABLE) ?? (isBlank(command.reason) ? violation(422, 'reason', null, 'a rejection must give its reason') : null);
    case 'request_information':
      return (
        atStage(['under_review']) ??
        (isBlank(command.reason)
          ? violation(422, 'reason', null, 'say which information is missing')
          : !isValidIsoDate(command.informationDueOn)
            ? violation(422, 'informationDueOn', null, 'informationDueOn must be a date YYYY-MM-DD')
            : command.informationDueOn <= today
              ? violation(422, 'informationDueOn', null, `informationDueOn must be after today (${today}, CST)`)
              : null)
      );
    case 'verified': {
      const stage = atStage(['on_site_verification']);
      if (stage) return stage;
      if (isBlank(command.findings)) return violation(422, 'findings', 'C-SELF', 'record what the on-site verification found');
      const departments = command.departments.map((d) => d.trim());
      if (departments.some((d) => d === '') || new Set(departments).size !== departments.length) {
        return violation(422, 'departments', 'C-SELF', 'name each department to consult once');
      }
      return null;
    }
    case 'resolve_objection': {
      const stage = atStage(['publicity']);
      if (stage) return stage;
      const objection = state.objections.find((o) => o.objectionNo === command.objectionNo);
      const counted = objection === undefined && command.objectionNo >= 1 && command.objectionNo <= objectionsFiled(state);
      if (!objection && !counted) return violation(422, 'objectionNo', 'C-SELF', `no objection ${command.objectionNo} on this case`);
      if (objection?.resolution) return violation(409, 'objectionNo', 'C-SELF', `objection ${command.objectionNo} is already ${objection.resolution}`);
      if (counted && !(state.unresolvedObjections ?? []).includes(command.objectionNo)) {
        return violation(409, 'objectionNo', 'C-SELF', `objection ${command.objectionNo} is already resolved`);
      }
      return isBlank(command.reason) ? violation(422, 'reason', null, 'say why the objection is upheld or dismissed') : null;
    }
    default:
      return violation(422, 'decision', null, 'decision must be accept, reject, request_information, verified or resolve_objection');
  }
}

export function applyReview(state: CaseState, command: ReviewCommand, at: string): Transition[] {
  const today = cstDate(at);
  const clause = reviewClause(state);
  switch (command.decision) {
    case 'accept': {
      const category = command.category ?? state.category;
      return [
        transition(state, at, command.actor, 'review_accepted', 'on_site_verification', command.reason ?? null, {
          patch: {
            category,
            deadline: null,
            deadlineRequest: { kind: 'verification', from: today, workingDays: state.settings.verificationWorkingDays },
          },
          clauses: category === state.category ? [clause] : [clause, 'C-ONE-TYPE'],
          details: { category },
        }),
      ];
    }
    case 'reject':
      return [
        transition(state, at, command.actor, 'review_rejected', 'rejected', command.reason, {
          patch: { deadline: null },
          clauses: [clause],
          details: { atStage: state.status },
        }),
      ];
    case 'request_information': {
      const reviewDueOn = state.deadline?.dueOn ?? today;
      return [
        transition(state, at, command.actor, 'information_requested', 'awaiting_information', command.reason, {
          patch: {
            informationRequest: { reason: command.reason, dueOn: command.informationDueOn },
            reviewPause: { pausedOn: today, reviewDueOn },
            deadline: null,
            deadlineRequest: { kind: 'information', dueOn: command.informationDueOn },
          },
          clauses: [clause, 'C-NOFEE'],
          details: { informationDueOn: command.informationDueOn, reviewPausedWithDueOn: reviewDueOn },
        }),
      ];
    }
    case 'verified': {
      const departments = command.departments.map((d) => d.trim());
      const verified = transition(state, at, command.actor, 'verification_passed', 'soliciting_opinions', null, {
        patch: {
          verification: { findings: command.findings, by: command.actor.id, at },
          consultedDepartments: departments,
          deadline: null,
          deadlineRequest: { kind: 'opinions', from: today, workingDays: state.settings.opinionWorkingDays },
        },
        clauses: [clause],
        details: { findings: command.findings, departments },
      });
      return departments.length === 0 ? [verified, startPublicity(verified.state, at)] : [verified];
    }
    case 'resolve_objection': {
      const objections = state.objections.map((o) =>
        o.objectionNo === command.objectionNo
          ? {
              ...o,
              resolution: command.upheld ? ('upheld' as const) : ('dismissed' as const),
              resolutionReason: command.reason,
              resolvedBy: command.actor.id,
              resolvedAt: at,
            }
          : o,
      );
      const resolved = transition(
        state,
        at,
        command.actor,
        'objection_resolved',
        command.upheld ? 'rejected' : 'publicity',
        command.reason,
        {
          patch: {
            objections,
            ...(state.unresolvedObjections ? { unresolvedObjections: state.unresolvedObjections.filter((no) => no !== command.objectionNo) } : {}),
            ...(command.upheld ? { deadline: null } : {}),
          },
          clauses: [clause],
          details: { objectionNo: command.objectionNo, upheld: command.upheld },
        },
      );
      return [resolved, ...readyForQuota(resolved.state, at)];
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

/** A consulted department gives its opinion 征求意见; when the last one has answered, publicity starts. */
export function validateOpinion(state: CaseState, command: OpinionCommand): RuleViolation | null {
  const department = command.actor.department;
  if (command.actor.role !== 'department' || !department || !state.consultedDepartments.includes(department)) {
    return violation(403, 'actor', 'C-SELF', `only the consulted departments (${state.consultedDepartments.join(', ') || 'none'}) give opinions`);
  }
  // Identities, not names: a district department answers for its own district's cases only.
  if (command.actor.districtCode !== undefined && command.actor.districtCode !== state.districtCode) {
    return violation(403, 'actor', 'C-SELF', `a department of district ${command.actor.districtCode} gives no opinion on a case of district ${state.districtCode}`);
  }
  if (state.status !== 'soliciting_opinions') {
    return violation(409, 'opinion', null, `the case is ${state.status}, not soliciting opinions`);
  }
  if (state.opinions.some((o) => o.department === department)) {
    return violation(409, 'opinion', null, `${department} has already given its opinion`);
  }
  return null;
}

export function applyOpinion(state: CaseState, command: OpinionCommand, at: string): Transition[] {
  const department = command.actor.department as string;
  const opinion: Opinion = { department, opinion: command.opinion, comment: command.comment ?? null, by: command.actor.id, at };
  const given = transition(state, at, command.actor, 'opinion_given', state.status, command.comment ?? null, {
    patch: { opinions: [...state.opinions, opinion] },
    clauses: ['C-SELF'],
    details: { department, opinion: command.opinion },
  });
  const everyoneAnswered = given.state.consultedDepartments.every((d) => given.state.opinions.some((o) => o.department === d));
  return everyoneAnswered ? [given, ...closeOpinions(given.state, at)] : [given];
}

/** Objections filed on the case so far, kept in the state or counted. */
export function objectionsFiled(state: Pick<CaseState, 'objections' | 'objectionsFiled'>): number {
  return state.objectionsFiled ?? state.objections.length;
}

/** Whether every objection filed is resolved, those kept in the state and those counted. */
export function objectionsAllResolved(state: Pick<CaseState, 'objections' | 'unresolvedObjections'>): boolean {
  return state.objections.every((o) => o.resolution !== null) && (state.unresolvedObjections ?? []).length === 0;
}

/** Anyone may object while the publicity notice is up (main text §3(2)), up to the case's bound. */
export function validatePublicityObjection(state: CaseState, command: PublicityObjectionCommand, today: IsoDate): RuleViolation | null {
  if (state.status !== 'publicity' || !state.publicity || state.publicity.windowClosed) {
    return violation(409, 'caseId', 'C-SELF', 'the case is not under publicity: objections are taken only while its notice is up');
  }
  if (state.publicity.objectionsUntil && today > state.publicity.objectionsUntil) {
    return violation(409, 'caseId', 'C-SELF', `the objection window closed on ${state.publicity.objectionsUntil}`);
  }
  if (!('submissionId' in command)) {
    return violation(422, 'reason', 'C-SELF', 'an objection is filed with its text kept in the database (submissionId), not in the case');
  }
  if (isBlank(command.submissionId)) return violation(422, 'submissionId', 'C-SELF', 'name the kept objection text');
  if (objectionsFiled(state) >= MAX_OBJECTIONS_PER_CASE) {
    return violation(
      409,
      'caseId',
      'C-SELF',
      `本公示已收到${MAX_OBJECTIONS_PER_CASE}件异议，达到上限，不再受理新的异议；如有新的情况，请直接向${TIANJIN_DISTRICTS[state.districtCode] ?? '所在区'}市场监管局反映。`,
    );
  }
  return null;
}

export function applyPublicityObjection(state: CaseState, command: PublicityObjectionCommand, at: string): Transition {
  const objectionNo = objectionsFiled(state) + 1;
  if ('submissionId' in command) {
    // The text stays in the database: the event names it, and the audit writer copies it into the trail.
    return transition(state, at, command.actor, 'objection_filed', 'publicity', null, {
      patch: { objectionsFiled: objectionNo, unresolvedObjections: [...(state.unresolvedObjections ?? []), objectionNo] },
      clauses: ['C-SELF'],
      details: { objectionNo, submissionId: command.submissionId },
    });
  }
  return transition(state, at, command.actor, 'objection_filed', 'publicity', command.reason, {
    patch: {
      objections: [
        ...state.objections,
        { objectionNo, reason: command.reason, filedBy: command.actor.id, filedAt: at, resolution: null, resolutionReason: null },
      ],
      ...(state.objectionsFiled === undefined ? {} : { objectionsFiled: objectionNo }),
    },
    clauses: ['C-SELF'],
    details: { objectionNo },
  });
}

/**
 * The quota's answer (C-QUOTA): a place means recognition today; none means a ranked wait
 * until 30 November. Only the first refusal is an audit event: the daily retries that find no
 * place yet change the rank and nothing else.
 */
/** What the quota answers a case that asks for a place (activities/quota.ts takes it). */
export type QuotaAnswer =
  | { taken: true }
  | { taken: false; rank: number; waiting: number }
  /** C-ONE-PERSON: another household of the same operator in the district holds a recognition. */
  | { taken: false; heldBySameOperator: { caseId: string; uscc: string } };

export function applyQuotaAnswer(state: CaseState, answer: QuotaAnswer, at: string): { state: CaseState; transitions: Transition[] } {
  const request = state.quotaRequest;
  if (!request) return { state, transitions: [] };
  if ('heldBySameOperator' in answer) {
    // Both applied at the same moment and passed the application check; the one recognised first keeps it.
    const { caseId, uscc } = answer.heldBySameOperator;
    const refused = transition(
      state,
      at,
      SYSTEM_ACTOR,
      'one_person_refused',
      'rejected',
      `同一经营者在本区设立的个体工商户（${uscc}）已获认定：同一自然人在同一区内最多只能有一个个体工商户获得认定。`,
      { patch: { quotaRequest: null, quotaWait: null, deadline: null }, clauses: ['C-ONE-PERSON'], details: { heldBy: { caseId, uscc } } },
    );
    return { state: refused.state, transitions: [refused] };
  }
  if (answer.taken) {
    const recognisedOn = cstDate(at);
    const recognition = {
      recognisedOn,
      // Valid three years from the recognition date, that date included (C-VALID).
      validUntil: addDays(addYears(recognisedOn, 3), -1),
      benefitsFrom: `${yearOf(recognisedOn) + 1}-01-01`,
    };
    const recognised = transition(state, at, SYSTEM_ACTOR, 'recognised', 'recognised', null, {
      patch: { quotaRequest: null, quotaWait: null, deadline: null, recognition },
      clauses: ['C-QUOTA', 'C-VALID', 'C-CYCLE'],
      details: { category: state.category, ...recognition },
    });
    return { state: recognised.state, transitions: [recognised] };
  }
  const quotaWait = { readyAt: request.readyAt, rank: answer.rank };
  if (state.quotaWait) return { state: { ...state, quotaRequest: null, quotaWait }, transitions: [] };
  const waiting = transition(state, at, SYSTEM_ACTOR, 'quota_waiting', 'awaiting_quota', null, {
    patch: { quotaRequest: null, quotaWait },
    clauses: ['C-QUOTA'],
    details: { rank: answer.rank, waiting: answer.waiting },
  });
  return { state: waiting.state, transitions: [waiting] };
}

/**
 * The case was closed (rejected, say) while the quota was taking a place for it: the place goes
 * back to the district, to the first case waiting there (C-QUOTA).
 */
export function returnPlaceOfClosedCase(state: CaseState, returned: { placeReleased: boolean; nextInLine: string | null }, at: string): Transition {
  return transition(state, at, SYSTEM_ACTOR, 'quota_place_returned', state.status, `the case was ${state.status} while its place was being taken`, {
    patch: {},
    clauses: ['C-QUOTA'],
    details: returned,
  });
}

/** Another try for a case still waiting for a place: a place was freed, or the weekly retry came. */
export function retryQuota(state: CaseState): CaseState {
  return state.status === 'awaiting_quota' && state.quotaWait && !state.quotaRequest
    ? { ...state, quotaRequest: { readyAt: state.quotaWait.readyAt } }
    : state;
}

export function applyDeadline(state: CaseState, deadline: Deadline, at: string): Transition {
  const publicity =
    deadline.kind === 'publicity' && state.publicity ? { publicity: { ...state.publicity, objectionsUntil: deadline.dueOn } } : {};
  return transition(state, at, SYSTEM_ACTOR, 'deadline_set', state.status, null, {
    patch: { deadline, deadlineRequest: null, ...publicity },
    clauses: deadline.kind === 'publicity' ? ['C-SELF'] : [],
    details: { ...deadline },
  });
}

/** The instant a deadline's reminder fires: the start of its reminder day, CST. */
function reminderMoment(deadline: Deadline): number | null {
  return deadline.remindOn === null ? null : startOfCstDay(deadline.remindOn);
}

/** A due date is met until the end of that day, CST; it has passed from the next day's start. */
function passedMoment(deadline: Deadline): number {
  return startOfCstDay(addDays(deadline.dueOn, 1));
}

/** The words an operator reads for each step's deadline. */
const DEADLINE_NAMES: Record<DeadlineKind, string> = {
  consent: '经营者确认',
  review: '审核',
  information: '补充材料',
  verification: '走访核实',
  opinions: '征求意见',
  publicity: '公示',
  quota: '候补名额',
  supplement: '抽查补充材料',
};

/**
 * What the clock alone decides in the application, each once and in this order: the reminder
 * of the step's deadline, then what its passed due date means for the step (onDeadlinePassed).
 */
export function caseDuties(state: CaseState): TimedDuty<CaseState, CaseEvent>[] {
  const step = state.deadline ? DEADLINE_NAMES[state.deadline.kind] : '';
  return [
    {
      name: `${step}截止提醒`,
      dueAt: ({ deadline }) => (deadline && !deadline.reminded ? reminderMoment(deadline) : null),
      fire: (current, at) => {
        const deadline = current.deadline as Deadline;
        return transition(current, at, SYSTEM_ACTOR, 'reminder_sent', current.status, null, {
          patch: { deadline: { ...deadline, reminded: true } },
          clauses: [],
          details: { kind: deadline.kind, dueOn: deadline.dueOn, notify: waitingForCase(current) },
        });
      },
    },
    {
      name: `${step}期限届满`,
      dueAt: ({ deadline }) => (deadline && !deadline.passed ? passedMoment(deadline) : null),
      fire: (current, at) => {
        const deadline = current.deadline as Deadline;
        return onDeadlinePassed({ ...current, deadline: { ...deadline, reminded: true, passed: true } }, deadline, at);
      },
    },
  ];
}

/** A waiting case is told when a place frees; it also asks again weekly, in case that word was lost. */
const QUOTA_RETRY_DAYS = 7;

/**
 * What the workflow next wakes for by the clock alone, or null when nothing is pending: the
 * next of caseDuties(), or sooner a case waiting for a place asking again. That is no deadline
 * of its own: the case asks again at every wake-up (retryQuota), and so at least weekly.
 */
export function nextCaseDuty(state: CaseState, nowMs: number): { at: number; name: string } | null {
  if (!state.deadline || isClosed(state.status)) return null;
  const due = nextDuty(caseDuties(state), state);
  const retryAt = state.status === 'awaiting_quota' ? startOfCstDay(addDays(cstDateOf(nowMs), QUOTA_RETRY_DAYS)) : null;
  if (retryAt !== null && (due === null || retryAt < due.at)) return { at: retryAt, name: '候补名额每周重新申请 (C-QUOTA)' };
  return due;
}

/** What the clock alone decides at `nowMs`: every duty of caseDuties() then due, each once. */
export function applyClock(state: CaseState, nowMs: number, at: string): Transition[] {
  if (!state.deadline || isClosed(state.status)) return [];
  return fireDueDuties(caseDuties(state), state, nowMs, at).transitions;
}

function onDeadlinePassed(state: CaseState, deadline: Deadline, at: string): Transition[] {
  if (ESCALATING.includes(deadline.kind)) {
    // A city-level recommendation is reviewed by the city office itself: there is no office above
    // it, so the overdue step is flagged to the city office as its own overdue work, not handed up.
    const cityReviews = state.recommendation?.level === 'city';
    const reason = cityReviews
      ? `${deadline.kind} by the city office not done by its due date; the city office reviews this city-level recommendation itself (C-REC) and has it as overdue`
      : `${deadline.kind} by the district office not done by its due date; escalated to the city office`;
    return [
      transition(state, at, SYSTEM_ACTOR, 'deadline_escalated', state.status, reason, {
        patch: {},
        clauses: cityReviews ? ['C-SELF', 'C-REC'] : ['C-SELF'],
        details: { kind: deadline.kind, dueOn: deadline.dueOn, notify: 'city', reviewingOffice: cityReviews ? 'city' : 'district' },
      }),
    ];
  }
  switch (deadline.kind) {
    case 'consent':
      return [
        transition(state, at, SYSTEM_ACTOR, 'consent_lapsed', 'consent_lapsed', 'the operator did not consent to the recommendation by its due date', {
          patch: {},
          clauses: ['C-REC'],
          details: { kind: 'consent', dueOn: deadline.dueOn, department: state.recommendation?.department ?? null },
        }),
      ];
    case 'information':
      return [
        transition(state, at, SYSTEM_ACTOR, 'information_lapsed', 'lapsed', 'requested information not supplied by its due date', {
          patch: {},
          clauses: ['C-SELF'],
          details: { kind: 'information', dueOn: deadline.dueOn },
        }),
      ];
    case 'opinions':
      return closeOpinions(state, at);
    case 'publicity': {
      const closed = transition(state, at, SYSTEM_ACTOR, 'publicity_closed', 'publicity', null, {
        patch: { publicity: state.publicity && { ...state.publicity, windowClosed: true } },
        clauses: ['C-SELF'],
        details: {
          objections: objectionsFiled(state),
          unresolved: state.objections.filter((o) => !o.resolution).length + (state.unresolvedObjections ?? []).length,
        },
      });
      return [closed, ...readyForQuota(closed.state, at)];
    }
    case 'quota':
      return [
        transition(state, at, SYSTEM_ACTOR, 'quota_exhausted', 'quota_exhausted', `no place under the quota freed by ${deadline.dueOn}`, {
          patch: { quotaWait: null },
          clauses: ['C-QUOTA', 'C-CYCLE'],
          details: { closedOn: deadline.dueOn },
        }),
      ];
    default:
      return [];
  }
}

/** Opinions close when every department answered or the time ran out: silence is recorded as no answer. */
function closeOpinions(state: CaseState, at: string): Transition[] {
  const silent = state.consultedDepartments.filter((d) => !state.opinions.some((o) => o.department === d));
  const closed = transition(state, at, SYSTEM_ACTOR, 'opinions_closed', 'soliciting_opinions', null, {
    patch: {
      opinions: [
        ...state.opinions,
        ...silent.map((department) => ({ department, opinion: 'no_answer' as const, comment: null, by: 'system', at })),
      ],
    },
    clauses: ['C-SELF'],
    details: { noAnswer: silent, objecting: state.opinions.filter((o) => o.opinion === 'object').map((o) => o.department) },
  });
  return [closed, startPublicity(closed.state, at)];
}

function startPublicity(state: CaseState, at: string): Transition {
  const publishedOn = cstDate(at);
  return transition(state, at, SYSTEM_ACTOR, 'publicity_started', 'publicity', null, {
    patch: {
      publicity: { publishedOn, objectionsUntil: null, windowClosed: false },
      deadline: null,
      deadlineRequest: { kind: 'publicity', from: publishedOn, workingDays: state.settings.publicityWorkingDays },
    },
    clauses: ['C-SELF'],
    details: { publishedOn, workingDays: state.settings.publicityWorkingDays },
  });
}

/** After publicity, with every objection resolved and none upheld, the case asks for a place (C-QUOTA). */
function readyForQuota(state: CaseState, at: string): Transition[] {
  const ready =
    state.status === 'publicity' && state.publicity?.windowClosed && objectionsAllResolved(state) && state.objections.every((o) => o.resolution === 'dismissed');
  if (!ready) return [];
  const doneBy = recognitionWindowClosesOn(state.year, state.settings);
  if (state.settings.recognitionsDoneBy !== undefined && cstDate(at) > doneBy) {
    return [
      transition(state, at, SYSTEM_ACTOR, 'quota_exhausted', 'quota_exhausted', `the ${state.year} recognitions were done by ${doneBy}; the case was ready for a place only after that`, {
        patch: {},
        clauses: ['C-CYCLE'],
        details: { readyOn: cstDate(at), recognitionsDoneBy: doneBy },
      }),
    ];
  }
  return [
    transition(state, at, SYSTEM_ACTOR, 'quota_requested', 'awaiting_quota', null, {
      patch: { quotaRequest: { readyAt: at }, deadline: null, deadlineRequest: { kind: 'quota', dueOn: doneBy } },
      clauses: ['C-QUOTA'],
      details: { readyAt: at },
    }),
  ];
}

/**
 * What PostgreSQL refused for good (a data error, such as a NUL character in a text) did not
 * happen: the case goes on from its last recorded state, and this event says what was refused,
 * asked by whom, and why, for the office to see (the clauses are those of the refused steps).
 */
export function applyRecordFailure(recorded: CaseState, refused: CaseEvent[], error: string, at: string): Transition {
  const { reason, change } = recordFailureOf(refused, error, at, '案件');
  return transition(recorded, at, SYSTEM_ACTOR, 'record_failed', recorded.status, reason, change);
}

/**
 * The `record_failed` event's reason and change, for a case in application (`案件`) or recognised
 * (`认定`, policy/recognition-term.ts) alike.
 */
export function recordFailureOf(
  refused: ReadonlyArray<Pick<CaseEvent, 'seq' | 'actor' | 'clauses'> & { action: string }>,
  error: string,
  at: string,
  subject: '案件' | '认定',
): { reason: string; change: { patch: { recordFailure: RecordFailure }; clauses: string[]; details: Record<string, unknown> } } {
  const actions = refused.map((e) => e.action);
  const person = refused.find((e) => e.actor.role !== 'system')?.actor ?? SYSTEM_ACTOR;
  return {
    reason: `以下操作未能记录，视为未发生：${actions.join('、')}（${error}）。${subject}保持原状态，可继续办理；请核对提交的内容后重新办理。`,
    change: {
      patch: { recordFailure: { at, actions, by: person.id, error } },
      clauses: [...new Set(refused.flatMap((e) => e.clauses))],
      details: { refusedActions: actions, refusedSeqs: refused.map((e) => e.seq), requestedBy: person.id, error },
    },
  };
}

/**
 * A step of the case's own (counting a due date, taking a place) whose activity failed for good:
 * recorded for the office to see, and dropped, so that the case still takes decisions. A refused
 * place is asked for again with the weekly retry of a waiting case (C-QUOTA); a due date not
 * counted leaves the step without one until the next decision sets another.
 */
export function applyStepFailure(state: CaseState, step: 'resolveDeadline' | 'takeQuotaPlace', error: string, at: string): Transition {
  const quota = step === 'takeQuotaPlace';
  const patch: Partial<CaseState> = quota
    ? { quotaRequest: null, quotaWait: state.quotaWait ?? (state.quotaRequest && { readyAt: state.quotaRequest.readyAt, rank: 0 }) }
    : { deadlineRequest: null };
  const what = quota ? '申请认定名额' : '计算办理期限';
  return transition(
    state,
    at,
    SYSTEM_ACTOR,
    'step_failed',
    state.status,
    `系统未能${what}（${error}）。${quota ? '案件继续候补，每周自动重试；' : '该步骤暂无截止日期；'}请市场监管部门核查后继续办理。`,
    {
      patch: { ...patch, recordFailure: { at, actions: [step], by: SYSTEM_ACTOR.id, error } },
      clauses: quota ? ['C-QUOTA'] : [],
      details: { step, error, notify: waitingForCase(state) ?? 'district' },
    },
  );
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
  // A decision recorded after one that could not be shows the office that the case moves again.
  const decided = actor.role !== 'system' ? { lastDecision: { action, by: actor, at, reason }, ...(state.recordFailure ? { recordFailure: null } : {}) } : {};
  return {
    // A closed case waits for nothing: no deadline or request for a place stays pending on it.
    state: {
      ...state,
      ...change.patch,
      ...decided,
      ...(isClosed(toStatus) ? { deadlineRequest: null, reviewPause: null, quotaRequest: null } : {}),
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

function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function cstDate(isoInstant: string): IsoDate {
  return cstDateOf(Date.parse(isoInstant));
}
