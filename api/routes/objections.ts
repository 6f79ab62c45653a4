import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { currentTierTrace } from '../../activities/tiering-queries.js';
import { households } from '../../db/schema.js';
import { householdTiers, tierObjections } from '../../db/tiering-schema.js';
import type { Actor } from '../../policy/actors.js';
import { cstDateOf } from '../../policy/dates.js';
import { validateFactsCorrection, type ObjectionDecisionCommand } from '../../policy/tier-objection.js';
import { TIERS, type Tier } from '../../policy/tiering.js';
import {
  RULE_VIOLATION_ERROR,
  TIER_OBJECTION_WORKFLOW_TYPE,
  decideObjectionUpdate,
  objectionViewQuery,
  tierObjectionId,
  type ObjectionView,
  type TierObjectionInput,
} from '../../workflows/tier-objection/contract.js';
import { actorOf } from '../auth.js';
import { idempotencyKeyHeaders, sendDecision, updateRoute } from '../decisions.js';
import { CASE_ERRORS, HttpError } from '../errors.js';
import {
  decisionNeeds,
  isoDateSchema,
  nullable,
  openObjectSchema,
  pageProperties,
  responseObject,
  stringEnum,
  textSchema,
  usccSchema,
} from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import type { RuleViolation } from '../../policy/vocabulary.js';
import type { RouteDeps } from '../deps.js';


const nullableDate = nullable(isoDateSchema);
const amount = nullable(Type.Number({ minimum: 0 }));
const year = Type.Integer({ minimum: 1, maximum: 9999 });

/** A partial HouseholdFacts: scalars replace, rows replace the row with the same key or are added. */
const factsCorrectionSchema = Type.Object(
  {
    establishedOn: Type.Optional(isoDateSchema),
    status: Type.Optional(stringEnum(['active', 'revoked', 'deregistered', 'cancelled'])),
    seasonal: Type.Optional(Type.Boolean()),
    suspendedOn: Type.Optional(nullableDate),
    annualReports: Type.Optional(
      Type.Array(Type.Object({ year, filedOn: nullableDate, revenue: amount }, { additionalProperties: false }), { maxItems: 20 }),
    ),
    tax: Type.Optional(
      Type.Array(
        Type.Object(
          { year, taxRegisteredOn: nullableDate, generalTaxpayer: Type.Boolean(), vatPaid: amount, iitPaid: amount, abnormal: Type.Boolean() },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
    socialInsurance: Type.Optional(
      Type.Array(Type.Object({ year, insuredCount: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }), { maxItems: 20 }),
    ),
    ipRights: Type.Optional(
      Type.Array(
        Type.Object(
          {
            kind: stringEnum(['trademark', 'patent']),
            registrationNo: textSchema(64, { nonBlank: true }),
            holder: stringEnum(['household', 'operator']),
            inUse: Type.Boolean(),
          },
          { additionalProperties: false },
        ),
        { maxItems: 50 },
      ),
    ),
    creditEvents: Type.Optional(
      Type.Array(
        Type.Object(
          { kind: stringEnum(['abnormal_operation', 'serious_dishonesty', 'penalty_fine']), listedOn: isoDateSchema, clearedOn: nullableDate },
          { additionalProperties: false },
        ),
        { maxItems: 50 },
      ),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

const actorSchema = responseObject({ id: Type.String(), role: Type.String(), districtCode: Type.String(), uscc: Type.String() });

const storedTraceSchema = nullable(responseObject({ outcomes: Type.String(), facts: openObjectSchema, thresholds: openObjectSchema }));

const correctedFactsSchema = Type.Unsafe<Static<typeof factsCorrectionSchema> | null>({ type: ['object', 'null'], additionalProperties: true });

const objectionViewSchema = responseObject({
  objectionId: Type.String(),
  uscc: Type.String(),
  year: Type.Integer(),
  districtCode: Type.String(),
  householdName: Type.String(),
  status: stringEnum(['open', 'upheld', 'dismissed']),
  reason: Type.String(),
  correctedFacts: correctedFactsSchema,
  contested: responseObject({
    tier: Type.String(),
    year: Type.Integer(),
    asOf: Type.String(),
    source: Type.String(),
    runId: nullable(Type.Integer()),
    ruleVersion: Type.String(),
    trace: storedTraceSchema,
  }),
  filedBy: actorSchema,
  filedAt: Type.String(),
  updatedAt: Type.String(),
  settings: responseObject({ answerWorkingDays: Type.Integer(), reminderWorkingDays: Type.Integer() }),
  deadline: nullable(
    responseObject({
      dueOn: Type.String({ format: 'date' }),
      remindOn: Type.String({ format: 'date' }),
      reminded: Type.Boolean(),
      passed: Type.Boolean(),
      fallbackYears: Type.Array(Type.Integer()),
    }),
  ),
  decision: nullable(
    responseObject({
      decision: stringEnum(['upheld', 'dismissed']),
      by: actorSchema,
      at: Type.String(),
      reason: nullable(Type.String()),
      correctedFacts: correctedFactsSchema,
      tier: nullable(Type.String()),
      trace: storedTraceSchema,
    }),
  ),
  seq: Type.Integer(),
});

const objectionIdParams = Type.Object({
  objectionId: Type.String({ maxLength: 38, pattern: '^tier-objection-[0-9A-Z]{18}-[0-9]{4}$' }),
});

const decisionBodySchema = Type.Object(
  {
    decision: stringEnum(['upheld', 'dismissed']),
    reason: Type.Optional(textSchema(2000)),
    correctedFacts: Type.Optional(factsCorrectionSchema),
    tier: Type.Optional(stringEnum(TIERS)),
  },
  { additionalProperties: false, allOf: [decisionNeeds('dismissed', ['reason'], '驳回异议须说明理由', 'T-OBJ')] },
);

/** Objections to a tier (T-OBJ): filed by the household, answered by the city office. */
export function objectionRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  const { temporal, database } = deps;
  const handleFor = (objectionId: string): WorkflowHandle => temporal.workflow.getHandle(objectionId);

  /** A decision on the request's objection, answered with the objection as it left it. */
  const decide = updateRoute<ObjectionView, ObjectionView>({
    send: async (request, update, command) => {
      const handle = handleFor((request.params as { objectionId: string }).objectionId);
      try {
        return await sendDecision(handle, update, command, request, { expires: deps.decisionsExpire, tooLate: OBJECTION_DECISION_TOO_LATE });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
          if (err.cause.type === RULE_VIOLATION_ERROR) throw HttpError.fromViolation(err.cause.details?.[0] as RuleViolation);
        }
        if (err instanceof WorkflowNotFoundError) {
          // The workflow has finished: the objection exists but takes no more decisions.
          const closed = await queryObjection(handle);
          throw new HttpError(409, `T-OBJ: the objection is already ${closed.status}`, {
            field: 'objectionId',
            clause: 'T-OBJ',
            status: closed.status,
          });
        }
        throw err;
      }
    },
    answer: async (_request, _actor, view) => view,
  });

  return async (app) => {
    tagRoutes(app, 'tier-objections');
    app.post(
      '/tiering/objections',
      {
        config: { roles: ['household'] },
        schema: {
          summary: "A household objects to its current tier (T-OBJ)",
          description:
            'With a reason and, optionally, the facts it says are wrong (a partial set of the facts the tier was decided on). ' +
            'One objection per household and tier year: a second answers 409. The city office answers within the configured working days.',
          body: Type.Object(
            { uscc: usccSchema, reason: textSchema(2000, { nonBlank: true }), correctedFacts: Type.Optional(factsCorrectionSchema) },
            { additionalProperties: false },
          ),
          response: {
            201: responseObject({ objectionId: Type.String(), uscc: Type.String(), year: Type.Integer(), contestedTier: Type.String(), status: Type.String() }),
            ...CASE_ERRORS,
          },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { uscc, reason, correctedFacts } = request.body;
        if (actor.uscc !== uscc) {
          throw new HttpError(403, "T-OBJ: an operator objects only to its own household's tier", { field: 'uscc', clause: 'T-OBJ' });
        }
        const now = deps.now();
        if (correctedFacts) {
          const invalid = validateFactsCorrection(correctedFacts, cstDateOf(now), 'correctedFacts');
          if (invalid) throw HttpError.fromViolation(invalid);
        }
        const [household] = await database.db
          .select({ name: households.name, districtCode: households.districtCode, tier: householdTiers, trace: currentTierTrace() })
          .from(households)
          .leftJoin(householdTiers, eq(householdTiers.uscc, households.uscc))
          .where(eq(households.uscc, uscc));
        if (!household) throw new HttpError(404, `no household ${uscc} in the registry`, { field: 'uscc' });
        const current = household.tier;
        if (!current) {
          throw new HttpError(409, `T-OBJ: household ${uscc} has no tier to object to yet`, { field: 'uscc', clause: 'T-OBJ' });
        }
        if (!household.trace) throw new Error(`the current tier of ${uscc} (run ${current.runId}) has no stored trace`);
        const objectionId = tierObjectionId(uscc, current.year);
        const alreadyObjected = () =>
          new HttpError(409, `T-OBJ: household ${uscc} has already objected to its ${current.year} tier`, {
            field: 'uscc',
            clause: 'T-OBJ',
            objectionId,
          });
        // The projection outlives the workflow, whose ID guards only while Temporal retains it.
        const [filed] = await database.db
          .select({ objectionId: tierObjections.objectionId })
          .from(tierObjections)
          .where(eq(tierObjections.objectionId, objectionId));
        if (filed) throw alreadyObjected();
        const input: TierObjectionInput = {
          uscc,
          districtCode: household.districtCode,
          householdName: household.name,
          contested: {
            tier: current.tier as Tier,
            year: current.year,
            asOf: current.asOf,
            source: current.source,
            runId: current.runId,
            ruleVersion: current.ruleVersion,
            trace: household.trace,
          },
          reason: reason.trim(),
          correctedFacts: correctedFacts ?? null,
          filedBy: actor,
          filedAt: new Date(now).toISOString(),
          settings: deps.objectionSettings,
        };
        try {
          await temporal.workflow.start(TIER_OBJECTION_WORKFLOW_TYPE, {
            taskQueue: deps.taskQueue,
            workflowId: objectionId,
            args: [input],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            workflowIdConflictPolicy: 'FAIL',
          });
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) throw alreadyObjected();
          throw err;
        }
        request.log.info({ objectionId, actor: actor.id }, 'objection to a tier filed');
        return reply
          .status(201)
          .header('location', `/tiering/objections/${objectionId}`)
          .send({ objectionId, uscc, year: current.year, contestedTier: current.tier, status: 'open' });
      },
    );

    app.get(
      '/tiering/objections/:objectionId',
      {
        config: { roles: ['household', 'district', 'city'] },
        schema: {
          summary: "An objection's live state, read from its workflow",
          params: objectionIdParams,
          response: { 200: objectionViewSchema, ...CASE_ERRORS },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const view = await queryObjection(handleFor(request.params.objectionId));
        const allowed =
          actor.role === 'city' ||
          (actor.role === 'district' && actor.districtCode === view.districtCode) ||
          (actor.role === 'household' && actor.uscc === view.uscc);
        if (!allowed) throw new HttpError(403, 'this objection is not yours to read', { field: 'objectionId' });
        return view;
      },
    );

    app.get(
      '/tiering/objections',
      {
        config: { roles: ['city', 'household'] },
        schema: {
          summary: "The city office's worklist of objections, overdue first; a household's own objections",
          description: 'Open objections past their due date first, then by due date, then by filing time. A household sees the objections it filed, to follow them.',
          querystring: Type.Object(
            { status: Type.Optional(stringEnum(['open', 'upheld', 'dismissed'])), ...pageProperties(50, 100) },
            { additionalProperties: false },
          ),
          response: {
            200: responseObject({
              page: Type.Integer(),
              pageSize: Type.Integer(),
              total: Type.Integer(),
              items: Type.Array(
                responseObject({
                  objectionId: Type.String(),
                  uscc: Type.String(),
                  name: nullable(Type.String()),
                  districtCode: nullable(Type.String()),
                  year: Type.Integer(),
                  contestedTier: Type.String(),
                  status: Type.String(),
                  filedAt: Type.String(),
                  dueOn: nullable(Type.String()),
                  overdue: Type.Boolean(),
                  decision: nullable(Type.String()),
                  decidedTier: nullable(Type.String()),
                  decidedAt: nullable(Type.String()),
                }),
              ),
            }),
            ...CASE_ERRORS,
          },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { status, page, pageSize } = request.query;
        const today = cstDateOf(deps.now());
        // A due date is met until the end of that day (CST), as the workflow counts it.
        const overdue = sql<boolean>`(${tierObjections.status} = 'open' and ${tierObjections.dueOn} < ${today}::date)`;
        const rows = await database.db
          .select({
            objectionId: tierObjections.objectionId,
            uscc: tierObjections.uscc,
            name: households.name,
            districtCode: households.districtCode,
            year: tierObjections.year,
            contestedTier: tierObjections.contestedTier,
            status: tierObjections.status,
            filedAt: tierObjections.filedAt,
            dueOn: tierObjections.dueOn,
            overdue,
            decision: tierObjections.decision,
            decidedTier: tierObjections.decidedTier,
            decidedAt: tierObjections.decidedAt,
            total: sql<number>`count(*) over ()`.mapWith(Number),
          })
          .from(tierObjections)
          .leftJoin(households, eq(households.uscc, tierObjections.uscc))
          .where(
            and(
              status ? eq(tierObjections.status, status) : undefined,
              actor.role === 'household' ? eq(tierObjections.uscc, actor.uscc ?? '') : undefined,
            ),
          )
          .orderBy(desc(overdue), sql`${tierObjections.dueOn} asc nulls last`, asc(tierObjections.filedAt), asc(tierObjections.objectionId))
          .limit(pageSize)
          .offset((page - 1) * pageSize);
        return {
          page,
          pageSize,
          total: rows[0]?.total ?? 0,
          items: rows.map(({ total: _total, filedAt, decidedAt, ...row }) => ({
            ...row,
            filedAt: filedAt.toISOString(),
            decidedAt: decidedAt?.toISOString() ?? null,
          })),
        };
      },
    );

    app.post(
      '/tiering/objections/:objectionId/decision',
      {
        config: { roles: ['city'] },
        schema: {
          summary: "The city office's answer to an objection (T-OBJ)",
          description:
            'upheld: the tiering is re-run on the contested facts overlaid with the corrected facts (these, or else the household\'s), ' +
            'and the household\'s tier becomes what that trace gives (unless a later year\'s tier, or one of the year decided as of a later ' +
            'date, stands); a `tier`, if sent, must match it. Corrected facts that give the contested tier or a lower one answer 422: ' +
            'dismiss instead. Either decision requires a reason; a dismissal changes nothing.',
          params: objectionIdParams,
          headers: idempotencyKeyHeaders,
          body: decisionBodySchema,
          response: { 200: objectionViewSchema, ...CASE_ERRORS },
        },
      },
      async (request) => decide(request, decideObjectionUpdate, (actor) => decisionCommand(actor, request.body)),
    );
  };
}

/** A decision on an objection its worker took after the decision's time limit: refused, not applied. */
const OBJECTION_DECISION_TOO_LATE = { field: 'objectionId', message: '异议暂时无人处理，本次决定未生效；请稍后重新提交' };

function decisionCommand(actor: Actor, body: Static<typeof decisionBodySchema>): ObjectionDecisionCommand {
  if (body.decision === 'dismissed') return { decision: 'dismissed', actor, reason: body.reason ?? '' };
  return { decision: 'upheld', actor, reason: body.reason, correctedFacts: body.correctedFacts, tier: body.tier };
}

async function queryObjection(handle: WorkflowHandle): Promise<ObjectionView> {
  try {
    return await handle.query(objectionViewQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new HttpError(404, `no objection ${handle.workflowId}`, { field: 'objectionId' });
    }
    throw err;
  }
}
