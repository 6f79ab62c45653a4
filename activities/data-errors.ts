/**
 * Errors no retry can mend. PostgreSQL refuses data for what it is — a NUL in text, a number out
 * of range, a row that breaks a constraint — and refuses it again on every attempt, so an
 * activity that retried it would retry forever and hold up its workflow for good. Such a failure
 * is non-retryable (`DATA_ERROR`): the activity fails once, with the database's reason, and its
 * workflow decides what then happens to the case. Everything else (a lost connection, a
 * serialization failure, a deadlock) stays retryable.
 */
import { ApplicationFailure } from '@temporalio/common';
import { DATA_ERROR } from '../policy/vocabulary.js';

export { DATA_ERROR };

/**
 * SQLSTATE classes of refused data: 22 data exception, 23 integrity constraint violation, 54
 * program limit exceeded (a value too large for an index, too many columns…). Serialization
 * failures and deadlocks are class 40, outside these.
 */
const REFUSED_DATA_CLASSES: readonly string[] = ['22', '23', '54'];

/** The SQLSTATE of a PostgreSQL error, found through the causes a query builder wraps it in. */
export function sqlStateOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Object && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export function isRefusedData(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && REFUSED_DATA_CLASSES.includes(state.slice(0, 2));
}

type Activity = (...args: never[]) => Promise<unknown>;

/** The activities, each failing for good (DATA_ERROR) when the database refuses its data. */
export function failingForGoodOnRefusedData<Activities extends Record<string, Activity>>(activities: Activities): Activities {
  const wrapped: Record<string, Activity> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args) => {
      try {
        return await activity(...args);
      } catch (error) {
        if (!isRefusedData(error)) throw error;
        const sqlState = sqlStateOf(error);
        const reason = (error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined) ?? (error as Error).message;
        throw ApplicationFailure.create({
          type: DATA_ERROR,
          message: `${name}: the database refused the data (SQLSTATE ${sqlState}): ${reason}`,
          nonRetryable: true,
          details: [{ activity: name, sqlState }],
          cause: error instanceof Error ? error : undefined,
        });
      }
    };
  }
  return wrapped as Activities;
}
