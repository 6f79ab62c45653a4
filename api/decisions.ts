/**
 * Sending a decision to a case's workflow with a time limit. The decision carries the moment by
 * which it must be taken (`answerBy`, checked by the workflow's update validator) and an update
 * ID from the caller's Idempotency-Key, so that:
 * - a worker that does not take it in time makes the API answer 503 with Retry-After, and the
 *   decision, if delivered later, is refused (DECISION_TOO_LATE_ERROR, also a 503) — never applied
 *   behind the caller's back;
 * - a caller's retry with the same key is the same decision: taken once, answered alike.
 */
import { randomUUID } from 'node:crypto';
import { Type } from '@fastify/type-provider-typebox';
import {
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../policy/actors.js';
import { actorOf } from './auth.js';
import { HttpError } from './errors.js';
import { idempotencyKeySchema } from './schema-bounds.js';
import { isTemporalUnavailable } from './unavailable.js';
import { DECISION_TOO_LATE_ERROR } from '../policy/vocabulary.js';

/** How long a worker has to take a decision (its validator to accept it). */
export const DECISION_ANSWER_BY_MS = 8_000;
/** Beyond answerBy, how long the API still listens for the acceptance (clocks of API and server differ a little). */
const ACCEPTANCE_GRACE_MS = 2_000;
/** After acceptance, how long the API waits for the decision's outcome (it is saved first). */
const OUTCOME_WAIT_MS = 15_000;
/** Seconds a caller is told to wait before sending the decision again. */
const DECISION_RETRY_AFTER_SECONDS = 5;

/** The caller's Idempotency-Key header, as the schema of a decision route declares it. */
export const idempotencyKeyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      ...idempotencyKeySchema,
      description: 'the same key sends the same decision: taken once, answered alike (a retry after a lost answer or a 503)',
    }),
  ),
});

/**
 * How the update routes of one kind of workflow send and answer: `send` delivers a command as the
 * update to the request's workflow (through sendDecision), its refusals turned into the HTTP errors
 * they describe; `answer` reads what the caller gets back once the update is taken.
 */
export interface UpdateRouteKind<Outcome, View> {
  send<Command extends object>(request: FastifyRequest, update: UpdateDefinition<Outcome, [Command]>, command: Command): Promise<Outcome>;
  answer(request: FastifyRequest, actor: Actor, outcome: Outcome): Promise<View>;
}

/**
 * "An update route": the caller turned into the route's command, the command sent as the
 * workflow update, the resulting view answered. A handler names only its update and its command:
 * `(request) => decide(request, reviewUpdate, (actor) => ({ actor, ... }))`.
 */
export function updateRoute<Outcome, View>(kind: UpdateRouteKind<Outcome, View>) {
  return async <Command extends object>(
    request: FastifyRequest,
    update: UpdateDefinition<Outcome, [Command]>,
    commandOf: (actor: Actor) => Command | Promise<Command>,
  ): Promise<View> => {
    const actor = actorOf(request);
    const outcome = await kind.send(request, update, await commandOf(actor));
    return kind.answer(request, actor, outcome);
  };
}

/** What the caller must know when no answer came in time: whether the decision was taken. */
export class DecisionNotAnsweredError extends HttpError {}

export interface DecisionOptions {
  /** Whether the decision carries answerBy (AppDeps.decisionsExpire). */
  expires: boolean;
  /** The 503 for a decision a worker took after its answerBy, and so refused: the route parameter it names, and its message. */
  tooLate: { field: string; message: string };
}

/**
 * Sends `command` as `update` and answers its outcome. Errors the update raises are handed to
 * the caller as they are; no worker in time, or one that took it too late, becomes a
 * DecisionNotAnsweredError (503).
 */
export async function sendDecision<Command extends object, Outcome>(
  handle: WorkflowHandle,
  update: UpdateDefinition<Outcome, [Command]>,
  command: Command,
  request: FastifyRequest,
  options: DecisionOptions,
): Promise<Outcome> {
  try {
    return await sendInTime(handle, update, command, request, options.expires);
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === DECISION_TOO_LATE_ERROR) {
      throw new DecisionNotAnsweredError(503, options.tooLate.message, { field: options.tooLate.field, applied: false, retryAfterSeconds: DECISION_RETRY_AFTER_SECONDS });
    }
    throw err;
  }
}

async function sendInTime<Command extends object, Outcome>(
  handle: WorkflowHandle,
  update: UpdateDefinition<Outcome, [Command]>,
  command: Command,
  request: FastifyRequest,
  expires: boolean,
): Promise<Outcome> {
  const header = request.headers['idempotency-key'];
  const idempotencyKey = typeof header === 'string' ? header : randomUUID();
  const updateId = `${update.name}-${idempotencyKey}`;
  // Wall-clock time on both sides: the API's and the workflow's (its task's start, from the server).
  const sentAt = Date.now();
  const timeLimit = expires ? { answerBy: new Date(sentAt + DECISION_ANSWER_BY_MS).toISOString() } : {};
  const client = handle.client;

  let accepted;
  try {
    accepted = await client.withDeadline(sentAt + DECISION_ANSWER_BY_MS + ACCEPTANCE_GRACE_MS, () =>
      handle.startUpdate(update, { args: [{ ...command, ...timeLimit }], updateId, waitForStage: WorkflowUpdateStage.ACCEPTED }),
    );
  } catch (err) {
    if (!timedOut(err)) throw err;
    throw new DecisionNotAnsweredError(
      503,
      '案件暂时无人处理，本次决定未被受理、也不会在之后生效；请稍后用同一 Idempotency-Key 重新提交',
      { field: 'caseId', applied: false, idempotencyKey, retryAfterSeconds: DECISION_RETRY_AFTER_SECONDS },
    );
  }
  try {
    return await client.withDeadline(Date.now() + OUTCOME_WAIT_MS, () => accepted.result());
  } catch (err) {
    if (!timedOut(err)) throw err;
    throw new DecisionNotAnsweredError(
      503,
      '决定已被案件受理并将生效，但结果尚未保存完毕；请稍后用同一 Idempotency-Key 重新提交以取得结果（不会重复生效）',
      { field: 'caseId', applied: true, idempotencyKey, retryAfterSeconds: DECISION_RETRY_AFTER_SECONDS },
    );
  }
}

function timedOut(err: unknown): boolean {
  return err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isTemporalUnavailable(err);
}
