import type { Db } from '../db/client.js';
import type { QuietHours } from '../policy/notifications.js';
import { createCalendarActivities } from './calendar.js';
import { createCaseActivities } from './case-records.js';
import { failingForGoodOnRefusedData } from './data-errors.js';
import { createEligibilityActivities } from './eligibility.js';
import type { NotificationChannels } from './notification-channels.js';
import { createNotificationActivities } from './notifications.js';
import { createObjectionActivities } from './objections.js';
import { outlastingDatabaseOutages } from './outages.js';
import { createQuotaActivities } from './quota.js';
import { createRecognitionTermActivities } from './recognition-term.js';
import { createTieringActivities } from './tiering.js';

export interface ActivityDeps {
  db: Db;
  /** Epoch milliseconds: the system's one clock, the API's too (a training system's follows Temporal's). */
  now?: () => number;
  /** Email and SMS beyond the inbox; without them deliveries wait (pending) until a channel is configured. */
  notificationChannels?: NotificationChannels;
  smsQuietHours?: QuietHours;
}

/**
 * Every activity the worker registers, built from its dependencies so tests can pass their own;
 * none retries data the database refuses (DATA_ERROR), which no retry would mend, and each
 * outlasts a PostgreSQL restart or a dropped connection within its attempt.
 */
export function createActivities(deps: ActivityDeps) {
  return failingForGoodOnRefusedData(
    outlastingDatabaseOutages({
      ...createCaseActivities(deps),
      ...createCalendarActivities(deps),
      ...createObjectionActivities(deps),
      ...createQuotaActivities(deps),
      ...createEligibilityActivities(deps),
      ...createTieringActivities(deps),
      ...createRecognitionTermActivities(deps),
      ...createNotificationActivities({ db: deps.db, channels: deps.notificationChannels ?? { email: null, sms: null }, ...(deps.smsQuietHours ? { smsQuietHours: deps.smsQuietHours } : {}) }),
    }),
  );
}
