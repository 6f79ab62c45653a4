import { Empty, Tag, Timeline, Typography } from 'antd';
import type { CaseEvent } from '../api/types';
import { CASE_STATUS_LABELS } from '../../../policy/case-status-labels.js';
import { cstDateTime, label, ROLE_LABELS } from '../format';

/** Each audit action in the words a household and a clerk read. */
export const ACTION_LABELS: Record<string, string> = {
  submitted: '提交自主申报',
  recommended: '部门推荐',
  consent_given: '经营者同意推荐',
  consent_declined: '经营者不同意推荐',
  consent_lapsed: '经营者逾期未确认',
  review_accepted: '通过审核',
  review_rejected: '不予通过',
  information_requested: '要求补充材料',
  information_supplied: '补充材料',
  information_lapsed: '逾期未补充材料',
  verification_passed: '走访核实完成',
  opinion_given: '部门反馈意见',
  opinions_closed: '征求意见结束',
  publicity_started: '开始信息公示',
  objection_filed: '收到公示异议',
  objection_resolved: '公示异议处理',
  publicity_closed: '公示期结束',
  quota_requested: '申请认定名额',
  quota_waiting: '候补认定名额',
  recognised: '认定为“名特优新”个体工商户',
  one_person_refused: '同一经营者已有认定，不予认定',
  quota_exhausted: '名额已满，未予认定',
  quota_place_returned: '退回认定名额',
  deadline_set: '设定办理期限',
  reminder_sent: '到期提醒',
  deadline_escalated: '逾期上报市级',
  filed: '报市市场监管委备案',
  transfer_registered: '京津冀互认迁入登记',
  spot_check_selected: '被抽查',
  spot_check_confirmed: '抽查确认',
  spot_check_refused: '抽查未通过，不予认定',
  supplement_requested: '抽查要求补充材料',
  supplement_supplied: '提交抽查补充材料',
  supplement_lapsed: '逾期未提交抽查补充材料',
  annual_report_reminder: '年度信息报告提醒',
  annual_report_filed: '报送年度信息报告',
  annual_report_overdue: '年度信息报告逾期',
  annual_report_excused: '年度信息报告予以免报',
  annual_report_accepted: '年度信息报告审核通过',
  annual_report_rejected: '年度信息报告审核不通过',
  annual_report_missed: '未按期报送年度信息报告',
  operator_change_reported: '报告经营者变更',
  operator_rechecked: '经营者变更复核通过',
  operator_recheck_failed: '经营者变更复核不通过',
  cancelled: '取消认定',
  evaluation_opened: '开始评估确认',
  evaluation_data_read: '读取评估数据',
  evaluation_finding: '评估确认意见',
  extended: '有效期延长3年',
  expired: '有效期届满',
  revoked: '撤销认定',
  transferred_out: '迁出（京津冀互认）',
  quota_place_released: '释放认定名额',
};

const ACTION_COLORS: Record<string, string> = {
  review_rejected: 'red',
  consent_declined: 'red',
  consent_lapsed: 'red',
  information_lapsed: 'red',
  quota_exhausted: 'red',
  cancelled: 'red',
  revoked: 'red',
  deadline_escalated: 'red',
  information_requested: 'orange',
  objection_filed: 'orange',
  reminder_sent: 'orange',
  recognised: 'green',
  review_accepted: 'green',
  verification_passed: 'green',
};

/** The audit trail of a case: every step, who took it, when (北京时间) and why. */
export function CaseTimeline({ events }: { events: CaseEvent[] }) {
  if (events.length === 0) return <Empty description="暂无办理记录" />;
  return (
    <Timeline
      items={events.map((event) => ({
        key: event.seq,
        color: ACTION_COLORS[event.action ?? ''] ?? 'blue',
        children: (
          <div>
            <Typography.Text strong>{ACTION_LABELS[event.action ?? ''] ?? event.action}</Typography.Text>
            {event.toStatus && event.toStatus !== event.fromStatus && <Tag style={{ marginInlineStart: 8 }}>{label(CASE_STATUS_LABELS, event.toStatus)}</Tag>}
            <div>
              <Typography.Text type="secondary">
                {cstDateTime(event.at)} · {label(ROLE_LABELS, event.actorRole)}
                {event.clauses && event.clauses.length > 0 ? ` · 依据 ${event.clauses.join('、')}` : ''}
              </Typography.Text>
            </div>
            {event.reason && <div>理由：{event.reason}</div>}
          </div>
        ),
      }))}
    />
  );
}
