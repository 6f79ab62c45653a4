/**
 * How the pages write dates, due dates, tiers and statuses: dates in China Standard Time
 * (北京时间) whatever the browser's zone, due dates with the working days left on the holiday
 * notices the engine counts with, and the glossary's words for every engine value.
 */
import { useEffect, useState } from 'react';
import { buildCalendar, type HolidayNotice, type WorkingDayCalendar } from '../../policy/calendar.js';
import { cstDateOf } from '../../policy/dates.js';
import { TIANJIN_DISTRICTS } from '../../policy/districts.js';
import { DEFAULT_UNCLASSIFIED_LABEL, tierLabel } from '../../policy/tier-labels.js';
import { api, unwrap } from './api/client';

const CST_OFFSET_MS = 8 * 3600 * 1000;

/** Today's date in CST, YYYY-MM-DD. */
export function todayCst(): string {
  return cstDateOf(Date.now());
}

/** 2026-12-11, for tables. */
export function tableDate(value: string | null | undefined): string {
  if (!value) return '—';
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : cstDateOf(Date.parse(value));
}

/** 2026年12月11日, for prose. */
export function proseDate(value: string | null | undefined): string {
  if (!value) return '—';
  const [year, month, day] = tableDate(value).split('-');
  return `${year}年${Number(month)}月${Number(day)}日`;
}

/** 2026-12-11 14:05 北京时间, for the time of a step. */
export function cstDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const shifted = new Date(Date.parse(value) + CST_OFFSET_MS).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 16)}（北京时间）`;
}

let calendarLoad: Promise<WorkingDayCalendar> | null = null;

/** The holiday notices, read once per page load from the API. */
export function loadCalendar(): Promise<WorkingDayCalendar> {
  calendarLoad ??= unwrap(api.GET('/calendar/holiday-notices')).then((notices) => buildCalendar(notices as HolidayNotice[]));
  return calendarLoad;
}

export function useWorkingDayCalendar(): WorkingDayCalendar | null {
  const [calendar, setCalendar] = useState<WorkingDayCalendar | null>(null);
  useEffect(() => {
    let live = true;
    loadCalendar().then((loaded) => live && setCalendar(loaded), () => live && setCalendar(buildCalendar([])));
    return () => {
      live = false;
    };
  }, []);
  return calendar;
}

export { dueDateStatus, type DueDateStatus, type Urgency } from './due-dates';
import type { Urgency } from './due-dates';

export const URGENCY_COLORS: Record<Urgency, string> = { overdue: 'red', today: 'volcano', soon: 'orange', later: 'green' };

/** The tiers in the plan's words, quoted as a sentence quotes them (“成长型”); the names themselves are policy's. */
const quotedTier = (tier: string) => `“${tierLabel(tier, DEFAULT_UNCLASSIFIED_LABEL)}”`;
export const TIER_LABELS: Record<string, string> = {
  survival: quotedTier('survival'),
  growth: quotedTier('growth'),
  development: quotedTier('development'),
  unclassified: DEFAULT_UNCLASSIFIED_LABEL,
};

/**
 * A tier in the plan's words (“成长型”); the unclassified tier under the label the API was
 * configured with (UNCLASSIFIED_LABEL), which it sends as `tierLabel`.
 */
export function tierText(tier: string | null | undefined, tierLabel?: string | null): string {
  if (!tier) return '尚未分型';
  return tier === 'unclassified' ? (tierLabel ?? TIER_LABELS[tier]!) : (TIER_LABELS[tier] ?? tierLabel ?? tier);
}

export const CATEGORY_LABELS: Record<string, string> = {
  renowned: '“知名”',
  distinctive: '“特色”',
  quality: '“优质”',
  emerging: '“新兴”',
};


export const ROLE_LABELS: Record<string, string> = {
  household: '个体工商户',
  district: '区市场监管局',
  city: '市市场监管委',
  department: '相关部门',
  public: '社会公众',
  system: '系统',
};

/** What a case in this status waits for, in a sentence. */
export const WAITING_FOR_TEXT: Record<string, string> = {
  awaiting_consent: '等待经营者确认是否同意部门推荐',
  under_review: '等待区市场监管局审核',
  awaiting_information: '等待经营者补充材料',
  on_site_verification: '等待区市场监管局走访核实',
  soliciting_opinions: '等待相关部门反馈意见',
  publicity: '公示期内，社会公众可提出异议',
  awaiting_quota: '等待认定名额（候补）',
};

export const DEADLINE_KIND_LABELS: Record<string, string> = {
  consent: '经营者确认',
  review: '审核',
  information: '补充材料',
  verification: '走访核实',
  opinions: '征求意见',
  publicity: '公示期',
  quota: '候补名额',
  supplement: '抽查补充材料',
};

/** Each audit action in the words every reader of a case's steps sees: household, department and office. */
export const ACTION_LABELS: Record<string, string> = {
  submitted: '经营者自主申报',
  recommended: '相关部门推荐',
  consent_given: '经营者同意推荐',
  consent_declined: '经营者不同意推荐',
  consent_lapsed: '经营者逾期未确认，推荐失效',
  review_accepted: '通过审核',
  review_rejected: '不予通过',
  information_requested: '要求补充材料',
  information_supplied: '经营者补充材料',
  information_lapsed: '逾期未补充材料，申报失效',
  verification_passed: '走访核实完成',
  opinion_given: '相关部门反馈意见',
  opinions_closed: '征求意见结束',
  publicity_started: '开始信息公示',
  objection_filed: '收到公示异议',
  objection_resolved: '公示异议处理完毕',
  publicity_closed: '公示期结束',
  quota_requested: '申请认定名额',
  quota_waiting: '名额已满，进入候补',
  recognised: '认定为“名特优新”个体工商户',
  one_person_refused: '同一经营者已有户认定，未予认定',
  quota_exhausted: '名额已满，未予认定',
  quota_place_returned: '退回认定名额',
  deadline_set: '设定截止日期',
  reminder_sent: '发送到期提醒',
  deadline_escalated: '逾期，已上报市级',
  filed: '报市市场监管委备案',
  transfer_registered: '京津冀互认登记',
  spot_check_selected: '被抽中抽查',
  spot_check_confirmed: '抽查确认',
  spot_check_refused: '抽查不予认定',
  supplement_requested: '抽查要求补充材料',
  supplement_supplied: '经营者补充抽查材料',
  supplement_lapsed: '逾期未补充抽查材料',
  annual_report_reminder: '年度信息报告提醒',
  annual_report_filed: '提交年度信息报告',
  annual_report_overdue: '年度信息报告逾期，已上报区级',
  annual_report_excused: '准予免报年度信息报告',
  annual_report_accepted: '年度信息报告审核通过',
  annual_report_rejected: '年度信息报告不予通过，取消认定',
  annual_report_missed: '未报年度信息报告，取消认定',
  operator_change_reported: '报告经营者变更',
  operator_rechecked: '经营者变更复核通过',
  operator_recheck_failed: '经营者变更复核未通过，取消认定',
  cancelled: '取消认定',
  evaluation_opened: '开始评估确认',
  evaluation_data_read: '读取评估数据',
  evaluation_finding: '记录评估结论',
  extended: '有效期延长3年',
  expired: '有效期届满',
  revoked: '撤销认定',
  transferred_out: '迁出天津（京津冀互认）',
  quota_place_released: '释放认定名额',
};

export function districtName(code: string | null | undefined): string {
  if (!code) return '—';
  return TIANJIN_DISTRICTS[code] ?? code;
}

/** A label table as a select's options. */
export function labelOptions(labels: Record<string, string>): { value: string; label: string }[] {
  return Object.entries(labels).map(([value, text]) => ({ value, label: text }));
}

/** A label table as a ProTable column's valueEnum. */
export function labelEnum(labels: Record<string, string>): Record<string, { text: string }> {
  return Object.fromEntries(Object.entries(labels).map(([value, text]) => [value, { text }]));
}

export const DISTRICT_OPTIONS = labelOptions(TIANJIN_DISTRICTS);

export function label(labels: Record<string, string>, value: string | null | undefined): string {
  if (!value) return '—';
  return labels[value] ?? value;
}
