/**
 * The yearly run's Temporal Schedule (T-RUN: once a year after the July annual-report period;
 * results go to the national directory by mid-August). Client code: never part of the workflow bundle.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type Month, type ScheduleOptions } from '@temporalio/client';
import type { Actor } from '../../policy/actors.js';
import { TIERING_RUN_WORKFLOW_TYPE, TIERING_TASK_QUEUE, type TieringRunInput } from './contract.js';

export const TIERING_SCHEDULE_ID = 'tiering-yearly';
/** Who the audit trail names for a scheduled run. */
export const TIERING_SCHEDULE_ACTOR: Actor = { id: `schedule:${TIERING_SCHEDULE_ID}`, role: 'system' };

export interface TieringScheduleTime {
  /** 1–12 */
  month: number;
  day: number;
  /** IANA name; the run's year and as-of date are its CST start date either way. */
  timeZone: string;
}

/** 1 August, 00:00 in Tianjin: the day after the annual-report period closes. */
export const DEFAULT_TIERING_SCHEDULE: TieringScheduleTime = { month: 8, day: 1, timeZone: 'Asia/Shanghai' };

const MONTHS: readonly Month[] = [
  'JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE',
  'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER',
];

/**
 * Creates the schedule, or brings an existing one to this time and action: safe to call at every
 * start of the API or the system. The run gets no year or as-of date, so it takes both from its
 * start (CST), and the year's threshold setting.
 */
export async function ensureTieringSchedule(
  client: Client,
  time: TieringScheduleTime = DEFAULT_TIERING_SCHEDULE,
): Promise<void> {
  const month = MONTHS[time.month - 1];
  if (!month || !Number.isInteger(time.day) || time.day < 1 || time.day > 31) {
    throw new RangeError(`tiering schedule: no date ${time.month}/${time.day}`);
  }
  const input: TieringRunInput = { requestedBy: TIERING_SCHEDULE_ACTOR };
  const options = {
    scheduleId: TIERING_SCHEDULE_ID,
    spec: {
      calendars: [{ month, dayOfMonth: time.day, hour: 0, minute: 0, comment: 'T-RUN: yearly tiering run' }],
      timezone: time.timeZone,
    },
    action: {
      type: 'startWorkflow' as const,
      workflowType: TIERING_RUN_WORKFLOW_TYPE,
      // The server appends the scheduled time, so each year's run has an ID of its own.
      workflowId: 'tiering-run-scheduled',
      taskQueue: TIERING_TASK_QUEUE,
      args: [input],
    },
    policies: {
      overlap: ScheduleOverlapPolicy.SKIP,
      // A server down on the day still runs it afterwards, in time for the mid-August report.
      catchupWindow: '14 days',
    },
  } satisfies ScheduleOptions;
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(TIERING_SCHEDULE_ID).update((previous) => ({
      ...previous,
      spec: options.spec,
      action: options.action,
      policies: { ...previous.policies, ...options.policies },
    }));
  }
}
