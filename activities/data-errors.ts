/**
 * Data PostgreSQL refuses (SQLSTATE class 22, data exception: a NUL character in a text, a value
 * out of range) is refused again on every retry; such a failure is final, so an activity turns it
 * into a non-retryable failure of this type and the workflows' retry policies name it too.
 * No imports but Temporal's common package: the workflow bundle reads the type from here.
 */
import { ApplicationFailure } from '@temporalio/common';

export const DATA_ERROR_TYPE = 'DataError';

/** Runs `work`; a data exception anywhere in the error's causes becomes a non-retryable DataError. */
export async function refusingDataErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const refused = dataException(err);
    if (refused) {
      // The driver's own message names the fault; a query wrapper's would quote the refused values.
      throw ApplicationFailure.create({ type: DATA_ERROR_TYPE, message: `PostgreSQL refused the data (SQLSTATE ${refused.code}): ${refused.message}`, nonRetryable: true });
    }
    throw err;
  }
}

function dataException(err: unknown): { code: string; message: string } | null {
  for (let cause = err, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return { code, message: cause.message };
  }
  return null;
}
