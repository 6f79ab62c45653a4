import { Tag, Tooltip } from 'antd';
import { dueDateStatus, tableDate, URGENCY_COLORS, useWorkingDayCalendar } from '../format';

/** A due date with the working days left, coloured by urgency (red overdue, orange within 3 working days). */
export function DueDate({ dueOn, prefix }: { dueOn: string | null | undefined; prefix?: string }) {
  const calendar = useWorkingDayCalendar();
  if (!dueOn) return <span>—</span>;
  const date = tableDate(dueOn);
  if (!calendar) return <span>{date}</span>;
  const status = dueDateStatus(calendar, date);
  const tag = (
    <Tag color={URGENCY_COLORS[status.urgency]} style={{ marginInlineStart: 8 }}>
      {status.text}
    </Tag>
  );
  return (
    <span>
      {prefix}
      {date}
      {status.fallback ? <Tooltip title="该年度节假日安排尚未公布，按周一至周五计算工作日">{tag}</Tooltip> : tag}
    </span>
  );
}
