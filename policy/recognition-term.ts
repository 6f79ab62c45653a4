/**
 * The recognised phase of a 名特优新 case (RULES.md part 2: C-FILE, C-VALID, C-ANNUAL, C-EVAL,
 * C-REVOKE, C-BAN, C-XREGION) as pure rules over plain data, in the style of
 * policy/recognition-case.ts: `validate*` say whether a command may happen and which clause
 * it breaks, `apply*` compute the next state and the audit events it leaves. No I/O, no clock:
 * the caller passes the instant; every policy date is a CST calendar date.
 *
 * A term is one validity period. The workflow runs one term per execution and continues as
 * new into the next when the final-year evaluation extends the recognition, carrying only
 * what is still open (unsettled annual reports, an undecided spot check).
 */
import type { Actor } from './actors.js';
import { SYSTEM_ACTOR } from './actors.js';
import { addDays, addYears, isValidIsoDate, startOfCstDay, cstDateOf, yearOf, type IsoDate } from './dates.js';
import { DEFAULT_ELIGIBILITY_SETTINGS, checkEligibility, type EligibilityFacts, type EligibilityResult } from './eligibility.js';
import { recordFailureOf, type CaseAction, type CaseState, type CaseView, type CaseStatus, type Category, type Deadline, type DeadlineRequest, type RecordFailure } from './recognition-case.js';
import { fireDueDuties, nextDuty, type TimedDuty } from './timed-duties.js';
import type { Tier } from './tiering.js';
import { violation, type RecognitionTermSettings, type RuleViolation } from './vocabulary.js';


export type RecognitionStatus = Extract<CaseStatus, 'recognised' | 'refused' | 'cancelled' | 'revoked' | 'expired' | 'transferred'>;

/** The other two regions of Beijing–Tianjin–Hebei mutual recognition (C-XREGION). */
export const OTHER_REGIONS = ['beijing', 'hebei'] as const;
export type OtherRegion = (typeof OTHER_REGIONS)[number];
export type RecognitionOrigin = 'tianjin' | OtherRegion;
/** How the household came to be recognised: it applied, a department recommended it, or it moved here recognised. */
export const RECOGNITION_ROUTES = ['self', 'department', 'transfer'] as const;
export type RecognitionRoute = (typeof RECOGNITION_ROUTES)[number];

/** Grounds of a revocation 撤销认定 (C-REVOKE: 以欺诈、贿赂等手段隐瞒真实情况、弄虚作假取得认定). */
export const REVOCATION_GROUNDS = ['fraud', 'bribery', 'concealment'] as const;
export type RevocationGround = (typeof REVOCATION_GROUNDS)[number];

/** C-BAN: no new application for five years from the revocation date. */
export const BAN_YEARS = 5;
/** C-VALID, C-EVAL: a recognition and each extension last three years. */
export const TERM_YEARS = 3;

export type TermAction =
  | 'filed'
  | 'transfer_registered'
  | 'spot_check_selected'
  | 'spot_check_confirmed'
  | 'spot_check_refused'
  | 'supplement_requested'
  | 'supplement_supplied'
  | 'supplement_lapsed'
  | 'deadline_set'
  | 'reminder_sent'
  | 'annual_report_reminder'
  | 'annual_report_filed'
  | 'annual_report_overdue'
  | 'annual_report_excused'
  | 'annual_report_accepted'
  | 'annual_report_rejected'
  | 'annual_report_missed'
  | 'operator_change_reported'
  | 'operator_rechecked'
  | 'operator_recheck_failed'
  | 'cancelled'
  | 'evaluation_opened'
  | 'evaluation_data_read'
  | 'evaluation_finding'
  | 'extended'
  | 'expired'
  | 'revoked'
  | 'transferred_out'
  | 'quota_place_released'
  | 'record_failed';

export interface TierStanding {
  tier: Tier;
  year: number;
}

export type SpotCheckStatus = 'selected' | 'awaiting_supplement' | 'supplement_received' | 'confirmed' | 'refused';

export interface SpotCheck {
  status: SpotCheckStatus;
  selectedOn: IsoDate;
  supplementRequest: { reason: string; dueOn: IsoDate; requestedAt: string } | null;
  /** The supplement's due date as resolved, with its reminder. */
  deadline: Deadline | null;
  supplements: Array<{ evidenceRefs: string[]; note: string | null; at: string }>;
  decision: { decision: 'confirmed' | 'refused'; by: string; at: string; reason: string | null } | null;
}

export type AnnualReportStatus = 'due' | 'filed' | 'accepted' | 'rejected' | 'excused' | 'missed';

export interface AnnualReportFiling {
  filedAt: string;
  late: boolean;
  revenue: number | null;
  employees: number | null;
  operatorChanged: boolean;
  newOperatorId: string | null;
  note: string | null;
}

/** The information report 信息报告 due by 31 July of `year` (C-ANNUAL). */
export interface AnnualReport {
  year: number;
  dueOn: IsoDate;
  remindOn: IsoDate;
  /** The first day on which the report still missing, and not excused, cancels the recognition. */
  cancelOn: IsoDate;
  status: AnnualReportStatus;
  reminded: boolean;
  /** Escalated to the district office the day after the due date. */
  escalated: boolean;
  filing: AnnualReportFiling | null;
  decision: { decision: 'accepted' | 'rejected' | 'excused'; by: string; at: string; reason: string | null } | null;
}

export type EvaluationCriterion = 'X1' | 'X2' | 'X3' | 'X4';

export interface CriterionFinding {
  criterion: EvaluationCriterion;
  met: boolean;
  /** data: read from the feeds and the tiering; district / department: recorded by that office with evidence. */
  source: 'data' | 'district' | 'department';
  by: string;
  at: string;
  evidenceRefs: string[];
  note: string | null;
  facts: Record<string, unknown>;
}

/** The final-year evaluation 评估确认 (C-EVAL). */
export interface Evaluation {
  opensOn: IsoDate;
  openedAt: string | null;
  lastDataReadOn: IsoDate | null;
  /** The latest finding per criterion and source. */
  findings: CriterionFinding[];
  /** The tier in force at the last data reading: the next term's starting tier if extended. */
  tierAtLastRead: TierStanding | null;
}

export interface OperatorChange {
  newOperatorId: string;
  changedOn: IsoDate;
  reportedAt: string;
  reportedBy: string;
}

export interface TermDecisionRecord {
  /** A term action, or the application's last decision carried into the first term. */
  action: TermAction | CaseAction;
  by: Actor;
  at: string;
  reason: string | null;
}

export interface RecognitionTerm {
  phase: 'recognised';
  caseId: string;
  uscc: string;
  householdName: string;
  districtCode: string;
  category: Category;
  route: RecognitionRoute;
  origin: RecognitionOrigin;
  /** The department whose answer decides X4; set for department-recommended recognitions only. */
  recommendingDepartment: string | null;
  /** The application year (or the year of the incoming transfer): the case ID's year. */
  year: number;
  /** When the case began: the application's submission, or the transfer's registration. */
  openedAt: string;
  status: RecognitionStatus;
  recognition: { recognisedOn: IsoDate; validUntil: IsoDate; benefitsFrom: IsoDate };
  /** 1 for the first validity period, +1 for each extension. */
  termNo: number;
  termStartedOn: IsoDate;
  /** The tier in force when this term began: X3 compares the tier in force now with it. */
  tierAtTermStart: TierStanding | null;
  termSettings: RecognitionTermSettings;
  spotCheck: SpotCheck | null;
  /** Reports are due for every year from this one while the recognition is valid. */
  firstReportYear: number;
  /** Every report up to this year is settled (accepted or excused) and no longer carried. */
  reportsSettledThrough: number;
  reports: AnnualReport[];
  operatorChange: OperatorChange | null;
  evaluation: Evaluation;
  extension: { fromValidUntil: IsoDate; toValidUntil: IsoDate; criteria: EvaluationCriterion[]; at: string } | null;
  revocation: { ground: RevocationGround; reason: string; by: string; revokedOn: IsoDate; bannedUntil: IsoDate } | null;
  transferIn: { origin: OtherRegion; originRef: string; registeredBy: string; registeredOn: IsoDate } | null;
  transferOut: { destination: OtherRegion; movedOn: IsoDate; reportedBy: string } | null;
  closedOn: IsoDate | null;
  /** The supplement's due date still to be resolved against the calendar. */
  deadlineRequest: DeadlineRequest | null;
  /** An operator change still to be re-checked (C-ONE-PERSON, C-EX2). */
  operatorRecheck: { newOperatorId: string; asOf: IsoDate } | null;
  /** The data criteria X1 and X3 are to be read. */
  evaluationDataDue: boolean;
  /** The place under the quota is to be released (C-QUOTA). */
  placeRelease: { reason: string } | null;
  updatedAt: string;
  lastDecision: TermDecisionRecord | null;
  /** As in the application (policy/recognition-case.ts): the last decision PostgreSQL refused for good, until the next is recorded. */
  recordFailure?: RecordFailure | null;
  /** Sequence number of the last audit event, continuing the application's; the projection's version. */
  seq: number;
}

/** What a reader sees of a recognised case: the term without the workflow's own bookkeeping. */
export type RecognitionView = Omit<RecognitionTerm, 'deadlineRequest' | 'operatorRecheck' | 'evaluationDataDue' | 'placeRelease'>;
/** Either phase's view; a recognised case's has `phase: 'recognised'`. */
export type LiveCaseView = CaseView | RecognitionView;

export function isRecognitionView(view: LiveCaseView): view is RecognitionView {
  return 'phase' in view && view.phase === 'recognised';
}

export interface TermEvent {
  seq: number;
  at: string;
  actor: Actor;
  action: TermAction;
  fromStatus: RecognitionStatus;
  toStatus: RecognitionStatus;
  reason: string | null;
  clauses: string[];
  details: Record<string, unknown>;
}

export interface TermTransition {
  state: RecognitionTerm;
  event: TermEvent;
}

/** A Tianjin case at the moment a place under the quota made it recognised (policy/recognition-case.ts). */
export interface RecognisedApplication {
  caseId: string;
  uscc: string;
  householdName: string;
  districtCode: string;
  category: Category;
  route: 'self' | 'department';
  recommendingDepartment: string | null;
  year: number;
  submittedAt: string;
  recognition: { recognisedOn: IsoDate; validUntil: IsoDate; benefitsFrom: IsoDate };
  lastDecision: TermDecisionRecord | null;
  seq: number;
}

/** A household recognised in Beijing or Hebei, registered by the city office (C-XREGION). */
export interface IncomingTransfer {
  caseId: string;
  uscc: string;
  householdName: string;
  districtCode: string;
  category: Category;
  origin: OtherRegion;
  /** The origin's recognition document (decision number or certificate). */
  originRef: string;
  recognisedOn: IsoDate;
  validUntil: IsoDate;
  registeredBy: Actor;
  registeredAt: string;
  year: number;
}

/** How a run of the recognised phase begins: fresh from recognition, from a transfer, or continuing. */
export type RecognisedPhaseInput =
  | { phase: 'recognised'; start: 'recognition'; application: RecognisedApplication; tier: TierStanding | null; termSettings: RecognitionTermSettings }
  | { phase: 'recognised'; start: 'transfer'; transfer: IncomingTransfer; tier: TierStanding | null; termSettings: RecognitionTermSettings }
  | { phase: 'recognised'; start: 'continuation'; term: RecognitionTerm };

// ── Commands ────────────────────────────────────────────────────────────────────────────

export type SpotCheckCommand =
  | { decision: 'confirm'; actor: Actor; reason?: string }
  | { decision: 'request_supplement'; actor: Actor; reason: string; dueOn: IsoDate }
  | { decision: 'refuse'; actor: Actor; reason: string };

export interface SupplementCommand {
  actor: Actor;
  evidenceRefs: string[];
  note?: string;
}

export interface AnnualReportCommand {
  actor: Actor;
  year: number;
  revenue?: number;
  employees?: number;
  operatorChanged?: boolean;
  newOperatorId?: string;
  note?: string;
}

export interface AnnualReportDecisionCommand {
  actor: Actor;
  year: number;
  decision: 'accept' | 'reject' | 'excuse';
  reason?: string;
  /**
   * The household's tier in force when the office decides, as the caller read it: what the data
   * say of the base standard the office confirms (C-ANNUAL; unclassified fails T-B1…T-B6).
   */
  tierInForce?: TierStanding | null;
}

export interface OperatorChangeCommand {
  actor: Actor;
  newOperatorId: string;
  changedOn: IsoDate;
  note?: string;
}

export interface CancellationCommand {
  actor: Actor;
  reason: string;
}

export interface EvaluationFindingCommand {
  actor: Actor;
  criterion: 'X1' | 'X2' | 'X4';
  met: boolean;
  evidenceRefs: string[];
  note?: string;
}

export interface RevocationCommand {
  actor: Actor;
  ground: RevocationGround;
  reason: string;
  evidenceRefs?: string[];
}

export interface TransferOutCommand {
  actor: Actor;
  destination: OtherRegion;
  movedOn: IsoDate;
  note?: string;
}

// ── Opening a term ───────────────────────────────────────────────────────────────────────

/**
 * C-FILE sampling, reproducible: the FNV-1a hash of `caseId:year` read as a fraction of 2^32
 * is below the rate. The same case is selected, or not, on every replay and every re-run.
 */
export function isSelectedForSpotCheck(caseId: string, year: number, rate: number): boolean {
  return fnv1a32(`${caseId}:${year}`) / 2 ** 32 < rate;
}

/** What the recognised phase keeps of an application recognised just now. */
export function recognisedApplication(state: CaseState): RecognisedApplication {
  if (!state.recognition) throw new TypeError(`${state.caseId} is ${state.status}, not recognised`);
  return {
    caseId: state.caseId,
    uscc: state.uscc,
    householdName: state.householdName,
    districtCode: state.districtCode,
    category: state.category,
    route: state.route,
    recommendingDepartment: state.recommendation?.department ?? null,
    year: state.year,
    submittedAt: state.submittedAt,
    recognition: state.recognition,
    lastDecision: state.lastDecision,
    seq: state.seq,
  };
}

export function openRecognisedPhase(input: RecognisedPhaseInput, at: string): { state: RecognitionTerm; transitions: TermTransition[] } {
  switch (input.start) {
    case 'continuation':
      return { state: input.term, transitions: [] };
    case 'recognition':
      return openAfterRecognition(input.application, input.tier, input.termSettings, at);
    case 'transfer':
      return openAfterTransfer(input.transfer, input.tier, input.termSettings);
  }
}

function openAfterRecognition(
  application: RecognisedApplication,
  tier: TierStanding | null,
  termSettings: RecognitionTermSettings,
  at: string,
): { state: RecognitionTerm; transitions: TermTransition[] } {
  const { recognisedOn, validUntil } = application.recognition;
  const base = newTerm({
    caseId: application.caseId,
    uscc: application.uscc,
    householdName: application.householdName,
    districtCode: application.districtCode,
    category: application.category,
    route: application.route,
    origin: 'tianjin',
    recommendingDepartment: application.recommendingDepartment,
    year: application.year,
    openedAt: application.submittedAt,
    recognition: application.recognition,
    termStartedOn: recognisedOn,
    tierAtTermStart: tier,
    termSettings,
    transferIn: null,
    updatedAt: at,
    lastDecision: application.lastDecision,
    seq: application.seq,
  });
  const recognitionYear = yearOf(recognisedOn);
  const selected = isSelectedForSpotCheck(application.caseId, recognitionYear, termSettings.spotCheckRate);
  const filed = termTransition(base, at, SYSTEM_ACTOR, 'filed', 'recognised', null, {
    patch: {},
    clauses: ['C-FILE', 'C-VALID'],
    details: {
      districtCode: application.districtCode,
      validUntil,
      firstReportYear: base.firstReportYear,
      spotCheckRate: termSettings.spotCheckRate,
      selectedForSpotCheck: selected,
      tierAtRecognition: tier,
    },
  });
  if (!selected) return { state: filed.state, transitions: [filed] };
  const spotCheck: SpotCheck = {
    status: 'selected',
    selectedOn: cstDate(at),
    supplementRequest: null,
    deadline: null,
    supplements: [],
    decision: null,
  };
  const sampled = termTransition(filed.state, at, SYSTEM_ACTOR, 'spot_check_selected', 'recognised', null, {
    patch: { spotCheck },
    clauses: ['C-FILE'],
    details: { sampledAs: `${application.caseId}:${recognitionYear}`, spotCheckRate: termSettings.spotCheckRate, notify: 'city' },
  });
  return { state: sampled.state, transitions: [filed, sampled] };
}

function openAfterTransfer(
  transfer: IncomingTransfer,
  tier: TierStanding | null,
  termSettings: RecognitionTermSettings,
): { state: RecognitionTerm; transitions: TermTransition[] } {
  const registeredOn = cstDate(transfer.registeredAt);
  const recognition = { recognisedOn: transfer.recognisedOn, validUntil: transfer.validUntil, benefitsFrom: registeredOn };
  const base = newTerm({
    caseId: transfer.caseId,
    uscc: transfer.uscc,
    householdName: transfer.householdName,
    districtCode: transfer.districtCode,
    category: transfer.category,
    route: 'transfer',
    origin: transfer.origin,
    recommendingDepartment: null,
    year: transfer.year,
    openedAt: transfer.registeredAt,
    recognition,
    termStartedOn: registeredOn,
    tierAtTermStart: tier,
    termSettings,
    transferIn: { origin: transfer.origin, originRef: transfer.originRef, registeredBy: transfer.registeredBy.id, registeredOn },
    updatedAt: transfer.registeredAt,
    lastDecision: null,
    seq: 0,
  });
  const registered = termTransition(base, transfer.registeredAt, transfer.registeredBy, 'transfer_registered', 'recognised', null, {
    patch: {},
    clauses: ['C-XREGION', 'C-VALID'],
    details: { ...recognition, origin: transfer.origin, originRef: transfer.originRef, firstReportYear: base.firstReportYear, tierAtRegistration: tier },
  });
  return { state: registered.state, transitions: [registered] };
}

function newTerm(fields: {
  caseId: string;
  uscc: string;
  householdName: string;
  districtCode: string;
  category: Category;
  route: RecognitionRoute;
  origin: RecognitionOrigin;
  recommendingDepartment: string | null;
  year: number;
  openedAt: string;
  recognition: RecognitionTerm['recognition'];
  termStartedOn: IsoDate;
  tierAtTermStart: TierStanding | null;
  termSettings: RecognitionTermSettings;
  transferIn: RecognitionTerm['transferIn'];
  updatedAt: string;
  lastDecision: TermDecisionRecord | null;
  seq: number;
}): RecognitionTerm {
  // Reports are due for each year after the one the household became recognised here (C-ANNUAL).
  const firstReportYear = yearOf(fields.termStartedOn) + 1;
  const term: RecognitionTerm = {
    phase: 'recognised',
    ...fields,
    status: 'recognised',
    termNo: 1,
    spotCheck: null,
    firstReportYear,
    reportsSettledThrough: firstReportYear - 1,
    reports: [],
    operatorChange: null,
    evaluation: newEvaluation(fields.recognition.validUntil),
    extension: null,
    revocation: null,
    transferOut: null,
    closedOn: null,
    deadlineRequest: null,
    operatorRecheck: null,
    evaluationDataDue: false,
    placeRelease: null,
  };
  return { ...term, reports: scheduleReports(term) };
}

function newEvaluation(validUntil: IsoDate): Evaluation {
  return { opensOn: evaluationOpensOn(validUntil), openedAt: null, lastDataReadOn: null, findings: [], tierAtLastRead: null };
}

/** C-EVAL: the last year of validity begins one year before the day after validUntil. */
export function evaluationOpensOn(validUntil: IsoDate): IsoDate {
  return addYears(addDays(validUntil, 1), -1);
}

/** The report due by 31 July of `year` with its reminder and its cancellation day (calendar days, not working days). */
export function annualReportDue(year: number, settings: RecognitionTermSettings): Pick<AnnualReport, 'year' | 'dueOn' | 'remindOn' | 'cancelOn'> {
  const dueOn = `${year}-07-31`;
  return {
    year,
    dueOn,
    remindOn: addDays(dueOn, -settings.annualReportReminderDays),
    cancelOn: addDays(dueOn, settings.annualReportGraceDays + 1),
  };
}

/** The term's reports: those carried, plus one for each later year whose 31 July falls within the validity. */
function scheduleReports(term: RecognitionTerm): AnnualReport[] {
  const reports = [...term.reports];
  for (let year = term.reportsSettledThrough + 1; `${year}-07-31` <= term.recognition.validUntil; year++) {
    if (reports.some((r) => r.year === year)) continue;
    reports.push({
      ...annualReportDue(year, term.termSettings),
      status: 'due',
      reminded: false,
      escalated: false,
      filing: null,
      decision: null,
    });
  }
  return reports.sort((a, b) => a.year - b.year);
}

/**
 * The input of the next run: the same term with its settled reports dropped, or — after an
 * extension — the next term, starting the day after the old validity ends.
 */
export function continueRecognisedPhase(term: RecognitionTerm): RecognisedPhaseInput {
  const settled = (r: AnnualReport) => r.status === 'accepted' || r.status === 'excused';
  let settledThrough = term.reportsSettledThrough;
  for (const report of term.reports) {
    if (report.year === settledThrough + 1 && settled(report)) settledThrough = report.year;
  }
  const compacted: RecognitionTerm = {
    ...term,
    reportsSettledThrough: settledThrough,
    reports: term.reports.filter((r) => r.year > settledThrough),
  };
  const extension = term.extension;
  if (!extension) return { phase: 'recognised', start: 'continuation', term: compacted };
  const next: RecognitionTerm = {
    ...compacted,
    termNo: term.termNo + 1,
    termStartedOn: addDays(extension.fromValidUntil, 1),
    tierAtTermStart: term.evaluation.tierAtLastRead ?? term.tierAtTermStart,
    evaluation: newEvaluation(extension.toValidUntil),
    // A reading of the data still due belonged to the old term's evaluation; the new one is not open.
    evaluationDataDue: false,
    extension: null,
  };
  return { phase: 'recognised', start: 'continuation', term: { ...next, reports: scheduleReports(next) } };
}

// ── Views and worklist ───────────────────────────────────────────────────────────────────

export function isTermClosed(status: RecognitionStatus): boolean {
  return status !== 'recognised';
}

/** Whose move the recognition waits for, and by when: what puts it on a role's worklist. */
export function termWaiting(
  term: Pick<RecognitionTerm, 'status' | 'spotCheck' | 'reports' | 'evaluation' | 'extension' | 'recognition'>,
): { waitingFor: 'city' | 'household' | 'district' | 'department' | null; dueOn: IsoDate | null } {
  if (isTermClosed(term.status)) return { waitingFor: null, dueOn: null };
  const spotCheck = term.spotCheck;
  if (spotCheck?.status === 'selected' || spotCheck?.status === 'supplement_received') return { waitingFor: 'city', dueOn: null };
  if (spotCheck?.status === 'awaiting_supplement') return { waitingFor: 'household', dueOn: spotCheck.supplementRequest?.dueOn ?? null };
  const filed = term.reports.find((r) => r.status === 'filed');
  if (filed) return { waitingFor: 'district', dueOn: null };
  const overdue = term.reports.find((r) => r.status === 'due' && r.escalated);
  if (overdue) return { waitingFor: 'district', dueOn: addDays(overdue.cancelOn, -1) };
  const reminded = term.reports.find((r) => r.status === 'due' && r.reminded);
  if (reminded) return { waitingFor: 'household', dueOn: reminded.dueOn };
  if (term.evaluation.openedAt && !term.extension) return { waitingFor: 'district', dueOn: term.recognition.validUntil };
  return { waitingFor: null, dueOn: null };
}

// ── C-FILE: the city's spot check ────────────────────────────────────────────────────────

export function validateSpotCheck(term: RecognitionTerm, command: SpotCheckCommand, today: IsoDate): RuleViolation | null {
  if (command.actor.role !== 'city') {
    return violation(403, 'actor', 'C-FILE', 'only the city office spot-checks the recognitions the districts file');
  }
  const open = openRecognition(term, 'decision');
  if (open) return open;
  const spotCheck = term.spotCheck;
  if (!spotCheck) return violation(409, 'decision', 'C-FILE', 'this recognition was not selected for the spot check');
  if (spotCheck.decision) return violation(409, 'decision', 'C-FILE', `the spot check is already ${spotCheck.decision.decision}`);
  switch (command.decision) {
    case 'confirm':
      return null;
    case 'request_supplement':
      if (spotCheck.status === 'awaiting_supplement') {
        return violation(409, 'decision', 'C-FILE', `supplementary material is already awaited until ${spotCheck.supplementRequest?.dueOn}`);
      }
      if (isBlank(command.reason)) return violation(422, 'reason', 'C-FILE', 'say which supplementary material is needed');
      return futureDate(command.dueOn, 'dueOn', today, 'C-FILE');
    case 'refuse':
      return isBlank(command.reason) ? violation(422, 'reason', 'C-FILE', 'a refusal must give its reason') : null;
    default:
      return violation(422, 'decision', 'C-FILE', 'decision must be confirm, request_supplement or refuse');
  }
}

export function applySpotCheck(term: RecognitionTerm, command: SpotCheckCommand, at: string): TermTransition[] {
  const spotCheck = term.spotCheck as SpotCheck;
  switch (command.decision) {
    case 'confirm':
      return [
        termTransition(term, at, command.actor, 'spot_check_confirmed', 'recognised', command.reason ?? null, {
          patch: {
            spotCheck: {
              ...spotCheck,
              status: 'confirmed',
              deadline: null,
              decision: { decision: 'confirmed', by: command.actor.id, at, reason: command.reason ?? null },
            },
            deadlineRequest: null,
          },
          clauses: ['C-FILE'],
        }),
      ];
    case 'request_supplement':
      return [
        termTransition(term, at, command.actor, 'supplement_requested', 'recognised', command.reason, {
          patch: {
            spotCheck: { ...spotCheck, status: 'awaiting_supplement', supplementRequest: { reason: command.reason, dueOn: command.dueOn, requestedAt: at }, deadline: null },
            deadlineRequest: { kind: 'supplement', dueOn: command.dueOn },
          },
          clauses: ['C-FILE', 'C-NOFEE'],
          details: { dueOn: command.dueOn, notify: 'household' },
        }),
      ];
    case 'refuse':
      return [
        close(term, at, command.actor, 'spot_check_refused', 'refused', command.reason, {
          patch: {
            spotCheck: { ...spotCheck, status: 'refused', deadline: null, decision: { decision: 'refused', by: command.actor.id, at, reason: command.reason } },
          },
          clauses: ['C-FILE'],
        }),
      ];
  }
}

export function validateSupplement(term: RecognitionTerm, command: SupplementCommand): RuleViolation | null {
  if (!isOwnHousehold(term, command.actor)) return violation(403, 'actor', 'C-FILE', 'only the recognised household supplies its material');
  const open = openRecognition(term, 'evidenceRefs');
  if (open) return open;
  if (term.spotCheck?.status !== 'awaiting_supplement') {
    return violation(409, 'evidenceRefs', 'C-FILE', 'the city office has asked for no supplementary material');
  }
  if (command.evidenceRefs.length === 0 || command.evidenceRefs.some(isBlank)) {
    return violation(422, 'evidenceRefs', 'C-FILE', 'name at least one piece of supplementary material');
  }
  return null;
}

export function applySupplement(term: RecognitionTerm, command: SupplementCommand, at: string): TermTransition {
  const spotCheck = term.spotCheck as SpotCheck;
  return termTransition(term, at, command.actor, 'supplement_supplied', 'recognised', command.note ?? null, {
    patch: {
      spotCheck: {
        ...spotCheck,
        status: 'supplement_received',
        deadline: null,
        supplements: [...spotCheck.supplements, { evidenceRefs: command.evidenceRefs, note: command.note ?? null, at }],
      },
      deadlineRequest: null,
    },
    clauses: ['C-FILE'],
    details: { evidenceRefs: command.evidenceRefs, notify: 'city' },
  });
}

/** The supplement's due date resolved by the workflow (with its reminder, working days before). */
export function applyTermDeadline(term: RecognitionTerm, deadline: Deadline, at: string): TermTransition {
  const spotCheck = term.spotCheck as SpotCheck;
  return termTransition(term, at, SYSTEM_ACTOR, 'deadline_set', term.status, null, {
    patch: { spotCheck: { ...spotCheck, deadline }, deadlineRequest: null },
    clauses: ['C-FILE'],
    details: { ...deadline },
  });
}

// ── C-ANNUAL: annual reports, operator changes, cancellation ───────────────────────────────

export function validateAnnualReport(term: RecognitionTerm, command: AnnualReportCommand, today: IsoDate): RuleViolation | null {
  if (!isOwnHousehold(term, command.actor)) return violation(403, 'actor', 'C-ANNUAL', 'only the recognised household files its annual report');
  const open = openRecognition(term, 'year');
  if (open) return open;
  const report = term.reports.find((r) => r.year === command.year);
  if (!report) {
    const due = term.reports.map((r) => r.year).join(', ') || 'none';
    return violation(422, 'year', 'C-ANNUAL', `no report for ${command.year} is due in this validity period (due: ${due})`);
  }
  if (report.status !== 'due') return violation(409, 'year', 'C-ANNUAL', `the report for ${command.year} is already ${report.status}`);
  if (today < `${command.year}-01-01`) return violation(422, 'year', 'C-ANNUAL', `the report for ${command.year} can be filed from ${command.year}-01-01`);
  if (command.revenue !== undefined && !(Number.isFinite(command.revenue) && command.revenue >= 0)) {
    return violation(422, 'revenue', 'C-ANNUAL', 'revenue must be a non-negative amount in yuan');
  }
  if (command.employees !== undefined && !(Number.isInteger(command.employees) && command.employees >= 0)) {
    return violation(422, 'employees', 'C-ANNUAL', 'employees must be a non-negative whole number');
  }
  if (command.operatorChanged && isBlank(command.newOperatorId)) {
    return violation(422, 'newOperatorId', 'C-ANNUAL', 'a change of operator names the new operator');
  }
  if (!command.operatorChanged && command.newOperatorId !== undefined) {
    return violation(422, 'newOperatorId', 'C-ANNUAL', 'newOperatorId is given only with operatorChanged: true');
  }
  return null;
}

export function applyAnnualReport(term: RecognitionTerm, command: AnnualReportCommand, at: string): TermTransition[] {
  const today = cstDate(at);
  const report = term.reports.find((r) => r.year === command.year) as AnnualReport;
  const filing: AnnualReportFiling = {
    filedAt: at,
    late: today > report.dueOn,
    revenue: command.revenue ?? null,
    employees: command.employees ?? null,
    operatorChanged: command.operatorChanged ?? false,
    newOperatorId: command.operatorChanged ? (command.newOperatorId ?? null) : null,
    note: command.note ?? null,
  };
  const filed = termTransition(term, at, command.actor, 'annual_report_filed', 'recognised', command.note ?? null, {
    patch: { reports: replaceReport(term, { ...report, status: 'filed', filing }) },
    clauses: ['C-ANNUAL'],
    details: { year: command.year, late: filing.late, revenue: filing.revenue, employees: filing.employees, operatorChanged: filing.operatorChanged, notify: 'district' },
  });
  if (!filing.operatorChanged) return [filed];
  return [filed, operatorChangeReported(filed.state, command.actor, filing.newOperatorId as string, today, at, `reported in the ${command.year} annual report`)];
}

export function validateAnnualReportDecision(term: RecognitionTerm, command: AnnualReportDecisionCommand): RuleViolation | null {
  const office = ownDistrictOffice(term, command.actor, 'C-ANNUAL', 'the recognising district office reviews the annual reports');
  if (office) return office;
  const open = openRecognition(term, 'decision');
  if (open) return open;
  const report = term.reports.find((r) => r.year === command.year);
  if (!report) return violation(422, 'year', 'C-ANNUAL', `no report for ${command.year} is due in this validity period`);
  switch (command.decision) {
    case 'accept':
    case 'reject':
      if (report.status !== 'filed') return violation(409, 'decision', 'C-ANNUAL', `the report for ${command.year} is ${report.status}, not awaiting review`);
      if (command.decision === 'reject') {
        return isBlank(command.reason) ? violation(422, 'reason', 'C-ANNUAL', 'say which base standard the household no longer meets') : null;
      }
      return command.tierInForce?.tier === 'unclassified' && isBlank(command.reason)
        ? violation(
            422,
            'reason',
            'C-ANNUAL',
            `the tier in force (${command.tierInForce.year}) is unclassified: by the data the household no longer meets the base standard (T-B1…T-B6); ` +
              'reject the report, which cancels the recognition, or say why the standard still holds',
          )
        : null;
    case 'excuse':
      if (report.status !== 'due') return violation(409, 'decision', 'C-ANNUAL', `the report for ${command.year} is ${report.status}: only a missing report is excused`);
      return isBlank(command.reason) ? violation(422, 'reason', 'C-ANNUAL', 'say why the missing report is excused') : null;
    default:
      return violation(422, 'decision', 'C-ANNUAL', 'decision must be accept, reject or excuse');
  }
}

export function applyAnnualReportDecision(term: RecognitionTerm, command: AnnualReportDecisionCommand, at: string): TermTransition {
  const report = term.reports.find((r) => r.year === command.year) as AnnualReport;
  const reason = command.reason ?? null;
  switch (command.decision) {
    case 'accept':
      return termTransition(term, at, command.actor, 'annual_report_accepted', 'recognised', reason, {
        patch: { reports: replaceReport(term, { ...report, status: 'accepted', decision: { decision: 'accepted', by: command.actor.id, at, reason } }) },
        clauses: ['C-ANNUAL'],
        details: { year: command.year, tierInForce: command.tierInForce ?? null },
      });
    case 'excuse':
      return termTransition(term, at, command.actor, 'annual_report_excused', 'recognised', reason, {
        patch: { reports: replaceReport(term, { ...report, status: 'excused', decision: { decision: 'excused', by: command.actor.id, at, reason } }) },
        clauses: ['C-ANNUAL'],
        details: { year: command.year, overdue: report.escalated },
      });
    case 'reject':
      return close(term, at, command.actor, 'annual_report_rejected', 'cancelled', reason, {
        patch: { reports: replaceReport(term, { ...report, status: 'rejected', decision: { decision: 'rejected', by: command.actor.id, at, reason } }) },
        clauses: ['C-ANNUAL'],
        details: { year: command.year, tierInForce: command.tierInForce ?? null },
      });
  }
}

export function validateOperatorChange(term: RecognitionTerm, command: OperatorChangeCommand, today: IsoDate): RuleViolation | null {
  if (!isOwnHousehold(term, command.actor)) return violation(403, 'actor', 'C-ANNUAL', 'only the recognised household reports its change of operator');
  const open = openRecognition(term, 'newOperatorId');
  if (open) return open;
  if (isBlank(command.newOperatorId)) return violation(422, 'newOperatorId', 'C-ANNUAL', 'name the new operator');
  if (!isValidIsoDate(command.changedOn)) return violation(422, 'changedOn', 'C-ANNUAL', 'changedOn must be a date YYYY-MM-DD');
  if (command.changedOn > today) return violation(422, 'changedOn', 'C-ANNUAL', `a change is reported once it happened (today is ${today}, CST)`);
  return null;
}

export function applyOperatorChange(term: RecognitionTerm, command: OperatorChangeCommand, at: string): TermTransition {
  return operatorChangeReported(term, command.actor, command.newOperatorId, command.changedOn, at, command.note ?? null);
}

function operatorChangeReported(term: RecognitionTerm, actor: Actor, newOperatorId: string, changedOn: IsoDate, at: string, reason: string | null): TermTransition {
  return termTransition(term, at, actor, 'operator_change_reported', 'recognised', reason, {
    patch: {
      operatorChange: { newOperatorId, changedOn, reportedAt: at, reportedBy: actor.id },
      operatorRecheck: { newOperatorId, asOf: cstDate(at) },
    },
    clauses: ['C-ANNUAL', 'C-ONE-PERSON', 'C-EX2'],
    details: { newOperatorId, changedOn },
  });
}

/** The clauses an operator change puts in question again. */
const OPERATOR_CLAUSES = ['C-EX2', 'C-ONE-PERSON'];

/**
 * The re-check after an operator change: the new operator must not be a listed dishonest
 * judgment debtor (C-EX2), nor run another household of the district that holds a recognition
 * (C-ONE-PERSON). Another household's application still in progress does not cost this
 * recognition: that application is the one C-ONE-PERSON refuses. `facts` is null when the
 * household is no longer in the registry, which fails the base standard (T-B1).
 */
export function recheckOperator(facts: EligibilityFacts | null): EligibilityResult[] {
  if (!facts) {
    return [{ clause: 'T-B1', passed: false, reason: '登记信息中已无该个体工商户，不再符合基础标准。', facts: {} }];
  }
  const holdingOnly: EligibilityFacts = {
    ...facts,
    sameOperatorHouseholds: facts.sameOperatorHouseholds.map((sibling) => ({ ...sibling, openCases: [] })),
  };
  return checkEligibility(holdingOnly, DEFAULT_ELIGIBILITY_SETTINGS).results.filter((r) => OPERATOR_CLAUSES.includes(r.clause));
}

export function applyOperatorRecheck(term: RecognitionTerm, results: EligibilityResult[], registryOperatorId: string | null, at: string): TermTransition {
  const request = term.operatorRecheck;
  const failed = results.filter((r) => !r.passed);
  const details = { newOperatorId: request?.newOperatorId ?? null, registryOperatorId, results };
  if (failed.length === 0) {
    return termTransition(term, at, SYSTEM_ACTOR, 'operator_rechecked', 'recognised', null, {
      patch: { operatorRecheck: null },
      clauses: ['C-ANNUAL', ...OPERATOR_CLAUSES],
      details,
    });
  }
  return close(term, at, SYSTEM_ACTOR, 'operator_recheck_failed', 'cancelled', failed.map((r) => `${r.clause} ${r.reason}`).join(' '), {
    patch: { operatorRecheck: null },
    clauses: ['C-ANNUAL', ...failed.map((r) => r.clause)],
    details,
  });
}

/** The recognising district office finds the household no longer meets the base standard (C-ANNUAL). */
export function validateCancellation(term: RecognitionTerm, command: CancellationCommand): RuleViolation | null {
  const office = ownDistrictOffice(term, command.actor, 'C-ANNUAL', 'the recognising district office confirms the base standard');
  if (office) return office;
  const open = openRecognition(term, 'reason');
  if (open) return open;
  return isBlank(command.reason) ? violation(422, 'reason', 'C-ANNUAL', 'say which base standard the household no longer meets') : null;
}

export function applyCancellation(term: RecognitionTerm, command: CancellationCommand, at: string): TermTransition {
  return close(term, at, command.actor, 'cancelled', 'cancelled', command.reason, { patch: {}, clauses: ['C-ANNUAL'] });
}

// ── C-EVAL: the final-year evaluation ──────────────────────────────────────────────────────

export interface YearFigure {
  year: number;
  value: number;
}

/** The data X1 and X3 are read from: the feeds' yearly figures and the tier in force now. */
export interface EvaluationData {
  tierNow: TierStanding | null;
  revenue: YearFigure[];
  taxPaid: YearFigure[];
  insured: YearFigure[];
}

/** What the workflow asks the data for: every year from the one before the term began. */
export function evaluationDataQuery(term: RecognitionTerm, today: IsoDate): { uscc: string; baselineYear: number; throughYear: number } {
  return { uscc: term.uscc, baselineYear: yearOf(term.termStartedOn) - 1, throughYear: yearOf(today) };
}

const TIER_RANK: Partial<Record<Tier, number>> = { survival: 1, growth: 2, development: 3 };

/** X3: the tier rose since the term began (survival → growth, growth → development, or both steps). */
export function tierRose(start: TierStanding | null, now: TierStanding | null): boolean {
  const from = start ? TIER_RANK[start.tier] : undefined;
  const to = now ? TIER_RANK[now.tier] : undefined;
  return from !== undefined && to !== undefined && to > from;
}

/**
 * X1: revenue, tax paid or employment (people insured) grew markedly: the latest year's figure
 * is at least `rate` above the baseline, the last year before the term began with a figure
 * above zero.
 */
export function markedGrowth(data: EvaluationData, baselineYear: number, rate: number): { met: boolean; indicators: Record<string, unknown> } {
  const indicators: Record<string, unknown> = {};
  let met = false;
  for (const [name, series] of [['revenue', data.revenue], ['taxPaid', data.taxPaid], ['insured', data.insured]] as const) {
    const baseline = [...series].filter((f) => f.year <= baselineYear && f.value > 0).sort((a, b) => b.year - a.year)[0];
    const latest = baseline ? [...series].filter((f) => f.year > baseline.year).sort((a, b) => b.year - a.year)[0] : undefined;
    if (!baseline || !latest) {
      indicators[name] = null;
      continue;
    }
    const growth = (latest.value - baseline.value) / baseline.value;
    indicators[name] = { baselineYear: baseline.year, baseline: baseline.value, latestYear: latest.year, latest: latest.value, growth: Math.round(growth * 10_000) / 10_000 };
    if (growth >= rate) met = true;
  }
  return { met, indicators };
}

/**
 * A reading of the data criteria. Only a reading that changes a finding is an audit event; the
 * others move the date of the last reading and nothing else.
 */
export function applyEvaluationData(term: RecognitionTerm, data: EvaluationData, at: string): { state: RecognitionTerm; transitions: TermTransition[] } {
  const today = cstDate(at);
  const { baselineYear } = evaluationDataQuery(term, today);
  const growth = markedGrowth(data, baselineYear, term.termSettings.markedGrowthRate);
  const x1: CriterionFinding = {
    criterion: 'X1',
    met: growth.met,
    source: 'data',
    by: 'system',
    at,
    evidenceRefs: [],
    note: null,
    facts: { rate: term.termSettings.markedGrowthRate, ...growth.indicators },
  };
  const x3: CriterionFinding = {
    criterion: 'X3',
    met: tierRose(term.tierAtTermStart, data.tierNow),
    source: 'data',
    by: 'system',
    at,
    evidenceRefs: [],
    note: null,
    facts: { tierAtTermStart: term.tierAtTermStart, tierNow: data.tierNow },
  };
  const evaluation: Evaluation = { ...term.evaluation, lastDataReadOn: today, tierAtLastRead: data.tierNow };
  const changed = [x1, x3].filter((finding) => {
    const previous = findingOf(term.evaluation, finding.criterion, 'data');
    return !previous || previous.met !== finding.met || JSON.stringify(previous.facts) !== JSON.stringify(finding.facts);
  });
  if (changed.length === 0) return { state: { ...term, evaluation, evaluationDataDue: false }, transitions: [] };
  const read = termTransition(term, at, SYSTEM_ACTOR, 'evaluation_data_read', 'recognised', null, {
    patch: { evaluation: { ...evaluation, findings: withFindings(term.evaluation.findings, changed) }, evaluationDataDue: false },
    clauses: ['C-EVAL'],
    details: { findings: changed.map(({ criterion, met, facts }) => ({ criterion, met, facts })) },
  });
  const transitions = [read, ...extendIfMet(read.state, at)];
  return { state: transitions[transitions.length - 1]!.state, transitions };
}

export function validateEvaluationFinding(term: RecognitionTerm, command: EvaluationFindingCommand, today: IsoDate): RuleViolation | null {
  if (command.criterion === 'X4') {
    if (term.route !== 'department') {
      return violation(422, 'criterion', 'C-EVAL', `X4 applies only to a department-recommended recognition; this one came by ${term.route === 'self' ? 'self-application' : 'mutual recognition'}`);
    }
    const { actor } = command;
    const recommender = actor.role === 'department' && actor.department === term.recommendingDepartment;
    // A district department's token reaches its own district only; a namesake elsewhere is not the recommender.
    if (!recommender || (actor.districtCode !== undefined && actor.districtCode !== term.districtCode)) {
      return violation(403, 'actor', 'C-EVAL', `only the recommending department (${term.recommendingDepartment}) answers X4`);
    }
  } else if (command.criterion === 'X1' || command.criterion === 'X2') {
    const office = ownDistrictOffice(term, command.actor, 'C-EVAL', 'the recognising district office evaluates the household');
    if (office) return office;
  } else {
    return violation(422, 'criterion', 'C-EVAL', 'criterion must be X1, X2 (district office) or X4 (recommending department); X3 is read from the tiering');
  }
  const open = openRecognition(term, 'criterion');
  if (open) return open;
  if (!term.evaluation.openedAt) {
    return violation(409, 'criterion', 'C-EVAL', `the final-year evaluation opens on ${term.evaluation.opensOn}`);
  }
  if (term.extension) return violation(409, 'criterion', 'C-EVAL', `the recognition is already extended to ${term.extension.toValidUntil}`);
  if (today > term.recognition.validUntil) return violation(409, 'criterion', 'C-EVAL', `the recognition expired on ${term.recognition.validUntil}`);
  if (command.criterion !== 'X4' && command.met && (command.evidenceRefs.length === 0 || command.evidenceRefs.some(isBlank))) {
    return violation(422, 'evidenceRefs', 'C-EVAL', `a finding that ${command.criterion} is met names its evidence`);
  }
  return null;
}

export function applyEvaluationFinding(term: RecognitionTerm, command: EvaluationFindingCommand, at: string): TermTransition[] {
  const finding: CriterionFinding = {
    criterion: command.criterion,
    met: command.met,
    source: command.criterion === 'X4' ? 'department' : 'district',
    by: command.actor.id,
    at,
    evidenceRefs: command.evidenceRefs,
    note: command.note ?? null,
    facts: {},
  };
  const recorded = termTransition(term, at, command.actor, 'evaluation_finding', 'recognised', command.note ?? null, {
    patch: { evaluation: { ...term.evaluation, findings: withFindings(term.evaluation.findings, [finding]) } },
    clauses: ['C-EVAL'],
    details: { criterion: command.criterion, met: command.met, evidenceRefs: command.evidenceRefs },
  });
  return [recorded, ...extendIfMet(recorded.state, at)];
}

/** Any criterion met extends the validity by three years from its end (C-EVAL). */
function extendIfMet(term: RecognitionTerm, at: string): TermTransition[] {
  const met = [...new Set(term.evaluation.findings.filter((f) => f.met).map((f) => f.criterion))].sort();
  if (met.length === 0 || term.extension) return [];
  const fromValidUntil = term.recognition.validUntil;
  const toValidUntil = addYears(fromValidUntil, TERM_YEARS);
  return [
    termTransition(term, at, SYSTEM_ACTOR, 'extended', 'recognised', null, {
      patch: {
        recognition: { ...term.recognition, validUntil: toValidUntil },
        extension: { fromValidUntil, toValidUntil, criteria: met, at },
      },
      clauses: ['C-EVAL', 'C-VALID'],
      details: { criteria: met, fromValidUntil, toValidUntil, termNo: term.termNo + 1 },
    }),
  ];
}

function findingOf(evaluation: Evaluation, criterion: EvaluationCriterion, source: CriterionFinding['source']): CriterionFinding | undefined {
  return evaluation.findings.find((f) => f.criterion === criterion && f.source === source);
}

function withFindings(findings: CriterionFinding[], added: CriterionFinding[]): CriterionFinding[] {
  const replaced = findings.filter((f) => !added.some((a) => a.criterion === f.criterion && a.source === f.source));
  return [...replaced, ...added].sort((a, b) => a.criterion.localeCompare(b.criterion) || a.source.localeCompare(b.source));
}

// ── C-REVOKE and C-XREGION ───────────────────────────────────────────────────────────────

export function validateRevocation(term: RecognitionTerm, command: RevocationCommand): RuleViolation | null {
  const { actor } = command;
  const mayRevoke = actor.role === 'city' || (actor.role === 'district' && actor.districtCode === term.districtCode);
  if (!mayRevoke) return violation(403, 'actor', 'C-REVOKE', `only the city office or the district office of ${term.districtCode} revokes this recognition`);
  const open = openRecognition(term, 'ground');
  if (open) return open;
  if (term.route !== 'self') {
    return violation(422, 'ground', 'C-REVOKE', `revocation concerns recognitions obtained in self-application; this one came by ${term.route === 'transfer' ? `mutual recognition from ${term.origin}` : 'department recommendation'}`);
  }
  if (!(REVOCATION_GROUNDS as readonly string[]).includes(command.ground)) {
    return violation(422, 'ground', 'C-REVOKE', `ground must be one of ${REVOCATION_GROUNDS.join(', ')}`);
  }
  return isBlank(command.reason) ? violation(422, 'reason', 'C-REVOKE', 'a revocation must give its reason') : null;
}

export function applyRevocation(term: RecognitionTerm, command: RevocationCommand, at: string): TermTransition {
  const revokedOn = cstDate(at);
  const bannedUntil = addYears(revokedOn, BAN_YEARS);
  return close(term, at, command.actor, 'revoked', 'revoked', command.reason, {
    patch: { revocation: { ground: command.ground, reason: command.reason, by: command.actor.id, revokedOn, bannedUntil } },
    clauses: ['C-REVOKE', 'C-BAN'],
    details: { ground: command.ground, revokedOn, bannedUntil, evidenceRefs: command.evidenceRefs ?? [] },
  });
}

export function validateTransferOut(term: RecognitionTerm, command: TransferOutCommand, today: IsoDate): RuleViolation | null {
  const { actor } = command;
  const mayReport = isOwnHousehold(term, actor) || (actor.role === 'district' && actor.districtCode === term.districtCode);
  if (!mayReport) return violation(403, 'actor', 'C-XREGION', `only the household or the district office of ${term.districtCode} reports its move`);
  const open = openRecognition(term, 'destination');
  if (open) return open;
  if (!(OTHER_REGIONS as readonly string[]).includes(command.destination)) {
    return violation(422, 'destination', 'C-XREGION', `destination must be ${OTHER_REGIONS.join(' or ')}: mutual recognition covers Beijing–Tianjin–Hebei`);
  }
  if (!isValidIsoDate(command.movedOn)) return violation(422, 'movedOn', 'C-XREGION', 'movedOn must be a date YYYY-MM-DD');
  if (command.movedOn > today) return violation(422, 'movedOn', 'C-XREGION', `a move is reported once it happened (today is ${today}, CST)`);
  return null;
}

export function applyTransferOut(term: RecognitionTerm, command: TransferOutCommand, at: string): TermTransition {
  return close(term, at, command.actor, 'transferred_out', 'transferred', command.note ?? null, {
    patch: { transferOut: { destination: command.destination, movedOn: command.movedOn, reportedBy: command.actor.id } },
    clauses: ['C-XREGION'],
    details: { destination: command.destination, movedOn: command.movedOn },
  });
}

/** What registering a household recognised elsewhere needs (C-XREGION); the API checks the registry. */
export function validateIncomingTransfer(
  transfer: { origin: string; recognisedOn: string; validUntil: string; originRef: string },
  today: IsoDate,
): RuleViolation | null {
  if (!(OTHER_REGIONS as readonly string[]).includes(transfer.origin)) {
    return violation(422, 'origin', 'C-XREGION', `origin must be ${OTHER_REGIONS.join(' or ')}`);
  }
  if (isBlank(transfer.originRef)) return violation(422, 'originRef', 'C-XREGION', "name the origin's recognition document");
  if (!isValidIsoDate(transfer.recognisedOn)) return violation(422, 'recognisedOn', 'C-XREGION', 'recognisedOn must be a date YYYY-MM-DD');
  if (!isValidIsoDate(transfer.validUntil)) return violation(422, 'validUntil', 'C-XREGION', 'validUntil must be a date YYYY-MM-DD');
  if (transfer.recognisedOn > today) return violation(422, 'recognisedOn', 'C-XREGION', `recognisedOn is after today (${today}, CST)`);
  if (transfer.validUntil < today) {
    return violation(422, 'validUntil', 'C-XREGION', `the recognition ended on ${transfer.validUntil}: only a valid recognition moves with the household`);
  }
  if (transfer.validUntil > addYears(today, TERM_YEARS)) {
    return violation(422, 'validUntil', 'C-XREGION', `no recognition is valid for more than ${TERM_YEARS} years from today (C-VALID)`);
  }
  return null;
}

// ── The clock ───────────────────────────────────────────────────────────────────────────

type TermDuty = TimedDuty<RecognitionTerm, TermEvent>;

/**
 * What the clock alone decides in a term, each once and in this order: the supplement's reminder
 * and lapse, each report's reminder, escalation and cancellation, the evaluation's opening and
 * its readings, and the expiry at the end of validity.
 */
export function termDuties(term: RecognitionTerm): TermDuty[] {
  return [
    SUPPLEMENT_REMINDER,
    SUPPLEMENT_LAPSE,
    ...term.reports.flatMap(({ year }) => [reportReminder(year), reportOverdue(year), reportMissed(year)]),
    EVALUATION_OPENING,
    EVALUATION_REREAD,
    EXPIRY,
  ];
}

const SUPPLEMENT_REMINDER: TermDuty = {
  name: '抽查补充材料截止提醒 (C-FILE)',
  dueAt: (term) => {
    const deadline = awaitedSupplement(term);
    return deadline && !deadline.reminded && deadline.remindOn ? startOfCstDay(deadline.remindOn) : null;
  },
  fire: (term, at) => {
    const spotCheck = term.spotCheck as SpotCheck;
    const deadline = spotCheck.deadline as Deadline;
    return termTransition(term, at, SYSTEM_ACTOR, 'reminder_sent', 'recognised', null, {
      patch: { spotCheck: { ...spotCheck, deadline: { ...deadline, reminded: true } } },
      clauses: ['C-FILE'],
      details: { kind: deadline.kind, dueOn: deadline.dueOn, notify: 'household' },
    });
  },
};

const SUPPLEMENT_LAPSE: TermDuty = {
  name: '抽查补充材料逾期 (C-FILE)',
  dueAt: (term) => {
    const deadline = awaitedSupplement(term);
    return deadline && !deadline.passed ? dayAfter(deadline.dueOn) : null;
  },
  fire: (term, at) => {
    const spotCheck = term.spotCheck as SpotCheck;
    const deadline = spotCheck.deadline as Deadline;
    return close(term, at, SYSTEM_ACTOR, 'supplement_lapsed', 'refused', 'supplementary material not supplied by its due date', {
      patch: { spotCheck: { ...spotCheck, status: 'refused', deadline: { ...deadline, reminded: true, passed: true }, decision: { decision: 'refused', by: 'system', at, reason: 'supplement not supplied' } } },
      clauses: ['C-FILE'],
      details: { dueOn: deadline.dueOn },
    });
  },
};

function reportReminder(year: number): TermDuty {
  return {
    name: `${year}年度信息报告截止提醒 (C-ANNUAL)`,
    dueAt: (term) => {
      const report = dueReport(term, year);
      return report && !report.reminded ? startOfCstDay(report.remindOn) : null;
    },
    fire: (term, at) => {
      const report = dueReport(term, year) as AnnualReport;
      return termTransition(term, at, SYSTEM_ACTOR, 'annual_report_reminder', 'recognised', null, {
        patch: { reports: replaceReport(term, { ...report, reminded: true }) },
        clauses: ['C-ANNUAL'],
        details: { year, dueOn: report.dueOn, notify: 'household' },
      });
    },
  };
}

function reportOverdue(year: number): TermDuty {
  return {
    name: `${year}年度信息报告逾期 (C-ANNUAL)`,
    dueAt: (term) => {
      const report = dueReport(term, year);
      return report && !report.escalated ? dayAfter(report.dueOn) : null;
    },
    fire: (term, at) => {
      const report = dueReport(term, year) as AnnualReport;
      return termTransition(term, at, SYSTEM_ACTOR, 'annual_report_overdue', 'recognised', `annual report for ${year} not filed by ${report.dueOn}`, {
        patch: { reports: replaceReport(term, { ...report, reminded: true, escalated: true }) },
        clauses: ['C-ANNUAL'],
        details: { year, dueOn: report.dueOn, cancelOn: report.cancelOn, notify: 'district' },
      });
    },
  };
}

function reportMissed(year: number): TermDuty {
  return {
    name: `${year}年度信息报告宽限期满 (C-ANNUAL)`,
    dueAt: (term) => {
      const report = dueReport(term, year);
      return report ? startOfCstDay(report.cancelOn) : null;
    },
    fire: (term, at) => {
      const report = dueReport(term, year) as AnnualReport;
      return close(term, at, SYSTEM_ACTOR, 'annual_report_missed', 'cancelled', `annual report for ${year} not filed within ${term.termSettings.annualReportGraceDays} days after ${report.dueOn}, nor excused`, {
        patch: { reports: replaceReport(term, { ...report, status: 'missed' }) },
        clauses: ['C-ANNUAL'],
        details: { year, dueOn: report.dueOn, graceDays: term.termSettings.annualReportGraceDays },
      });
    },
  };
}

const EVALUATION_OPENING: TermDuty = {
  name: '评估确认开始 (C-EVAL)',
  dueAt: (term) => (term.evaluation.openedAt ? null : startOfCstDay(term.evaluation.opensOn)),
  until: expiryOf,
  fire: (term, at) =>
    termTransition(term, at, SYSTEM_ACTOR, 'evaluation_opened', 'recognised', null, {
      patch: { evaluation: { ...term.evaluation, openedAt: at }, evaluationDataDue: true },
      clauses: ['C-EVAL'],
      details: { opensOn: term.evaluation.opensOn, validUntil: term.recognition.validUntil, route: term.route, x4Applies: term.route === 'department', notify: 'district' },
    }),
};

/** The data criteria are read again while the evaluation is open; a reading leaves no event of its own until it finds something. */
const EVALUATION_REREAD: TermDuty = {
  name: '评估确认数据复读 (C-EVAL)',
  dueAt: (term) => {
    const { openedAt, lastDataReadOn } = term.evaluation;
    return openedAt && lastDataReadOn ? startOfCstDay(addDays(lastDataReadOn, rereadDays(term))) : null;
  },
  until: expiryOf,
  fire: (term) => ({ state: { ...term, evaluationDataDue: true } }),
};

const EXPIRY: TermDuty = {
  name: '有效期届满 (C-VALID)',
  dueAt: expiryOf,
  fire: (term, at) =>
    close(term, at, SYSTEM_ACTOR, 'expired', 'expired', 'no criterion X1–X4 met by the end of validity', {
      patch: {},
      clauses: ['C-VALID', 'C-EVAL'],
      details: { validUntil: term.recognition.validUntil, findings: term.evaluation.findings.map(({ criterion, source, met }) => ({ criterion, source, met })) },
    }),
};

function awaitedSupplement(term: RecognitionTerm): Deadline | null {
  return term.spotCheck?.status === 'awaiting_supplement' ? (term.spotCheck.deadline ?? null) : null;
}

function dueReport(term: RecognitionTerm, year: number): AnnualReport | null {
  const report = term.reports.find((r) => r.year === year);
  return report?.status === 'due' ? report : null;
}

function expiryOf(term: RecognitionTerm): number {
  return dayAfter(term.recognition.validUntil);
}

/**
 * The next duty the recognition wakes for by the clock alone, or null: none while it is closed
 * or extended (the extended term continues as new, with its own duties).
 */
export function nextTermDuty(term: RecognitionTerm): { at: number; name: string } | null {
  return isTermClosed(term.status) || term.extension ? null : nextDuty(termDuties(term), term);
}

/** What the clock alone decides at `nowMs`: every duty of termDuties() then due, each once. */
export function applyTermClock(term: RecognitionTerm, nowMs: number, at: string): { state: RecognitionTerm; transitions: TermTransition[] } {
  if (isTermClosed(term.status) || term.extension) return { state: term, transitions: [] };
  return fireDueDuties(termDuties(term), term, nowMs, at, (current) => isTermClosed(current.status));
}

/** The place this recognition held was released (C-QUOTA); a waiting case may now take it. */
export function applyPlaceReleased(term: RecognitionTerm, release: { placeReleased: boolean; nextInLine: string | null }, at: string): TermTransition {
  return termTransition(term, at, SYSTEM_ACTOR, 'quota_place_released', term.status, term.placeRelease?.reason ?? null, {
    patch: { placeRelease: null },
    clauses: ['C-QUOTA'],
    details: release,
  });
}

// ── Helpers ─────────────────────────────────────────────────────────────────────────────

const PLACE_RELEASING: readonly RecognitionStatus[] = ['refused', 'cancelled', 'revoked'];

/**
 * Ends the recognition. A refusal, cancellation or revocation in the year of a Tianjin
 * recognition gives its place under that year's quota back (C-QUOTA); later the year's
 * recognitions are done and its counts are history.
 */
function close(
  term: RecognitionTerm,
  at: string,
  actor: Actor,
  action: TermAction,
  toStatus: Exclude<RecognitionStatus, 'recognised'>,
  reason: string | null,
  change: { patch: Partial<RecognitionTerm>; clauses: string[]; details?: Record<string, unknown> },
): TermTransition {
  const closedOn = cstDate(at);
  const releases =
    PLACE_RELEASING.includes(toStatus) && term.origin === 'tianjin' && term.termNo === 1 && yearOf(closedOn) === yearOf(term.recognition.recognisedOn);
  return termTransition(term, at, actor, action, toStatus, reason, {
    ...change,
    patch: {
      ...change.patch,
      closedOn,
      deadlineRequest: null,
      operatorRecheck: null,
      evaluationDataDue: false,
      placeRelease: releases ? { reason: `${toStatus}: ${reason ?? action}` } : null,
    },
    details: { ...change.details, releasesQuotaPlace: releases },
  });
}

/** What PostgreSQL refused for good did not happen: the recognition goes on from its last recorded state (applyRecordFailure). */
export function applyTermRecordFailure(recorded: RecognitionTerm, refused: TermEvent[], error: string, at: string): TermTransition {
  const { reason, change } = recordFailureOf(refused, error, at, '认定');
  return termTransition(recorded, at, SYSTEM_ACTOR, 'record_failed', recorded.status, reason, change);
}

function termTransition(
  term: RecognitionTerm,
  at: string,
  actor: Actor,
  action: TermAction,
  toStatus: RecognitionStatus,
  reason: string | null,
  change: { patch: Partial<RecognitionTerm>; clauses: string[]; details?: Record<string, unknown> },
): TermTransition {
  const seq = term.seq + 1;
  const decided = actor.role !== 'system' ? { lastDecision: { action, by: actor, at, reason }, ...(term.recordFailure ? { recordFailure: null } : {}) } : {};
  return {
    state: { ...term, ...change.patch, ...decided, status: toStatus, seq, updatedAt: at },
    event: { seq, at, actor, action, fromStatus: term.status, toStatus, reason, clauses: change.clauses, details: change.details ?? {} },
  };
}

function replaceReport(term: RecognitionTerm, report: AnnualReport): AnnualReport[] {
  return term.reports.map((r) => (r.year === report.year ? report : r));
}

function openRecognition(term: RecognitionTerm, field: string): RuleViolation | null {
  return isTermClosed(term.status) ? violation(409, field, null, `the recognition is ${term.status}`) : null;
}

function isOwnHousehold(term: RecognitionTerm, actor: Actor): boolean {
  return actor.role === 'household' && actor.uscc === term.uscc;
}

function ownDistrictOffice(term: RecognitionTerm, actor: Actor, clause: string, what: string): RuleViolation | null {
  if (actor.role !== 'district') return violation(403, 'actor', clause, what);
  if (actor.districtCode !== term.districtCode) return violation(403, 'actor', clause, `the recognition belongs to district ${term.districtCode}`);
  return null;
}

function futureDate(value: string, field: string, today: IsoDate, clause: string): RuleViolation | null {
  if (!isValidIsoDate(value)) return violation(422, field, clause, `${field} must be a date YYYY-MM-DD`);
  return value <= today ? violation(422, field, clause, `${field} must be after today (${today}, CST)`) : null;
}

function rereadDays(term: RecognitionTerm): number {
  return Math.max(1, term.termSettings.evaluationRereadDays);
}

function dayAfter(date: IsoDate): number {
  return startOfCstDay(addDays(date, 1));
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function cstDate(isoInstant: string): IsoDate {
  return cstDateOf(Date.parse(isoInstant));
}
