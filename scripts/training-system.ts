/**
 * What makes `npm run training` a training system: Temporal's time-skipping test server instead
 * of the dev server, whose time is the one clock of the whole system, and a data directory and
 * database of its own that nothing else may mistake for production.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { NotificationActivities } from '../activities/notifications.js';
import { DEFAULT_NOTIFICATION_DELIVERY_INPUT } from '../workflows/notification-delivery/contract.js';
import { registerCaseSearchAttributes } from './search-attributes.js';
import { temporalTestServerPath } from './toolchain.js';
import type { TrainingClock } from '../api/deps.js';

/** Written into a training data directory, so that a new session may start it afresh. */
const DATA_DIR_MARK = 'training-system';
/** The test server's time runs at the wall clock's pace between moves; re-reading it now and then keeps the API in step. */
const CLOCK_REREAD_MS = 5_000;

export interface TrainingTemporal {
  address: string;
  clock: TrainingClock;
  stop(): Promise<void>;
}

/**
 * The time-skipping test server on `port`. It keeps nothing between sessions (no persistence),
 * has no schedules (the yearly tiering run is started by the trainer) and no visibility listing.
 */
export async function startTrainingTemporal(port: number): Promise<TrainingTemporal> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() }, port },
  });
  await registerCaseSearchAttributes(env.connection, env.namespace ?? 'default');
  let offset = (await env.currentTimeMs()) - Date.now();
  const reread = async () => {
    offset = (await env.currentTimeMs()) - Date.now();
  };
  const rereading = setInterval(() => void reread().catch(() => {}), CLOCK_REREAD_MS);
  rereading.unref();
  const clock: TrainingClock = {
    now: () => Date.now() + offset,
    async advance(ms) {
      // The server fires each timer due on the way and lets its workflow task finish before going on.
      await env.sleep(ms);
      await reread();
    },
  };
  return {
    address: env.address,
    clock,
    async stop() {
      clearInterval(rereading);
      await env.teardown();
    },
  };
}

/**
 * Email and SMS of a training system go out from a loop in this process, at the wall clock's
 * pace, instead of from the delivery workflow: on the time-skipping server each sleep of that
 * workflow is a timer that every move of the clock fires in turn (polling hourly, a move of seven
 * months took four minutes, two years a quarter of an hour). The deliveries read the training
 * clock (`delivery`'s `now`: what is due, SMS quiet hours, retries), so whatever a move made due
 * goes out within one poll after it. Returns the stop, which lets a round in progress finish.
 */
export function startTrainingNotificationDelivery(delivery: NotificationActivities, onError: (err: unknown) => void): () => Promise<void> {
  const { pollSeconds, batchSize } = DEFAULT_NOTIFICATION_DELIVERY_INPUT;
  let stopped = false;
  let wake: (() => void) | null = null;
  const loop = (async () => {
    while (!stopped) {
      try {
        while (!stopped && (await delivery.deliverDueNotifications({ limit: batchSize })).more);
      } catch (err) {
        onError(err);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollSeconds * 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return async () => {
    stopped = true;
    wake?.();
    await loop;
  };
}

/**
 * A new session starts on a fresh embedded database: the test server kept none of the last
 * session's workflows. Only a directory this start once marked as a training one is emptied.
 */
export function freshTrainingDataDir(dataDir: string): void {
  const postgresDir = join(dataDir, 'postgres');
  const marked = existsSync(join(dataDir, DATA_DIR_MARK));
  // An unmarked directory with a database is someone else's: the database check refuses it, untouched.
  if (existsSync(postgresDir) && !marked) return;
  if (marked) rmSync(postgresDir, { recursive: true, force: true });
  writeFileSync(join(dataDir, DATA_DIR_MARK), 'npm run training keeps its data here and starts afresh each time\n');
}

/** How to move the clock, for the start banner. */
export function trainingBannerLines(api: string, today: string): string[] {
  return [
    `TRAINING SYSTEM: its clock is Temporal's (today ${today}); every answer carries X-Training-System: 1.`,
    'The city office moves it forward; everything due on the way (deadlines, reminders, publicity, July reports) fires in order, once:',
    `  curl -s -X POST ${api}/training/clock -H "authorization: Bearer $CITY_TOKEN" -H 'content-type: application/json' -d '{"advance":"P5D"}'`,
    `  curl -s -X POST ${api}/training/clock -H "authorization: Bearer $CITY_TOKEN" -H 'content-type: application/json' -d '{"to":"${Number(today.slice(0, 4)) + 1}-08-01"}'`,
    'No schedules on this server: the city office starts each year\'s tiering run (POST /tiering/runs). Each start begins a new session.',
  ];
}
