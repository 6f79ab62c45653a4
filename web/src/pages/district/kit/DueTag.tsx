import { Tooltip } from 'antd';
import { URGENCY_COLORS, dueDateStatus, tableDate, useWorkingDayCalendar } from '../../../format';
import { ToneTag } from './ToneTag';

/** A due date coloured by urgency, with the working days left (overdue red, today and ≤3 days orange). */
export function DueTag({ dueOn }: { dueOn: string | null | undefined }) {
  const calendar = useWorkingDayCalendar();
  if (!dueOn) return <span>—</span>;
  if (!calendar) return <span>{tableDate(dueOn)}</span>;
  const status = dueDateStatus(calendar, dueOn);
  const tag = (
    <ToneTag color={URGENCY_COLORS[status.urgency]} style={{ marginInlineEnd: 0 }}>
      {tableDate(dueOn)} · {status.text}
    </ToneTag>
  );
  return status.fallback ? <Tooltip title="该年度节假日安排尚未发布，按周一至周五计算工作日">{tag}</Tooltip> : tag;
}
