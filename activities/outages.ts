import { Context, heartbeat, log, sleep } from '@temporalio/activity';
import { isConnectionLost } from '../db/client.js';

/** Waits between tries while PostgreSQL is away: quick at first (a dropped connection), then every 2 s (a restart). */
const WAITS_MS = [200, 500, 1_000, 2_000];
/** Left of the attempt's start-to-close time when it stops waiting and fails to the workflow's retry policy. */
const MARGIN_MS = 5_000;

type Activity = (...args: never[]) => Promise<unknown>;

/**
 * Every activity tries again, within its attempt, while PostgreSQL is unreachable or drops the
 * connection (a restart, a terminated backend): the database coming back is not a failure the
 * workflow should count against the attempts its retry policy allows for real errors. Each try is
 * the whole activity again, which every activity allows (its writes are idempotent, and a try that
 * lost its connection committed nothing). Heartbeats keep a heartbeating activity alive meanwhile;
 * near the end of its start-to-close time the attempt fails with the connection's error.
 */
export function outlastingDatabaseOutages<Activities extends Record<string, Activity>>(activities: Activities): Activities {
  return Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [
      name,
      async (...args: never[]) => {
        const { startToCloseTimeoutMs } = Context.current().info;
        const giveUpAt = Date.now() + startToCloseTimeoutMs - MARGIN_MS;
        for (let tries = 0; ; tries++) {
          try {
            return await activity(...args);
          } catch (err) {
            const wait = WAITS_MS[Math.min(tries, WAITS_MS.length - 1)]!;
            if (!isConnectionLost(err) || Date.now() + wait > giveUpAt) throw err;
            log.warn(`${name}: PostgreSQL connection lost (${(err as Error).message}); trying again in ${wait} ms`);
            heartbeat();
            await sleep(wait);
          }
        }
      },
    ]),
  ) as Activities;
}
