/**
 * Honest answers while a part the API needs is down: PostgreSQL or Temporal unreachable answers
 * 503 with Retry-After on every route (not 500), and every route's OpenAPI entry says so.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { isConnectionLost } from '../db/client.js';
import { errorResponseSchema } from './errors.js';

/**
 * No request waits on Temporal longer than this, whatever it asks (a call without a deadline
 * waits as long as the server is away); calls with a time limit of their own keep theirs.
 */
const TEMPORAL_CALLS_DEADLINE_MS = 25_000;

/** Seconds a caller is told to wait when PostgreSQL or Temporal does not answer. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** gRPC status codes for a server that did not answer: DEADLINE_EXCEEDED, UNAVAILABLE. */
const GRPC_NO_ANSWER = new Set([4, 14]);

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

/**
 * For every route registered after this: its Temporal calls have a deadline, and its OpenAPI
 * entry lists the 503 answer.
 */
export function answerUnavailableInTime(app: FastifyInstance, temporal: Client): void {
  app.addHook('onRoute', (route) => {
    const response = route.schema?.response as Record<string, unknown> | undefined;
    if (response && !('503' in response)) {
      response['503'] = { ...errorResponseSchema, description: 'PostgreSQL or Temporal did not answer, or no worker took a decision in time: retry after Retry-After seconds' };
    }
    const handler = route.handler as RouteHandlerMethod;
    route.handler = function (request, reply) {
      return temporal.connection.withDeadline(Date.now() + TEMPORAL_CALLS_DEADLINE_MS, async () => handler.call(this, request, reply));
    };
  });
}
