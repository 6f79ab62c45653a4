import { createHash, randomUUID } from 'node:crypto';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { and, count, eq, isNull, sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Database } from '../../db/client.js';
import { publicityObjections } from '../../db/recognition-schema.js';
import type { Actor } from '../../policy/actors.js';
import { MAX_OBJECTIONS_PER_SENDER, MAX_OBJECTION_LENGTH } from '../../policy/recognition-case.js';
import { publicityObjectionUpdate } from '../../workflows/recognition-case/contract.js';
import { ANONYMOUS_OBJECTOR } from '../case-reading.js';
import { caseIdParams } from '../case-schemas.js';
import { updateRunner } from '../case-updates.js';
import { DecisionNotAnsweredError, idempotencyKeyHeaders } from '../decisions.js';
import { CASE_ERRORS, HttpError, errorResponseSchema } from '../errors.js';
import { responseObject, textSchema } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import type { RouteDeps } from '../deps.js';

/** The public objection route's limit, enough for a person, not for a flood: ten a minute per network address, token or not (the global limits count a token's actor). */
const OBJECTION_RATE_LIMIT = { max: 10, timeWindow: '1 minute', keyGenerator: (request: FastifyRequest) => `objections:${request.ip}` };

/** Objections to a recognition during its publicity notice 信息公示 (C-SELF): anyone may file one, with or without a token. */
export function publicityRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  const { temporal, database } = deps;
  const runUpdate = updateRunner(deps);

  return async (app) => {
    tagRoutes(app, 'public');
    app.post(
      '/publicity/:caseId/objections',
      {
        config: { public: true, rateLimit: OBJECTION_RATE_LIMIT },
        schema: {
          summary: 'Anyone objects to a recognition while its publicity notice is up',
          description:
            'No token needed; with one, the objection records who filed it. Every objection must be resolved before recognition. ' +
            'A client that may send the same objection twice (a retry after a lost answer) sends an Idempotency-Key: the same key files it once and answers the same; the same key with another text or from another sender answers 422. ' +
            `Bounded (C-SELF): at most ${MAX_OBJECTIONS_PER_SENDER} objections per sender (the token's actor, or else the network address) and notice, and 1000 per notice (409 beyond); ` +
            'at most 10 requests a minute from one address (429).',
          security: [],
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: Type.Object({ reason: textSchema(MAX_OBJECTION_LENGTH, { nonBlank: true }) }, { additionalProperties: false }),
          response: {
            201: responseObject({ caseId: Type.String(), objectionNo: Type.Integer() }),
            ...CASE_ERRORS,
            429: errorResponseSchema,
          },
        },
      },
      async (request, reply) => {
        const actor = request.actor ?? ANONYMOUS_OBJECTOR;
        const { caseId } = request.params;
        const reason = request.body.reason;
        const key = request.headers['idempotency-key'];
        const submission = await keepObjectionText(database, {
          caseId,
          actor,
          senderKey: senderOf(request.actor, request.ip),
          idempotencyKey: typeof key === 'string' ? key : null,
          reason,
          at: new Date(deps.now()),
        });
        if (submission.objectionNo !== null) return reply.status(201).send({ caseId, objectionNo: submission.objectionNo });
        const handle = temporal.workflow.getHandle(caseId);
        try {
          const filed = await runUpdate(handle, publicityObjectionUpdate, { actor, submissionId: submission.submissionId }, request, 'C-SELF');
          return reply.status(201).send({ caseId, objectionNo: filed.objectionNo });
        } catch (err) {
          // Refused by the case, or never taken (no such case, no worker in time): its text is not an
          // objection and is not kept. One the case took but has not answered yet stays, to be numbered.
          const taken = err instanceof DecisionNotAnsweredError && err.details['applied'] === true;
          if (err instanceof HttpError && !taken) await dropUnfiledSubmission(database, submission.submissionId);
          throw err;
        }
      },
    );
  };
}

/**
 * Who sends an objection, for the per-sender bound (C-SELF): the token's actor, or else the
 * network address, kept only as a hash (the objector stays anonymous to the applicant).
 */
function senderOf(actor: Actor | null, ip: string): string {
  return actor ? `actor:${actor.id}` : `address:${createHash('sha256').update(ip).digest('hex').slice(0, 32)}`;
}

/**
 * Keeps an objection's text before the case numbers it, so that the text never passes through
 * the workflow. At most MAX_OBJECTIONS_PER_SENDER per sender and case (under a lock on the pair,
 * so concurrent requests cannot pass it together). An Idempotency-Key names one objection of one
 * sender: the same key again with the same text answers that objection, with another text or from
 * another sender 422.
 */
async function keepObjectionText(
  database: Database,
  objection: { caseId: string; actor: Actor; senderKey: string; idempotencyKey: string | null; reason: string; at: Date },
): Promise<{ submissionId: string; objectionNo: number | null }> {
  const { caseId, senderKey, idempotencyKey } = objection;
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${caseId}), hashtext(${senderKey}))`);
    if (idempotencyKey !== null) {
      const [earlier] = await tx
        .select()
        .from(publicityObjections)
        .where(and(eq(publicityObjections.caseId, caseId), eq(publicityObjections.idempotencyKey, idempotencyKey)));
      if (earlier) {
        // Sent again with another reason or by another sender: a client's mistake that would otherwise
        // silently drop the new objection, so that the client sends it under a key of its own.
        if (earlier.senderKey !== senderKey || earlier.reason !== objection.reason) {
          const which = earlier.objectionNo === null ? '另一件异议' : `第 ${earlier.objectionNo} 号异议`;
          throw new HttpError(422, `Idempotency-Key 已用于${which}（异议内容或提出人不同）：提出新的异议请使用新的 Idempotency-Key`, {
            field: 'idempotency-key',
            clause: 'C-SELF',
          });
        }
        return { submissionId: earlier.submissionId!, objectionNo: earlier.objectionNo };
      }
    }
    const [sent] = await tx
      .select({ n: count() })
      .from(publicityObjections)
      .where(and(eq(publicityObjections.caseId, caseId), eq(publicityObjections.senderKey, senderKey)));
    if ((sent?.n ?? 0) >= MAX_OBJECTIONS_PER_SENDER) {
      throw new HttpError(409, `C-SELF: 同一提交人对同一公示最多提出${MAX_OBJECTIONS_PER_SENDER}件异议；补充意见请写入已提出的异议或直接向区市场监管局反映。`, {
        field: 'caseId',
        clause: 'C-SELF',
        limit: MAX_OBJECTIONS_PER_SENDER,
      });
    }
    const submissionId = randomUUID();
    await tx.insert(publicityObjections).values({
      caseId,
      submissionId,
      senderKey,
      idempotencyKey,
      filedBy: objection.actor.id,
      filedAt: objection.at,
      reason: objection.reason,
    });
    return { submissionId, objectionNo: null };
  });
}

async function dropUnfiledSubmission(database: Database, submissionId: string): Promise<void> {
  await database.db
    .delete(publicityObjections)
    .where(and(eq(publicityObjections.submissionId, submissionId), isNull(publicityObjections.objectionNo)));
}

