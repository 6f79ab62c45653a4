/**
 * Who is told what: every audit event that asks someone to act, or tells someone an outcome,
 * becomes a notification to each recipient it concerns, worded in Chinese from a template that
 * names the case, the step, its due date (CST, with the working days left) and what to do.
 * Pure: the caller passes the event, the case's facts and the working-day calendar.
 *
 * A step that waits for someone is announced when its due date is set (`deadline_set`): the
 * decision that opened it is saved before the calendar is read, so only then is the date known.
 */
import { workingDaysBetween, type WorkingDayCalendar } from './calendar.js';
import { addDays, chineseDate, cstDateOf, startOfCstDay, type IsoDate } from './dates.js';

export const RECIPIENT_ROLES = ['household', 'district', 'department', 'city'] as const;
export type RecipientRole = (typeof RECIPIENT_ROLES)[number];

/** A household is addressed by its USCC, a district office by its district code, a department by its name, the city office as `city`. */
export interface Recipient {
  role: RecipientRole;
  id: string;
}

export const CITY_OFFICE: Recipient = { role: 'city', id: 'city' };

export const NOTIFICATION_KINDS = [
  'application_received',
  'consent_requested',
  'consent_answered',
  'review_due',
  'information_requested',
  'information_supplied',
  'review_passed',
  'verification_due',
  'opinion_requested',
  'publicity_started',
  'objection_filed',
  'objection_resolved',
  'step_reminder',
  'step_overdue',
  'step_escalated',
  'quota_waiting',
  'recognised',
  'not_recognised',
  'spot_check_selected',
  'spot_check_result',
  'supplement_requested',
  'supplement_supplied',
  'annual_report_due',
  'annual_report_overdue',
  'annual_report_filed',
  'annual_report_result',
  'evaluation_opened',
  'x4_requested',
  'evaluation_result',
  'recognition_ended',
  'revoked',
  'tier_objection_due',
  'tier_objection_answered',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** The audit event as the policy reads it (activities keep the same shape). */
export interface NotifiableEvent {
  seq: number;
  at: string;
  action: string;
  actor: { role: string };
  fromStatus: string | null;
  toStatus: string;
  reason: string | null;
  details: Record<string, unknown>;
}

/** What the templates and the recipients come from, read from the case's view when the event is saved. */
export interface CaseNotificationFacts {
  trail: 'case' | 'tier_objection';
  caseId: string;
  uscc: string;
  householdName: string | null;
  districtCode: string | null;
  /** Who reviews the case: the city office for a city-level department recommendation (C-REC). */
  reviewingOffice: 'district' | 'city';
  /** The department that recommended the household (C-REC), whose X4 the evaluation asks (C-EVAL): its registry ID. */
  recommendingDepartment: string | null;
  /** Its name as people read it (the registry's), where known. */
  recommendingDepartmentName?: string | null;
  /** Departments asked for an opinion that have not answered yet. */
  pendingDepartments: string[];
  /** What the office asked the household for, while a request is open. */
  informationReason: string | null;
  supplementReason: string | null;
  bannedUntil: IsoDate | null;
}

export interface NotificationDraft {
  recipient: Recipient;
  kind: NotificationKind;
  /** The step the notification is about, in the glossary's words. */
  step: string;
  dueOn: IsoDate | null;
  /** Working days from the event's CST date to the due date; null without a due date. */
  workingDaysLeft: number | null;
  title: string;
  body: string;
}

/** The steps that wait for someone, as the glossary names them, with what the one waited for must do. */
const STEPS = {
  consent: { step: '经营者同意', todo: '登录平台确认是否同意部门推荐' },
  review: { step: '审核', todo: '完成审核（通过审核、不予通过或要求补充材料）' },
  information: { step: '补充材料', todo: '登录平台提交补充材料' },
  verification: { step: '走访核实', todo: '完成走访核实并登记核实结果' },
  opinions: { step: '征求意见', todo: '登录平台反馈意见（同意或不同意）' },
  publicity: { step: '信息公示', todo: '关注公示，如有异议将通知您' },
  supplement: { step: '抽查补充材料', todo: '登录平台提交抽查所需的补充材料' },
  annual_report: { step: '年度信息报告', todo: '登录平台提交年度信息报告' },
  tier_objection: { step: '异议处理', todo: '完成异议处理（异议成立或不成立）并说明理由' },
} satisfies Record<string, { step: string; todo: string }>;

function stepOf(kind: string | null): { step: string; todo: string } | undefined {
  return kind !== null && Object.hasOwn(STEPS, kind) ? STEPS[kind as keyof typeof STEPS] : undefined;
}

const OUTCOMES = {
  review_rejected: '未通过审核',
  information_lapsed: '未在截止日期前补充材料，申请逾期失效',
  consent_lapsed: '经营者未在截止日期前确认，部门推荐已失效',
  consent_declined: '经营者不同意部门推荐',
  quota_exhausted: '名额已满，未予认定',
  one_person_refused: '同一经营者已有其他个体工商户获得认定，本户未予认定',
  spot_check_refused: '抽查未通过，已撤回认定',
  supplement_lapsed: '未在截止日期前提交抽查补充材料，已撤回认定',
  annual_report_missed: '未按期提交年度信息报告，已取消认定',
  annual_report_rejected: '年度信息报告未通过审核，已取消认定',
  operator_recheck_failed: '经营者变更后复核未通过，已取消认定',
  cancelled: '已取消认定',
  expired: '有效期届满',
} satisfies Record<string, string>;

/** The notifications an audit event causes, one per recipient; none for an event that asks nothing and tells nothing. */
export function notificationsFor(event: NotifiableEvent, facts: CaseNotificationFacts, calendar: WorkingDayCalendar): NotificationDraft[] {
  const today = cstDateOf(Date.parse(event.at));
  const household: Recipient = { role: 'household', id: facts.uscc };
  const office: Recipient | null =
    facts.reviewingOffice === 'city' ? CITY_OFFICE : facts.districtCode ? { role: 'district', id: facts.districtCode } : null;
  const district: Recipient | null = facts.districtCode ? { role: 'district', id: facts.districtCode } : null;
  const recommender: Recipient | null = facts.recommendingDepartment ? { role: 'department', id: facts.recommendingDepartment } : null;
  const pending = facts.pendingDepartments.map((name): Recipient => ({ role: 'department', id: name }));
  const details = event.details;
  const dueOn = typeof details.dueOn === 'string' ? details.dueOn : null;
  const kindOfStep = facts.trail === 'tier_objection' ? 'tier_objection' : typeof details.kind === 'string' ? details.kind : null;
  const subject = facts.householdName ? `${facts.householdName}（案件编号 ${facts.caseId}）` : `案件 ${facts.caseId}`;

  const draft = (to: Recipient | null, kind: NotificationKind, step: string, title: string, said: string, todo: string | null, due: IsoDate | null = null): NotificationDraft[] => {
    if (!to) return [];
    const left = due ? workingDaysBetween(calendar, today, due).count : null;
    const dueText = due ? `截止日期：${chineseDate(due)}（${dueState(today, due, left ?? 0)}）。` : '';
    const body = `${subject}：${said}。${dueText}${todo ? `请${todo}。` : ''}`;
    return [{ recipient: to, kind, step, dueOn: due, workingDaysLeft: left, title, body }];
  };
  const each = (to: Recipient[], make: (r: Recipient) => NotificationDraft[]) => to.flatMap(make);
  const reason = event.reason ? `，理由：${event.reason}` : '';

  if (facts.trail === 'tier_objection') {
    const step = STEPS.tier_objection;
    switch (event.action) {
      case 'deadline_set':
        return draft(CITY_OFFICE, 'tier_objection_due', step.step, '新的分型异议待处理', '个体工商户对分型结果提出异议申诉', step.todo, dueOn);
      case 'reminder_sent':
        return draft(CITY_OFFICE, 'step_reminder', step.step, '分型异议即将到期', '分型异议处理即将到期', step.todo, dueOn);
      case 'deadline_escalated':
        return draft(CITY_OFFICE, 'step_overdue', step.step, '分型异议已逾期', '分型异议未在截止日期前处理，已逾期', step.todo, dueOn);
      case 'upheld':
        return draft(household, 'tier_objection_answered', step.step, '分型异议处理结果：异议成立', `您的分型异议成立，分型已更正${reason}`, '登录平台查看更正后的分型');
      case 'dismissed':
        return draft(household, 'tier_objection_answered', step.step, '分型异议处理结果：异议不成立', `您的分型异议不成立${reason}`, '登录平台查看处理理由');
      default:
        return [];
    }
  }

  switch (event.action) {
    case 'submitted':
      return draft(household, 'application_received', '审核', '认定申请已受理', '您的“名特优新”个体工商户认定申请已受理，正在审核中', '留意后续通知');
    case 'deadline_set': {
      const step = stepOf(kindOfStep);
      if (!step) return [];
      switch (kindOfStep) {
        case 'consent':
          return draft(household, 'consent_requested', step.step, '部门推荐待您确认', `${facts.recommendingDepartmentName ?? '相关部门'}推荐您参加“名特优新”认定，需事先征得经营者同意`, step.todo, dueOn);
        case 'review':
          return draft(office, 'review_due', step.step, '认定申请待审核', '认定申请待审核', step.todo, dueOn);
        case 'information':
          return draft(household, 'information_requested', step.step, '请补充申请材料', `审核部门要求补充材料${facts.informationReason ? `：${facts.informationReason}` : ''}`, step.todo, dueOn);
        case 'verification':
          return draft(office, 'verification_due', step.step, '认定申请待走访核实', '认定申请已通过审核，待走访核实', step.todo, dueOn);
        case 'opinions':
          return each(pending, (to) => draft(to, 'opinion_requested', step.step, '认定申请征求意见', '区级市场监管部门就该户的认定征求您的意见', step.todo, dueOn));
        case 'publicity':
          return draft(household, 'publicity_started', step.step, '认定信息公示已开始', '您的认定信息已进入公示期，公示期内社会公众可提出异议', step.todo, dueOn);
        case 'supplement':
          return draft(household, 'supplement_requested', step.step, '抽查：请提交补充材料', `市市场监管委抽查要求补充材料${facts.supplementReason ? `：${facts.supplementReason}` : ''}`, step.todo, dueOn);
        default:
          return [];
      }
    }
    case 'reminder_sent': {
      const step = stepOf(kindOfStep);
      if (!step) return [];
      const to = reminderRecipients(details.notify, { household, office, pending });
      return each(to, (r) => draft(r, 'step_reminder', step.step, `${step.step}即将到期`, `${step.step}即将到期，尚未完成`, step.todo, dueOn));
    }
    case 'deadline_escalated': {
      const step = stepOf(kindOfStep);
      if (!step) return [];
      const escalated = draft(CITY_OFFICE, 'step_escalated', step.step, `${step.step}逾期已上报市级`, `${step.step}已逾期，已上报市市场监管委`, '督促办理并关注该案件', dueOn);
      const overdue = office?.role === 'district' ? draft(office, 'step_overdue', step.step, `${step.step}已逾期`, `${step.step}已逾期，已上报市级`, step.todo, dueOn) : [];
      return [...escalated, ...overdue];
    }
    case 'consent_given':
    case 'consent_declined':
      return draft(recommender, 'consent_answered', '经营者同意', event.action === 'consent_given' ? '经营者已同意推荐' : '经营者不同意推荐', event.action === 'consent_given' ? '经营者已同意您的推荐，案件进入审核' : `经营者不同意您的推荐${reason}`, null);
    case 'information_supplied':
      return draft(office, 'information_supplied', '审核', '经营者已补充材料', '经营者已提交补充材料，审核恢复计时', '继续审核');
    case 'review_accepted':
      return draft(household, 'review_passed', '审核', '认定申请已通过审核', '您的认定申请已通过审核，进入走访核实', '留意后续通知');
    case 'objection_filed':
      return [
        ...draft(office, 'objection_filed', '信息公示', '公示期收到异议', `公示期收到第${String(details.objectionNo ?? '')}号异议${reason}`, '核查并处理该异议（异议成立或不成立）'),
        ...draft(household, 'objection_filed', '信息公示', '您的公示收到异议', '您的认定公示收到社会公众异议，区级市场监管部门将核查处理', '留意处理结果'),
      ];
    case 'objection_resolved':
      return draft(household, 'objection_resolved', '信息公示', details.upheld ? '公示异议成立' : '公示异议不成立', `公示期第${String(details.objectionNo ?? '')}号异议${details.upheld ? '成立' : '不成立'}${reason}`, '登录平台查看处理结果');
    case 'quota_waiting':
      return draft(household, 'quota_waiting', '认定名额', '候补认定名额', '您的申请已通过公示，本区认定名额已满，正在候补', '等待名额空出，无需操作');
    case 'recognised': {
      const validUntil = typeof details.validUntil === 'string' ? `，有效期至${chineseDate(details.validUntil)}` : '';
      return [
        ...draft(household, 'recognised', '认定', '已认定为“名特优新”个体工商户', `您已被认定为“名特优新”个体工商户${validUntil}`, '按时提交每年7月底前的年度信息报告'),
        ...draft(recommender, 'recognised', '认定', '推荐的个体工商户已认定', `您推荐的个体工商户已获认定${validUntil}`, null),
      ];
    }
    case 'review_rejected':
    case 'information_lapsed':
    case 'consent_lapsed':
    case 'quota_exhausted':
    case 'one_person_refused': {
      const said = `${OUTCOMES[event.action]}${reason}`;
      return [
        ...draft(household, 'not_recognised', '认定', '认定结果：未予认定', said, '如有疑问请联系区级市场监管部门'),
        ...(event.action === 'information_lapsed' ? draft(office, 'not_recognised', '认定', '案件逾期失效', said, null) : []),
        ...draft(recommender, 'not_recognised', '认定', '推荐的个体工商户未予认定', said, null),
      ];
    }
    case 'spot_check_selected':
      return [
        ...draft(CITY_OFFICE, 'spot_check_selected', '抽查', '备案认定被抽中抽查', '该认定备案被抽中抽查', '完成抽查（确认、不予确认或要求补充材料）'),
        ...draft(household, 'spot_check_selected', '抽查', '您的认定被抽中抽查', '您的认定备案被市市场监管委抽中抽查', '留意是否需要补充材料'),
      ];
    case 'spot_check_confirmed':
      return draft(household, 'spot_check_result', '抽查', '抽查结果：确认', '抽查已确认您的认定', null);
    case 'supplement_supplied':
      return draft(CITY_OFFICE, 'supplement_supplied', '抽查', '抽查补充材料已提交', '个体工商户已提交抽查补充材料', '完成抽查');
    case 'annual_report_reminder':
      return draft(household, 'annual_report_due', STEPS.annual_report.step, `请提交${String(details.year ?? '')}年度信息报告`, `${String(details.year ?? '')}年度信息报告应于每年7月底前提交`, STEPS.annual_report.todo, dueOn);
    case 'annual_report_overdue': {
      const cancelOn = typeof details.cancelOn === 'string' ? `，${chineseDate(details.cancelOn)}前仍未提交或获准免报将取消认定` : '';
      return [
        ...draft(household, 'annual_report_overdue', STEPS.annual_report.step, '年度信息报告已逾期', `${String(details.year ?? '')}年度信息报告已逾期${cancelOn}`, '立即提交年度信息报告', dueOn),
        ...draft(district, 'annual_report_overdue', STEPS.annual_report.step, '辖区个体工商户年度信息报告逾期', `${String(details.year ?? '')}年度信息报告逾期未交${cancelOn}`, '督促提交，或依规准予免报', dueOn),
      ];
    }
    case 'annual_report_filed':
      return draft(district, 'annual_report_filed', STEPS.annual_report.step, '年度信息报告待审核', `${String(details.year ?? '')}年度信息报告已提交`, '审核该年度信息报告');
    case 'annual_report_accepted':
    case 'annual_report_excused':
      return draft(household, 'annual_report_result', STEPS.annual_report.step, event.action === 'annual_report_accepted' ? '年度信息报告已通过' : '年度信息报告已准予免报', `${String(details.year ?? '')}年度信息报告${event.action === 'annual_report_accepted' ? '已通过审核' : '已准予免报'}`, null);
    case 'evaluation_opened':
      return [
        ...draft(district, 'evaluation_opened', '评估确认', '有效期最后一年评估确认已开始', '认定进入有效期最后一年，评估确认已开始', '登记评估确认所需的核实结果'),
        ...(details.x4Applies ? draft(recommender, 'x4_requested', '评估确认', '请反馈推荐户的评估意见（X4）', '您推荐的个体工商户进入评估确认', '登录平台反馈是否继续推荐（X4）') : []),
      ];
    case 'extended':
      return draft(household, 'evaluation_result', '评估确认', '有效期延长3年', '评估确认通过，认定有效期延长3年', null);
    case 'spot_check_refused':
    case 'supplement_lapsed':
    case 'annual_report_missed':
    case 'annual_report_rejected':
    case 'operator_recheck_failed':
    case 'cancelled':
    case 'expired': {
      const said = `${OUTCOMES[event.action]}${reason}`;
      return [
        ...draft(household, 'recognition_ended', '认定', `认定结果：${OUTCOMES[event.action]}`, said, '如有疑问请联系区级市场监管部门'),
        ...(event.actor.role !== 'district' ? draft(district, 'recognition_ended', '认定', `辖区认定：${OUTCOMES[event.action]}`, said, null) : []),
      ];
    }
    case 'revoked': {
      const ban = facts.bannedUntil ? `，${chineseDate(facts.bannedUntil)}前不得再次申报` : '，5年内不得再次申报';
      return draft(household, 'revoked', '认定', '已撤销认定', `您的“名特优新”认定已撤销${reason}${ban}`, '如有疑问请联系区级市场监管部门');
    }
    default:
      return [];
  }
}

/** How the due date stands on `today`: passed, today, or the working days left. */
function dueState(today: IsoDate, due: IsoDate, left: number): string {
  if (today > due) return '已逾期';
  return `北京时间当日24时前，${today === due ? '今天截止' : `剩余${left}个工作日`}`;
}

function reminderRecipients(notify: unknown, to: { household: Recipient; office: Recipient | null; pending: Recipient[] }): Recipient[] {
  switch (notify) {
    case 'household':
      return [to.household];
    case 'district':
      return to.office ? [to.office] : [];
    case 'city':
      return [CITY_OFFICE];
    case 'department':
      return to.pending;
    default:
      return [];
  }
}

/** SMS quiet hours in CST, minutes after midnight; `from` after `to` spans midnight. */
export interface QuietHours {
  fromMinute: number;
  toMinute: number;
}

/** 21:00–08:00 CST: an SMS due at night is held until the morning. */
export const DEFAULT_SMS_QUIET_HOURS: QuietHours = { fromMinute: 21 * 60, toMinute: 8 * 60 };

/** Parses `HH:MM-HH:MM` (CST); null when malformed. An empty span (equal ends) means no quiet hours. */
export function parseQuietHours(text: string): QuietHours | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!match) return null;
  return { fromMinute: Number(match[1]) * 60 + Number(match[2]), toMinute: Number(match[3]) * 60 + Number(match[4]) };
}

/** When an SMS due at `nowMs` may go out: null if now, else the end of the quiet hours (epoch ms). */
export function smsHeldUntil(nowMs: number, quiet: QuietHours): number | null {
  if (quiet.fromMinute === quiet.toMinute) return null;
  const today = cstDateOf(nowMs);
  const minute = Math.floor((nowMs - startOfCstDay(today)) / 60_000);
  const spansMidnight = quiet.fromMinute > quiet.toMinute;
  const inQuiet = spansMidnight ? minute >= quiet.fromMinute || minute < quiet.toMinute : minute >= quiet.fromMinute && minute < quiet.toMinute;
  if (!inQuiet) return null;
  const endsOn = spansMidnight && minute >= quiet.fromMinute ? addDays(today, 1) : today;
  return startOfCstDay(endsOn) + quiet.toMinute * 60_000;
}

/** Backoff of a delivery whose channel is down: 30 s, doubling, at most an hour between attempts; never given up. */
export function deliveryRetryAt(nowMs: number, attempts: number): number {
  return nowMs + Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}
