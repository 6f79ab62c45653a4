/**
 * Every route answers in time and says it may answer 503: its Temporal calls have a deadline, and
 * its OpenAPI entry lists the 503 the error handler (api/errors.ts) gives when a part is down.
 */
import type { Client } from '@temporalio/client';
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';
import { errorResponseSchema } from './errors.js';

/**
 * No request waits on Temporal longer than this, whatever it asks (a call without a deadline
 * waits as long as the server is away); calls with a time limit of their own keep theirs.
 */
const TEMPORAL_CALLS_DEADLINE_MS = 25_000;

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
    // The handler's own answer goes back as it is: a handler that sends by itself and returns
    // nothing (a file sent from disk) turned into a promise of nothing was answered 200 with an
    // empty body. withDeadline runs its function at once, so the call below has happened when it returns.
    route.handler = function (request, reply) {
      let call: { answer: ReturnType<RouteHandlerMethod> } | { error: unknown } | undefined;
      void temporal.connection.withDeadline(Date.now() + TEMPORAL_CALLS_DEADLINE_MS, async () => {
        try {
          call = { answer: handler.call(this, request, reply) };
        } catch (error) {
          call = { error };
        }
      });
      if (!call) throw new Error('the route handler did not run within its deadline scope');
      if ('error' in call) throw call.error;
      return call.answer;
    };
  });
}
