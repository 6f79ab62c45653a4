import { Empty, Timeline, Typography } from 'antd';
import { CASE_STATUS_LABELS } from '../../../policy/case-status-labels.js';
import { ACTION_LABELS, DEADLINE_KIND_LABELS, ROLE_LABELS, cstDateTime, label, proseDate } from '../format';
import type { CaseEvent } from '../api/types';

const REFUSALS = new Set([
  'review_rejected', 'information_lapsed', 'consent_declined', 'consent_lapsed', 'quota_exhausted', 'one_person_refused',
  'spot_check_refused', 'supplement_lapsed', 'annual_report_rejected', 'annual_report_missed', 'operator_recheck_failed',
  'cancelled', 'revoked', 'expired', 'deadline_escalated',
]);
const SUCCESSES = new Set(['review_accepted', 'verification_passed', 'recognised', 'spot_check_confirmed', 'annual_report_accepted', 'extended', 'operator_rechecked']);
/** Steps that ask something of someone or hold the case up. */
const CALLS_TO_ACT = new Set(['information_requested', 'objection_filed', 'supplement_requested', 'annual_report_overdue', 'quota_waiting']);

// The theme's primary colour is the regulator's red, which a Timeline's 'blue' dot takes: an
// ordinary step gets antd's own blue, so that red says only what went against the case.
const ORDINARY_STEP_COLOUR = '#1677ff';

function colourOf(action: string): string {
  if (REFUSALS.has(action)) return 'red';
  if (SUCCESSES.has(action)) return 'green';
  if (CALLS_TO_ACT.has(action)) return 'orange';
  if (action === 'deadline_set' || action === 'reminder_sent') return 'gray';
  return ORDINARY_STEP_COLOUR;
}

/** What an event adds to its name: the due date it set, the objection it concerned. */
function detailOf(event: CaseEvent): string | null {
  const details = (event.details ?? {}) as Record<string, unknown>;
  if (typeof details['dueOn'] === 'string' && typeof details['kind'] === 'string') {
    return `${label(DEADLINE_KIND_LABELS, details['kind'])}截止日期：${proseDate(details['dueOn'])}`;
  }
  if (typeof details['objectionNo'] === 'number') return `异议第${details['objectionNo']}号`;
  return null;
}

/**
 * The case's audit trail: every step, who took it, when (北京时间) and why. The due date a step
 * set is shown under that step rather than as a step of its own. The offices see which account
 * took a step; a household or a department sees the office's name only.
 */
export function CaseTimeline({ events, showAccounts = false }: { events: CaseEvent[]; showAccounts?: boolean }) {
  if (events.length === 0) return <Empty description="暂无办理记录" />;
  const steps: { event: CaseEvent; dueDates: string[] }[] = [];
  for (const event of events) {
    const previous = steps[steps.length - 1];
    if (event.action === 'deadline_set' && previous) previous.dueDates.push(detailOf(event) ?? '');
    else steps.push({ event, dueDates: [] });
  }
  return (
    <Timeline
      items={steps.map(({ event, dueDates }) => {
        const detail = detailOf(event);
        const moved = event.fromStatus && event.toStatus && event.fromStatus !== event.toStatus;
        return {
          key: event.seq,
          color: colourOf(event.action ?? ''),
          children: (
            <div data-testid="case-event">
              <Typography.Text strong>{label(ACTION_LABELS, event.action)}</Typography.Text>
              <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
                {cstDateTime(event.at)} · {label(ROLE_LABELS, event.actorRole)}
                {showAccounts && event.actorRole !== 'system' && event.actorId && event.actorId !== 'anonymous' ? `（${event.actorId}）` : ''}
              </Typography.Text>
              {moved && (
                <div>
                  {label(CASE_STATUS_LABELS, event.fromStatus)} → {label(CASE_STATUS_LABELS, event.toStatus)}
                </div>
              )}
              {detail && <div>{detail}</div>}
              {event.reason && <div>{event.actorRole === 'household' ? '说明' : '理由'}：{event.reason}</div>}
              {dueDates.map((dueDate) => (
                <div key={dueDate}>{dueDate}</div>
              ))}
              {event.clauses && event.clauses.length > 0 && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  依据条款：{event.clauses.join('、')}
                </Typography.Text>
              )}
            </div>
          ),
        };
      })}
    />
  );
}
