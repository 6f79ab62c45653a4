import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { FastifyPluginAsync } from 'fastify';
import { currentTierTrace } from '../../activities/tiering-queries.js';
import { households } from '../../db/schema.js';
import { householdTiers, tierObjections } from '../../db/tiering-schema.js';
import type { Actor } from '../../policy/actors.js';
import { cstDateOf } from '../../policy/dates.js';
import type { RuleViolation } from '../../policy/recognition-case.js';
import {
  validateFactsCorrection,
  type FactsCorrection,
  type ObjectionDecisionCommand,
} from '../../policy/tier-objection.js';
import { TIERS, type Tier } from '../../policy/tiering.js';
import { validateUscc } from '../../policy/uscc.js';
import {
  RULE_VIOLATION_ERROR,
  TIER_OBJECTION_WORKFLOW_TYPE,
  decideObjectionUpdate,
  objectionViewQuery,
  tierObjectionId,
  type ObjectionView,
  type TierObjectionInput,
} from '../../workflows/tier-objection/contract.js';
import type { RouteDeps } from '../app.js';
import { actorOf } from '../auth.js';
import { idempotencyKeyHeaders, sendDecision } from '../decisions.js';
import { HttpError, errorResponseSchema } from '../errors.js';
import { decisionNeeds, isoDateSchema, pageNumberSchema, textSchema, usccSchema } from '../schema-bounds.js';

const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  403: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
  422: errorResponseSchema,
} as const;

const nullableDate = { ...isoDateSchema, type: ['string', 'null'] } as const;
const amount = { type: ['number', 'null'], minimum: 0 } as const;
const year = { type: 'integer', minimum: 1, maximum: 9999 } as const;

/** A partial HouseholdFacts: scalars replace, rows replace the row with the same key or are added. */
const factsCorrectionSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    establishedOn: isoDateSchema,
    status: { type: 'string', enum: ['active', 'revoked', 'deregistered', 'cancelled'] },
    seasonal: { type: 'boolean' },
    suspendedOn: nullableDate,
    annualReports: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['year', 'filedOn', 'revenue'],
        properties: { year, filedOn: nullableDate, revenue: amount },
      },
    },
    tax: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['year', 'taxRegisteredOn', 'generalTaxpayer', 'vatPaid', 'iitPaid', 'abnormal'],
        properties: {
          year,
          taxRegisteredOn: nullableDate,
          generalTaxpayer: { type: 'boolean' },
          vatPaid: amount,
          iitPaid: amount,
          abnormal: { type: 'boolean' },
        },
      },
    },
    socialInsurance: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['year', 'insuredCount'],
        properties: { year, insuredCount: { type: 'integer', minimum: 0 } },
      },
    },
    ipRights: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'registrationNo', 'holder', 'inUse'],
        properties: {
          kind: { type: 'string', enum: ['trademark', 'patent'] },
          registrationNo: textSchema(64, { nonBlank: true }),
          holder: { type: 'string', enum: ['household', 'operator'] },
          inUse: { type: 'boolean' },
        },
      },
    },
    creditEvents: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'listedOn', 'clearedOn'],
        properties: {
          kind: { type: 'string', enum: ['abnormal_operation', 'serious_dishonesty', 'penalty_fine'] },
          listedOn: isoDateSchema,
          clearedOn: nullableDate,
        },
      },
    },
  },
} as const;

const actorSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, role: { type: 'string' }, districtCode: { type: 'string' }, uscc: { type: 'string' } },
} as const;

const storedTraceSchema = {
  type: ['object', 'null'],
  properties: {
    outcomes: { type: 'string' },
    facts: { type: 'object', additionalProperties: true },
    thresholds: { type: 'object', additionalProperties: true },
  },
} as const;

const objectionViewSchema = {
  type: 'object',
  properties: {
    objectionId: { type: 'string' },
    uscc: { type: 'string' },
    year: { type: 'integer' },
    districtCode: { type: 'string' },
    householdName: { type: 'string' },
    status: { type: 'string', enum: ['open', 'upheld', 'dismissed'] },
    reason: { type: 'string' },
    correctedFacts: { type: ['object', 'null'], additionalProperties: true },
    contested: {
      type: 'object',
      properties: {
        tier: { type: 'string' },
        year: { type: 'integer' },
        asOf: { type: 'string' },
        source: { type: 'string' },
        runId: { type: ['integer', 'null'] },
        ruleVersion: { type: 'string' },
        trace: storedTraceSchema,
      },
    },
    filedBy: actorSchema,
    filedAt: { type: 'string' },
    updatedAt: { type: 'string' },
    settings: {
      type: 'object',
      properties: { answerWorkingDays: { type: 'integer' }, reminderWorkingDays: { type: 'integer' } },
    },
    deadline: {
      type: ['object', 'null'],
      properties: {
        dueOn: { type: 'string', format: 'date' },
        remindOn: { type: 'string', format: 'date' },
        reminded: { type: 'boolean' },
        passed: { type: 'boolean' },
        fallbackYears: { type: 'array', items: { type: 'integer' } },
      },
    },
    decision: {
      type: ['object', 'null'],
      properties: {
        decision: { type: 'string', enum: ['upheld', 'dismissed'] },
        by: actorSchema,
        at: { type: 'string' },
        reason: { type: ['string', 'null'] },
        correctedFacts: { type: ['object', 'null'], additionalProperties: true },
        tier: { type: ['string', 'null'] },
        trace: storedTraceSchema,
      },
    },
    seq: { type: 'integer' },
  },
} as const;

const objectionIdParams = {
  type: 'object',
  required: ['objectionId'],
  properties: { objectionId: { type: 'string', maxLength: 38, pattern: '^tier-objection-[0-9A-Z]{18}-[0-9]{4}$' } },
} as const;

interface ObjectionBody {
  uscc: string;
  reason: string;
  correctedFacts?: FactsCorrection;
}

interface DecisionBody {
  decision: 'upheld' | 'dismissed';
  reason?: string;
  correctedFacts?: FactsCorrection;
  tier?: Tier;
}

interface WorklistQuery {
  status?: 'open' | 'upheld' | 'dismissed';
  page: number;
  pageSize: number;
}

/** Objections to a tier (T-OBJ): filed by the household, answered by the city office. */
export function objectionRoutes(deps: RouteDeps): FastifyPluginAsync {
  const { temporal, database } = deps;
  const handleFor = (objectionId: string): WorkflowHandle => temporal.workflow.getHandle(objectionId);

  return async (app) => {
    app.post<{ Body: ObjectionBody }>(
      '/tiering/objections',
      {
        config: { roles: ['household'] },
        schema: {
          summary: "A household objects to its current tier (T-OBJ)",
          description:
            'With a reason and, optionally, the facts it says are wrong (a partial set of the facts the tier was decided on). ' +
            'One objection per household and tier year: a second answers 409. The city office answers within the configured working days.',
          body: {
            type: 'object',
            required: ['uscc', 'reason'],
            additionalProperties: false,
            properties: {
              uscc: usccSchema,
              reason: textSchema(2000, { nonBlank: true }),
              correctedFacts: factsCorrectionSchema,
            },
          },
          response: {
            201: {
              type: 'object',
              properties: {
                objectionId: { type: 'string' },
                uscc: { type: 'string' },
                year: { type: 'integer' },
                contestedTier: { type: 'string' },
                status: { type: 'string' },
              },
            },
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { uscc, reason, correctedFacts } = request.body;
        const valid = validateUscc(uscc);
        if (!valid.ok) throw new HttpError(400, `uscc: ${valid.reason}`, { field: 'uscc', rule: 'GB 32100-2015' });
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

    app.get<{ Params: { objectionId: string } }>(
      '/tiering/objections/:objectionId',
      {
        config: { roles: ['household', 'district', 'city'] },
        schema: {
          summary: "An objection's live state, read from its workflow",
          params: objectionIdParams,
          response: { 200: objectionViewSchema, ...errors },
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

    app.get<{ Querystring: WorklistQuery }>(
      '/tiering/objections',
      {
        config: { roles: ['city', 'household'] },
        schema: {
          summary: "The city office's worklist of objections, overdue first; a household's own objections",
          description: 'Open objections past their due date first, then by due date, then by filing time. A household sees the objections it filed, to follow them.',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              status: { type: 'string', enum: ['open', 'upheld', 'dismissed'] },
              page: pageNumberSchema,
              pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                page: { type: 'integer' },
                pageSize: { type: 'integer' },
                total: { type: 'integer' },
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      objectionId: { type: 'string' },
                      uscc: { type: 'string' },
                      name: { type: ['string', 'null'] },
                      districtCode: { type: ['string', 'null'] },
                      year: { type: 'integer' },
                      contestedTier: { type: 'string' },
                      status: { type: 'string' },
                      filedAt: { type: 'string' },
                      dueOn: { type: ['string', 'null'] },
                      overdue: { type: 'boolean' },
                      decision: { type: ['string', 'null'] },
                      decidedTier: { type: ['string', 'null'] },
                      decidedAt: { type: ['string', 'null'] },
                    },
                  },
                },
              },
            },
            ...errors,
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

    app.post<{ Params: { objectionId: string }; Body: DecisionBody }>(
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
          body: {
            type: 'object',
            required: ['decision'],
            additionalProperties: false,
            properties: {
              decision: { type: 'string', enum: ['upheld', 'dismissed'] },
              reason: textSchema(2000),
              correctedFacts: factsCorrectionSchema,
              tier: { type: 'string', enum: TIERS },
            },
            allOf: [decisionNeeds('dismissed', ['reason'], '驳回异议须说明理由', 'T-OBJ')],
          },
          response: { 200: objectionViewSchema, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const command = decisionCommand(actor, request.body);
        const handle = handleFor(request.params.objectionId);
        try {
          return await sendDecision(handle, decideObjectionUpdate, command, request, { expires: deps.decisionsExpire, tooLate: OBJECTION_DECISION_TOO_LATE });
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
    );
  };
}

/** A decision on an objection its worker took after the decision's time limit: refused, not applied. */
const OBJECTION_DECISION_TOO_LATE = { field: 'objectionId', message: '异议暂时无人处理，本次决定未生效；请稍后重新提交' };

function decisionCommand(actor: Actor, body: DecisionBody): ObjectionDecisionCommand {
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
