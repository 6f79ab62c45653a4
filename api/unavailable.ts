/**
 * Honest answers while a part the API needs is down: which part is down, if that is why a request
 * failed; the error handler (api/errors.ts) answers 503 with Retry-After for it, not 500.
 */
import { isConnectionLost } from '../db/client.js';

/** Seconds a caller is told to wait when PostgreSQL or Temporal does not answer. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * gRPC status codes for a server that did not answer: DEADLINE_EXCEEDED, UNAVAILABLE, and
 * CANCELLED, which a query cut short at its deadline reported as often as DEADLINE_EXCEEDED (the
 * API cancels no call of its own otherwise: that one answered 500 instead of 503).
 */
const GRPC_NO_ANSWER = new Set([1, 4, 14]);

/** Whether `err` (or its cause) says the Temporal server could not be reached or did not answer in time. */
export function isTemporalUnavailable(err: unknown): boolean {
  for (let e = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { code, metadata } = e as { code?: unknown; metadata?: unknown };
    // A gRPC error carries its status code and metadata; a PostgreSQL error has neither shape.
    if (typeof code === 'number' && GRPC_NO_ANSWER.has(code) && metadata !== undefined) return true;
    if ((e as { name?: unknown }).name === 'ServiceError' && /UNAVAILABLE|DEADLINE_EXCEEDED|deadline/i.test(String((e as Error).message))) return true;
  }
  return false;
}

/** Which part is down, if that is why `err` happened. */
export function unavailablePart(err: unknown): 'database' | 'temporal' | null {
  if (isConnectionLost(err)) return 'database';
  if (isTemporalUnavailable(err)) return 'temporal';
  return null;
}
