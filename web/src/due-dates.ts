/**
 * A due date as people read it: the working days left on the engine's own holiday notices, or
 * how late it is. Pure, so it is tested beside the policy's calendar.
 */
import { workingDaysBetween, type WorkingDayCalendar } from '../../policy/calendar.js';
import { addDays, cstDateOf } from '../../policy/dates.js';

export type Urgency = 'overdue' | 'today' | 'soon' | 'later';

export interface DueDateStatus {
  dueOn: string;
  /** Working days after today up to and including the due date; negative when overdue (calendar days then). */
  workingDaysLeft: number;
  urgency: Urgency;
  /** 剩余3个工作日 / 今天截止 / 已逾期2天. */
  text: string;
  /** Counted Monday–Friday because no holiday notice covers these years. */
  fallback: boolean;
}

/** A due date is met until the end of that day, CST. */
export function dueDateStatus(calendar: WorkingDayCalendar, dueOn: string, today = cstDateOf(Date.now())): DueDateStatus {
  if (dueOn < today) {
    let daysLate = 0;
    for (let day = dueOn; day < today; day = addDays(day, 1)) daysLate++;
    return { dueOn, workingDaysLeft: -daysLate, urgency: 'overdue', text: `已逾期${daysLate}天`, fallback: false };
  }
  if (dueOn === today) return { dueOn, workingDaysLeft: 0, urgency: 'today', text: '今天截止', fallback: false };
  const { count, fallbackYears } = workingDaysBetween(calendar, today, dueOn);
  return {
    dueOn,
    workingDaysLeft: count,
    urgency: count <= 3 ? 'soon' : 'later',
    text: `剩余${count}个工作日`,
    fallback: fallbackYears.length > 0,
  };
}

