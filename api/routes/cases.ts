import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { createHash, randomUUID } from 'node:crypto';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { and, asc, count, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { FastifyBaseLogger, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { loadWorkingDayCalendar } from '../../activities/calendar.js';
import { readEligibilityFacts } from '../../activities/eligibility.js';
import type { Database } from '../../db/client.js';
import { addWorkingDays, isWorkingDay } from '../../policy/calendar.js';
import { notificationContacts } from '../../db/notification-schema.js';
import { publicityObjections } from '../../db/recognition-schema.js';
import { caseEvents, cases, households } from '../../db/schema.js';
import type { Actor } from '../../policy/actors.js';
import { cstDateOf, yearOf, type IsoDate } from '../../policy/dates.js';
import { TIANJIN_DISTRICTS } from '../../policy/districts.js';
import { CRITERION_TEXT } from '../../policy/criteria-text.js';
import { validateConsultedDepartments } from '../../policy/departments.js';
import { checkEligibility, type ApplicationRoute, type EligibilityResult } from '../../policy/eligibility.js';
import {
  CATEGORIES,
  CATEGORY_CRITERIA,
  DEADLINE_KINDS,
  DEPARTMENT_RECOMMENDATION_CRITERIA,
  MAX_OBJECTIONS_PER_SENDER,
  MAX_OBJECTION_LENGTH,
  isClosed,
  recommendedCriteria,
  validateApplication,
  validateRecommendation,
  type ApplicationInput,
  type Category,
  type PublicityObjection,
  type ReviewCommand,
  type RuleViolation,
} from '../../policy/recognition-case.js';
import { validateUscc } from '../../policy/uscc.js';
import {
  DECISION_NOT_RECORDED_ERROR,
  RECOGNITION_WORKFLOW_TYPE,
  RULE_VIOLATION_ERROR,
  consentUpdate,
  isRecognitionView,
  liveCaseViewQuery,
  opinionUpdate,
  publicityObjectionUpdate,
  recognitionCaseId,
  reviewUpdate,
  supplyInformationUpdate,
  type LiveCaseView,
  type RecognitionCaseInput,
} from '../../workflows/recognition-case/contract.js';
import type { RouteDeps } from '../app.js';
import { actorOf } from '../auth.js';
import { refuseOtherPartiesCases } from '../case-scope.js';
import { DecisionNotAnsweredError, idempotencyKeyHeaders, sendDecision } from '../decisions.js';
import { HttpError, errorResponseSchema } from '../errors.js';
import { isTemporalUnavailable } from '../unavailable.js';
import { contactOf, contactSchema, recipientOf, saveContact } from './notifications.js';
import { recognitionPhaseProperties } from '../recognition-view-schema.js';
import { decisionNeeds, evidenceRefsSchema, idempotencyKeySchema, isoDateSchema, textSchema, usccSchema } from '../schema-bounds.js';
import { assertRegisteredDepartment, registeredDepartments } from './departments.js';

const errors = { 400: errorResponseSchema, 401: errorResponseSchema, 403: errorResponseSchema, 404: errorResponseSchema, 409: errorResponseSchema, 422: errorResponseSchema } as const;

const applicationFormSchema = {
  type: 'object',
  properties: {
    uscc: { type: 'string' },
    year: { type: 'integer' },
    route: { type: 'string', enum: ['self', 'department'] },
    caseId: { type: 'string', description: 'the ID the case would have' },
    household: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        districtCode: { type: 'string' },
        districtName: { type: ['string', 'null'] },
        operatorName: { type: 'string' },
        establishedOn: { type: 'string' },
        status: { type: 'string' },
      },
    },
    eligible: { type: 'boolean' },
    eligibility: {
      type: 'array',
      items: {
        type: 'object',
        properties: { clause: { type: 'string' }, passed: { type: 'boolean' }, reason: { type: 'string' }, facts: { type: 'object', additionalProperties: true } },
      },
    },
    criteria: {
      type: 'object',
      description: 'per category, the criteria this route may claim (a recommendation implies its department criterion)',
      additionalProperties: { type: 'array', items: { type: 'string' } },
    },
    criterionText: {
      type: 'object',
      description: "each claimable criterion in the plan's words (annex 2): minimum standards, any one suffices",
      additionalProperties: { type: 'string' },
    },
  },
} as const;

/** A self-application may not claim "recommended by a department" (K5, F6, Q6, E4); a recommendation implies it. */
function claimableCriteria(route: ApplicationRoute): Record<Category, readonly string[]> {
  return Object.fromEntries(
    CATEGORIES.map((category) => [
      category,
      route === 'department' ? CATEGORY_CRITERIA[category] : CATEGORY_CRITERIA[category].filter((c) => !DEPARTMENT_RECOMMENDATION_CRITERIA.includes(c)),
    ]),
  ) as Record<Category, readonly string[]>;
}

/** A criterion of any category (annex 2); whether the category and route may claim it is the policy's to say. */
const criterionSchema = { type: 'string', enum: [...new Set(Object.values(CATEGORY_CRITERIA).flat())] } as const;

const actorSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    role: { type: 'string' },
    districtCode: { type: 'string' },
    department: { type: 'string' },
    uscc: { type: 'string' },
  },
} as const;

const deadlineSchema = {
  type: ['object', 'null'],
  properties: {
    kind: { type: 'string', enum: DEADLINE_KINDS },
    dueOn: { type: 'string', format: 'date' },
    remindOn: { type: ['string', 'null'], format: 'date' },
    reminded: { type: 'boolean' },
    passed: { type: 'boolean' },
    fallbackYears: { type: 'array', items: { type: 'integer' } },
  },
} as const;

const caseViewSchema = {
  type: 'object',
  properties: {
    caseId: { type: 'string' },
    uscc: { type: 'string' },
    year: { type: 'integer' },
    category: { type: 'string', enum: CATEGORIES },
    route: { type: 'string' },
    districtCode: { type: 'string' },
    householdName: { type: 'string' },
    claimedCriteria: { type: 'array', items: { type: 'string' } },
    evidenceRefs: { type: 'array', items: { type: 'string' } },
    status: { type: 'string' },
    settings: {
      type: 'object',
      properties: {
        reviewWorkingDays: { type: 'integer' },
        verificationWorkingDays: { type: 'integer' },
        opinionWorkingDays: { type: 'integer' },
        publicityWorkingDays: { type: 'integer' },
        reminderWorkingDays: { type: 'integer' },
        consentWorkingDays: { type: 'integer' },
        recognitionsDoneBy: { type: 'string', description: 'MM-DD of the case year by which it is recognised or not at all (C-CYCLE)' },
      },
    },
    recommendation: {
      type: ['object', 'null'],
      properties: { department: { type: 'string' }, level: { type: 'string', enum: ['city', 'district'] }, reason: { type: 'string' } },
    },
    submittedAt: { type: 'string' },
    updatedAt: { type: 'string' },
    deadline: deadlineSchema,
    informationRequest: {
      type: ['object', 'null'],
      properties: { reason: { type: 'string' }, dueOn: { type: 'string' } },
    },
    verification: {
      type: ['object', 'null'],
      properties: { findings: { type: 'string' }, by: { type: 'string' }, at: { type: 'string' } },
    },
    consultedDepartments: { type: 'array', items: { type: 'string' } },
    opinions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          department: { type: 'string' },
          opinion: { type: 'string', enum: ['support', 'object', 'no_answer'] },
          comment: { type: ['string', 'null'] },
          by: { type: 'string' },
          at: { type: 'string' },
        },
      },
    },
    publicity: {
      type: ['object', 'null'],
      properties: {
        publishedOn: { type: 'string' },
        objectionsUntil: { type: ['string', 'null'] },
        windowClosed: { type: 'boolean' },
      },
    },
    objections: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          objectionNo: { type: 'integer' },
          reason: { type: 'string' },
          filedBy: { type: 'string' },
          filedAt: { type: 'string' },
          resolution: { type: ['string', 'null'] },
          resolutionReason: { type: ['string', 'null'] },
          resolvedBy: { type: 'string' },
          resolvedAt: { type: 'string' },
        },
      },
    },
    objectionsFiled: { type: 'integer', description: 'objections filed on the notice in all (C-SELF: at most 1000)' },
    recordFailure: {
      type: ['object', 'null'],
      description: 'the last decision or step PostgreSQL refused for good: it did not happen; the case goes on from before it',
      properties: {
        at: { type: 'string' },
        actions: { type: 'array', items: { type: 'string' } },
        by: { type: 'string' },
        error: { type: 'string' },
      },
    },
    quotaWait: { type: ['object', 'null'], properties: { readyAt: { type: 'string' }, rank: { type: 'integer' } } },
    recognition: {
      type: ['object', 'null'],
      properties: { recognisedOn: { type: 'string' }, validUntil: { type: 'string' }, benefitsFrom: { type: 'string' } },
    },
    lastDecision: {
      type: ['object', 'null'],
      properties: { action: { type: 'string' }, by: actorSchema, at: { type: 'string' }, reason: { type: ['string', 'null'] } },
    },
    seq: { type: 'integer' },
    ...recognitionPhaseProperties,
  },
} as const;

export const caseIdParams = {
  type: 'object',
  required: ['caseId'],
  properties: { caseId: { type: 'string', maxLength: 35, pattern: '^recognition-[0-9A-Z]{18}-[0-9]{4}$' } },
} as const;

interface ApplicationBody {
  uscc: string;
  category: Category;
  claimedCriteria: string[];
  evidenceRefs?: string[];
  contact?: { mobile?: string | null; email?: string | null };
}

interface RecommendationBody {
  uscc: string;
  category: Category;
  claimedCriteria: string[];
  evidenceRefs?: string[];
  reason: string;
}

interface ConsentBody {
  consent: boolean;
  reason?: string;
}

const startedCaseSchema = {
  type: 'object',
  properties: {
    caseId: { type: 'string' },
    uscc: { type: 'string' },
    year: { type: 'integer' },
    category: { type: 'string' },
    status: { type: 'string' },
  },
} as const;

interface ReviewBody {
  decision: ReviewCommand['decision'];
  reason?: string;
  category?: Category;
  informationDueOn?: string;
  findings?: string;
  departments?: string[];
  objectionNo?: number;
  upheld?: boolean;
}

interface OpinionBody {
  opinion: 'support' | 'object';
  comment?: string;
}

interface PublicityObjectionBody {
  reason: string;
}

interface InformationBody {
  evidenceRefs: string[];
  note?: string;
}

/** How far ahead a request for information may set its due date: about six weeks. */
export const INFORMATION_MAX_WORKING_DAYS = 30;

export function caseRoutes(deps: RouteDeps): FastifyPluginAsync {
  const { temporal, database } = deps;

  const handleFor = (caseId: string): WorkflowHandle => temporal.workflow.getHandle(caseId);
  const runUpdate = updateRunner(deps);
  const readCase = caseReader(deps);

  /** The case as `actor` may read it, on request or after a decision (decisions answer only their outcome). */
  const caseViewFor = async (actor: Actor, view: LiveCaseView): Promise<LiveCaseView> =>
    withObjectorsWithheld(actor, await caseViewWithObjections(database, view));

  /** Sends the command's decision to the request's case and answers the case as its actor may read it after. */
  const decide = async <Command extends { actor: Actor }>(
    request: FastifyRequest<{ Params: { caseId: string } }>,
    update: UpdateDefinition<unknown, [Command]>,
    command: Command,
    stepClause: StepClause,
  ): Promise<LiveCaseView> => {
    await runUpdate(handleFor(request.params.caseId), update, command, request, stepClause);
    return caseViewFor(command.actor, (await readCase(request.params.caseId)).view);
  };

  const registeredHousehold = async (uscc: string) => {
    const [household] = await database.db.select().from(households).where(eq(households.uscc, uscc));
    if (!household) throw new HttpError(422, `no household ${uscc} in the registry`, { field: 'uscc', clause: 'C-NOFEE' });
    return household;
  };

  /** Every clause evaluated as a filing at `now` would be (C-CYCLE … C-ONE-PERSON), with the facts read. */
  const eligibilityOf = async (uscc: string, route: ApplicationRoute, now: number, year: number) => {
    const facts = await readEligibilityFacts(database.db, { uscc, route, applicationDate: cstDateOf(now), year });
    return { facts, ...checkEligibility(facts, deps.eligibilitySettings) };
  };

  /**
   * Every clause as evaluated, for the case's first audit record. The year's case already there
   * answers 409, as its workflow ID would (C-ONE-TYPE); any other failed clause answers 422, the
   * first one named and all of them returned.
   */
  const assertEligible = async (uscc: string, route: ApplicationRoute, now: number, year: number): Promise<EligibilityResult[]> => {
    const eligibility = await eligibilityOf(uscc, route, now, year);
    const { yearCase } = eligibility.facts;
    if (yearCase) {
      throw new HttpError(409, `C-ONE-TYPE: household ${uscc} already has a case for ${year}`, { field: 'uscc', clause: 'C-ONE-TYPE', caseId: yearCase.caseId });
    }
    const failed = eligibility.results.filter((result) => !result.passed);
    if (failed.length > 0) {
      throw new HttpError(422, `not eligible: ${failed.map((result) => `${result.clause} ${result.reason}`).join(' ')}`, {
        field: 'uscc',
        clause: failed[0]!.clause,
        eligibility: eligibility.results,
      });
    }
    return eligibility.results;
  };

  /** Saves the household's contact given with its application; `restore` puts back what was there if the case does not start. */
  const replaceContactForStart = async (actor: Actor, contact: NonNullable<ApplicationBody['contact']>) => {
    const recipient = recipientOf(actor);
    const [before] = await database.db.select().from(notificationContacts).where(contactOf(recipient));
    await saveContact(database.db, recipient, contact, actor, deps.now());
    return {
      restore: async () => {
        if (before) await saveContact(database.db, recipient, before, { ...actor, id: before.updatedBy }, before.updatedAt.getTime());
        else await database.db.delete(notificationContacts).where(contactOf(recipient));
      },
    };
  };

  /**
   * The day information is due pauses the review clock until then: a working day (on the holiday
   * notices loaded now), within INFORMATION_MAX_WORKING_DAYS, so that a typo (2099, a Saturday)
   * cannot stop the clock for years. A day not after today is the policy's to refuse.
   */
  const assertInformationDueOn = async (dueOn: IsoDate, log: FastifyBaseLogger): Promise<void> => {
    const today = cstDateOf(deps.now());
    if (dueOn <= today) return;
    const calendar = await loadWorkingDayCalendar(database.db);
    const latest = addWorkingDays(calendar, today, INFORMATION_MAX_WORKING_DAYS);
    if (latest.fallbackYears.length > 0) {
      log.warn({ fallbackYears: latest.fallbackYears }, 'no holiday notice for these years: working days counted Monday to Friday');
    }
    if (dueOn > latest.date) {
      throw new HttpError(422, `informationDueOn 最迟为 ${latest.date}（今天起 ${INFORMATION_MAX_WORKING_DAYS} 个工作日内）：请改选更早的日期`, {
        field: 'informationDueOn',
        latest: latest.date,
      });
    }
    if (!isWorkingDay(calendar, dueOn).working) {
      throw new HttpError(422, `informationDueOn ${dueOn} 不是工作日：请改选一个工作日`, { field: 'informationDueOn' });
    }
  };

  /** The case ID is the one-case-per-year guard (C-ONE-TYPE): a second start that year is refused. */
  const startCase = async (caseId: string, input: ApplicationInput): Promise<void> => {
    try {
      await temporal.workflow.start(RECOGNITION_WORKFLOW_TYPE, {
        taskQueue: deps.taskQueue,
        workflowId: caseId,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'FAIL',
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new HttpError(409, `C-ONE-TYPE: household ${input.uscc} already has a case for ${input.year}`, {
          field: 'uscc',
          clause: 'C-ONE-TYPE',
          caseId,
        });
      }
      throw err;
    }
  };

  return async (app) => {
    app.addHook('preValidation', refuseOtherPartiesCases(database));
    app.post<{ Body: ApplicationBody }>(
      '/applications',
      {
        config: { roles: ['household'] },
        schema: {
          summary: 'A household applies for 名特优新 recognition (C-SELF)',
          description:
            'Starts the case for the household and the current year (CST). One case per household and year (C-ONE-TYPE): a second answers 409. The application is pre-filled from the registry (C-NOFEE). An ineligible household (C-CYCLE, T-B1, C-SRC, C-EX1, C-EX2, C-BAN, C-ONE-TYPE, C-ONE-PERSON) answers 422 naming the first failed clause, with every clause evaluated in `details.eligibility`.',
          body: {
            type: 'object',
            required: ['uscc', 'category', 'claimedCriteria'],
            additionalProperties: false,
            properties: {
              uscc: usccSchema,
              category: { type: 'string', enum: CATEGORIES },
              claimedCriteria: { type: 'array', items: criterionSchema, minItems: 1, maxItems: 6 },
              evidenceRefs: evidenceRefsSchema,
              contact: { ...contactSchema, description: 'Optional: the mobile number and/or email the household is notified at (PUT /notifications/contact changes it later); without, the in-app inbox only.' },
            },
          },
          response: {
            201: {
              type: 'object',
              properties: {
                caseId: { type: 'string' },
                uscc: { type: 'string' },
                year: { type: 'integer' },
                category: { type: 'string' },
                status: { type: 'string' },
              },
            },
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const body = request.body;
        const uscc = validateUscc(body.uscc);
        if (!uscc.ok) throw new HttpError(400, `uscc: ${uscc.reason}`, { field: 'uscc', rule: 'GB 32100-2015' });
        if (actor.uscc !== body.uscc) {
          throw new HttpError(403, 'C-SELF: a household applies only for itself', { field: 'uscc', clause: 'C-SELF' });
        }
        const evidenceRefs = body.evidenceRefs ?? [];
        const invalid = validateApplication({ ...body, evidenceRefs });
        if (invalid) throw HttpError.fromViolation(invalid);

        const household = await registeredHousehold(body.uscc);
        const now = deps.now();
        const year = yearOf(cstDateOf(now));
        const eligibility = await assertEligible(body.uscc, 'self', now, year);
        const caseId = recognitionCaseId(body.uscc, year);
        const input: RecognitionCaseInput = {
          uscc: body.uscc,
          year,
          category: body.category,
          claimedCriteria: body.claimedCriteria,
          evidenceRefs,
          householdName: household.name,
          districtCode: household.districtCode,
          applicant: actor,
          submittedAt: new Date(now).toISOString(),
          settings: deps.caseSettings,
          termSettings: deps.recognitionTermSettings,
          eligibility,
        };
        // The contact is saved before the case starts, so that its first notification already reaches it; a case that does not start restores the one before.
        const previousContact = body.contact ? await replaceContactForStart(actor, body.contact) : null;
        try {
          await startCase(caseId, input);
        } catch (err) {
          if (previousContact) await previousContact.restore();
          throw err;
        }
        request.log.info({ caseId, actor: actor.id }, 'application submitted');
        return reply
          .status(201)
          .header('location', `/cases/${caseId}`)
          .send({ caseId, uscc: body.uscc, year, category: body.category, status: 'under_review' });
      },
    );

    app.get<{ Params: { uscc: string } }>(
      '/households/:uscc/application-form',
      {
        config: { roles: ['household', 'department', 'district', 'city'] },
        schema: {
          summary: 'The application as it would be filed today: pre-filled from the data held (C-NOFEE), eligibility explained clause by clause',
          description:
            'For the household itself (self-application) or a department (recommendation, C-REC; a district department for its district), and for the district office of the household and the city office to read. ' +
            'Every clause is evaluated as the filing would (C-CYCLE, T-B1, C-SRC, C-EX1, C-EX2, C-BAN, C-ONE-TYPE, C-ONE-PERSON); the criteria are those the route may claim. Nothing is written.',
          params: { type: 'object', required: ['uscc'], properties: { uscc: usccSchema } },
          response: { 200: applicationFormSchema, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { uscc } = request.params;
        const valid = validateUscc(uscc);
        if (!valid.ok) throw new HttpError(400, `uscc: ${valid.reason}`, { field: 'uscc', rule: 'GB 32100-2015' });
        if (actor.role === 'household' && actor.uscc !== uscc) {
          throw new HttpError(403, 'C-SELF: a household applies only for itself', { field: 'uscc', clause: 'C-SELF' });
        }
        const [household] = await database.db.select().from(households).where(eq(households.uscc, uscc));
        if (!household) throw new HttpError(404, `no household ${uscc} in the registry`, { field: 'uscc' });
        const scopedTo = actor.role === 'district' || actor.role === 'department' ? actor.districtCode : undefined;
        if (scopedTo !== undefined && scopedTo !== household.districtCode) {
          throw new HttpError(403, `the household belongs to district ${household.districtCode}, not ${scopedTo}`, { field: 'uscc' });
        }
        const route: ApplicationRoute = actor.role === 'department' ? 'department' : 'self';
        const now = deps.now();
        const year = yearOf(cstDateOf(now));
        const { results } = await eligibilityOf(uscc, route, now, year);
        const criteria = claimableCriteria(route);
        return {
          uscc,
          year,
          route,
          caseId: recognitionCaseId(uscc, year),
          household: {
            name: household.name,
            districtCode: household.districtCode,
            districtName: TIANJIN_DISTRICTS[household.districtCode] ?? null,
            operatorName: household.operatorName,
            establishedOn: household.establishedOn,
            status: household.status,
          },
          eligible: results.every((result) => result.passed),
          eligibility: results,
          criteria,
          criterionText: Object.fromEntries(Object.values(criteria).flat().map((criterion) => [criterion, CRITERION_TEXT[criterion]])),
        };
      },
    );

    app.post<{ Body: RecommendationBody }>(
      '/recommendations',
      {
        config: { roles: ['department'] },
        schema: {
          summary: 'A department recommends a household for 名特优新 recognition (C-REC)',
          description:
            "The recommendation's level is the department's: a token with a district code recommends at district level, only that district's households; without, at city level. " +
            "The category's department criterion (K5, F6, Q6, E4) is implied; other criteria of the category may be added. Eligibility as for an application, the source relaxed to any tier but unclassified (C-SRC): 422 with every clause in `details.eligibility`. " +
            "One case per household and year (C-ONE-TYPE): a second answers 409. The case then waits for the operator's consent (`POST /cases/{caseId}/consent`), lapsing after the configured working days.",
          body: {
            type: 'object',
            required: ['uscc', 'category', 'claimedCriteria', 'reason'],
            additionalProperties: false,
            properties: {
              uscc: usccSchema,
              category: { type: 'string', enum: CATEGORIES },
              claimedCriteria: { type: 'array', items: criterionSchema, maxItems: 6 },
              evidenceRefs: evidenceRefsSchema,
              reason: textSchema(2000, { minLength: 1 }),
            },
          },
          response: { 201: startedCaseSchema, ...errors },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const body = request.body;
        const uscc = validateUscc(body.uscc);
        if (!uscc.ok) throw new HttpError(400, `uscc: ${uscc.reason}`, { field: 'uscc', rule: 'GB 32100-2015' });
        const department = await assertRegisteredDepartment(database, actor, 'C-REC');
        const invalid = validateRecommendation(body);
        if (invalid) throw HttpError.fromViolation(invalid);

        const household = await registeredHousehold(body.uscc);
        if (actor.districtCode !== undefined && actor.districtCode !== household.districtCode) {
          throw new HttpError(403, `C-REC: a district department recommends only households of its district ${actor.districtCode}`, {
            field: 'uscc',
            clause: 'C-REC',
          });
        }
        const now = deps.now();
        const year = yearOf(cstDateOf(now));
        const eligibility = await assertEligible(body.uscc, 'department', now, year);
        const caseId = recognitionCaseId(body.uscc, year);
        await startCase(caseId, {
          route: 'department',
          recommendation: { department: department.id, level: department.level, reason: body.reason },
          uscc: body.uscc,
          year,
          category: body.category,
          claimedCriteria: recommendedCriteria(body.category, body.claimedCriteria),
          evidenceRefs: body.evidenceRefs ?? [],
          householdName: household.name,
          districtCode: household.districtCode,
          applicant: actor,
          submittedAt: new Date(now).toISOString(),
          settings: deps.caseSettings,
          termSettings: deps.recognitionTermSettings,
          eligibility,
        });
        request.log.info({ caseId, actor: actor.id }, 'recommendation submitted');
        return reply
          .status(201)
          .header('location', `/cases/${caseId}`)
          .send({ caseId, uscc: body.uscc, year, category: body.category, status: 'awaiting_consent' });
      },
    );

    app.post<{ Params: { caseId: string }; Body: ConsentBody }>(
      '/cases/:caseId/consent',
      {
        config: { roles: ['household'], stepClause: 'C-REC' },
        schema: {
          summary: "The operator consents to a department's recommendation, or declines it (C-REC)",
          description: 'Consent starts the review; declining closes the case. Unanswered, the recommendation lapses at its due date.',
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: {
            type: 'object',
            required: ['consent'],
            additionalProperties: false,
            properties: { consent: { type: 'boolean' }, reason: textSchema(2000) },
          },
          response: { 200: caseViewSchema, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { consent, reason } = request.body;
        const command = { actor, consent, reason };
        return decide(request, consentUpdate, command, 'C-REC');
      },
    );

    app.get<{ Params: { caseId: string } }>(
      '/cases/:caseId',
      {
        config: { roles: ['household', 'district', 'department', 'city'] },
        schema: {
          summary: "A case's state, from its record",
          description:
            'Once recognised, the state of the recognition (`phase: recognised`): spot check, annual reports, evaluation, how it ended. ' +
            'Read from the case record (the projection each decision saves). The workflow is asked, briefly, only when the record may be behind it: ' +
            'no record yet, or a due date or reminder day of the record has come. The `x-view-source` header says which answered: ' +
            '`record`, `live`, or `record-fallback` (the workflow did not answer in time; the record as last saved).',
          params: caseIdParams,
          response: { 200: caseViewSchema, ...errors },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { view, source } = await readCase(request.params.caseId);
        assertMayRead(actor, view);
        reply.header(VIEW_SOURCE_HEADER, source);
        return caseViewFor(actor, view);
      },
    );

    app.get<{ Params: { caseId: string } }>(
      '/cases/:caseId/events',
      {
        config: { roles: ['household', 'district', 'department', 'city'] },
        schema: {
          summary: "A case's audit trail: who decided what, when and why",
          params: caseIdParams,
          response: {
            200: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  seq: { type: 'integer' },
                  at: { type: 'string' },
                  actorId: { type: 'string' },
                  actorRole: { type: 'string' },
                  action: { type: 'string' },
                  fromStatus: { type: ['string', 'null'] },
                  toStatus: { type: 'string' },
                  reason: { type: ['string', 'null'] },
                  clauses: { type: 'array', items: { type: 'string' } },
                  details: { type: 'object', additionalProperties: true },
                },
              },
            },
            ...errors,
          },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { view } = await readCase(request.params.caseId);
        assertMayRead(actor, view);
        const rows = await database.db
          .select()
          .from(caseEvents)
          .where(eq(caseEvents.caseId, request.params.caseId))
          .orderBy(asc(caseEvents.seq));
        const withheld = !knowsObjectors(actor);
        return rows.map((r) => ({ ...r, at: r.at.toISOString(), ...(withheld && r.action === 'objection_filed' ? ANONYMOUS_OBJECTOR_EVENT : {}) }));
      },
    );

    app.post<{ Params: { caseId: string }; Body: ReviewBody }>(
      '/cases/:caseId/review',
      {
        config: { roles: ['district', 'city'] },
        schema: {
          summary: "The reviewing office's decisions on the case (C-SELF; C-REC: the city office for a city-level recommendation)",
          description:
            'Under review: accept (optionally choosing the most suitable category, C-ONE-TYPE), reject with a reason, or request information with a due date, which pauses the review clock. ' +
            'On-site verification: verified with the findings and the departments to consult (none: publicity starts at once). ' +
            'Publicity: resolve_objection (upheld refuses the recognition; dismissed lets it go on). Reject is open until a place is taken.',
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: {
            type: 'object',
            required: ['decision'],
            additionalProperties: false,
            properties: {
              decision: { type: 'string', enum: ['accept', 'reject', 'request_information', 'verified', 'resolve_objection'] },
              reason: textSchema(2000),
              category: { type: 'string', enum: CATEGORIES },
              informationDueOn: { ...isoDateSchema, description: `a working day after today, at most ${INFORMATION_MAX_WORKING_DAYS} working days ahead` },
              findings: textSchema(4000),
              departments: { type: 'array', items: textSchema(100, { minLength: 1 }), maxItems: 20 },
              objectionNo: { type: 'integer', minimum: 1, maximum: 100_000 },
              upheld: { type: 'boolean' },
            },
            allOf: [
              decisionNeeds('reject', ['reason'], '驳回须说明理由'),
              decisionNeeds('request_information', ['reason', 'informationDueOn'], '要求补充材料须说明缺少哪些材料并给出截止日期'),
              decisionNeeds('verified', ['findings'], '须记录走访核实的情况', 'C-SELF'),
              decisionNeeds('resolve_objection', ['objectionNo', 'upheld', 'reason'], '处理异议须指明异议编号、是否成立及理由'),
            ],
          },
          response: { 200: caseViewSchema, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const command = reviewCommand(actor, request.body);
        if (command.decision === 'request_information') await assertInformationDueOn(command.informationDueOn, request.log);
        if (command.decision === 'verified' && command.departments.length > 0) {
          const { view } = await readCase(request.params.caseId);
          // Who may not review learns that from the case (403) before anything about the departments named.
          const mayReview = actor.role === 'city' || actor.districtCode === view.districtCode;
          if (mayReview) {
            const ids = command.departments.map((id) => id.trim());
            const refusal = validateConsultedDepartments(ids, await registeredDepartments(database, ids), view.districtCode);
            if (refusal) throw HttpError.fromViolation(refusal);
          }
        }
        return decide(request, reviewUpdate, command, reviewStepClause);
      },
    );

    app.post<{ Params: { caseId: string }; Body: InformationBody }>(
      '/cases/:caseId/information',
      {
        config: { roles: ['household'] },
        schema: {
          summary: 'The household supplies the information its district office asked for',
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: {
            type: 'object',
            required: ['evidenceRefs'],
            additionalProperties: false,
            properties: {
              evidenceRefs: { ...evidenceRefsSchema, minItems: 1 },
              note: textSchema(2000),
            },
          },
          response: { 200: caseViewSchema, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const command = { actor, evidenceRefs: request.body.evidenceRefs, note: request.body.note };
        return decide(request, supplyInformationUpdate, command, reviewStepClause);
      },
    );

    app.post<{ Params: { caseId: string }; Body: OpinionBody }>(
      '/cases/:caseId/opinions',
      {
        config: { roles: ['department'] },
        schema: {
          summary: "A consulted department's opinion 征求意见 (C-SELF)",
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: {
            type: 'object',
            required: ['opinion'],
            additionalProperties: false,
            properties: { opinion: { type: 'string', enum: ['support', 'object'] }, comment: textSchema(2000) },
          },
          response: { 200: caseViewSchema, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        await assertRegisteredDepartment(database, actor, 'C-SELF');
        const command = { actor, opinion: request.body.opinion, comment: request.body.comment };
        return decide(request, opinionUpdate, command, reviewStepClause);
      },
    );

    app.post<{ Params: { caseId: string }; Body: PublicityObjectionBody }>(
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
          body: {
            type: 'object',
            required: ['reason'],
            additionalProperties: false,
            properties: { reason: textSchema(MAX_OBJECTION_LENGTH, { nonBlank: true }) },
          },
          response: {
            201: { type: 'object', properties: { caseId: { type: 'string' }, objectionNo: { type: 'integer' } } },
            ...errors,
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
        const handle = handleFor(caseId);
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

/**
 * A case's view as its readers see it: the live state from its workflow, with the objections
 * filed on its notice from the database (the workflow only counts them), objectors withheld
 * from those who may not know them.
 */
async function caseViewWithObjections(database: Database, view: LiveCaseView): Promise<LiveCaseView> {
  if (isRecognitionView(view)) return view;
  const kept = new Set(view.objections.map((o) => o.objectionNo));
  const rows = await database.db
    .select()
    .from(publicityObjections)
    .where(and(eq(publicityObjections.caseId, view.caseId), isNotNull(publicityObjections.objectionNo)))
    .orderBy(asc(publicityObjections.objectionNo));
  const counted: PublicityObjection[] = rows
    .filter((row) => !kept.has(row.objectionNo!))
    .map((row) => ({
      objectionNo: row.objectionNo!,
      reason: row.reason,
      filedBy: row.filedBy,
      filedAt: row.filedAt.toISOString(),
      resolution: row.resolution as PublicityObjection['resolution'],
      resolutionReason: row.resolutionReason,
      ...(row.resolvedBy ? { resolvedBy: row.resolvedBy } : {}),
      ...(row.resolvedAt ? { resolvedAt: row.resolvedAt.toISOString() } : {}),
    }));
  const objections = [...view.objections, ...counted].sort((a, b) => a.objectionNo - b.objectionNo);
  return { ...view, objections };
}

/** The fields each decision needs are there: the body's schema requires them (decisionNeeds, 422 before any handler). */
function reviewCommand(actor: Actor, body: ReviewBody): ReviewCommand {
  switch (body.decision) {
    case 'accept':
      return { decision: 'accept', actor, reason: body.reason, category: body.category };
    case 'reject':
      return { decision: 'reject', actor, reason: body.reason ?? '' };
    case 'request_information':
      return {
        decision: 'request_information',
        actor,
        reason: body.reason ?? '',
        informationDueOn: body.informationDueOn!,
      };
    case 'verified':
      return { decision: 'verified', actor, findings: body.findings!, departments: body.departments ?? [] };
    case 'resolve_objection':
      return {
        decision: 'resolve_objection',
        actor,
        objectionNo: body.objectionNo!,
        upheld: body.upheld!,
        reason: body.reason ?? '',
      };
  }
}

/** Which source answered a case read (GET /cases/{caseId}). */
export const VIEW_SOURCE_HEADER = 'x-view-source';
/** How long a read waits for the workflow's live view before answering from the record. */
const LIVE_READ_MS = 2_000;

/** A case's view as its last saved projection (versioned by its audit seq), or null when none is saved yet. */
export async function storedCase(database: Database, caseId: string): Promise<LiveCaseView | null> {
  const [row] = await database.db.select({ view: cases.view }).from(cases).where(eq(cases.caseId, caseId));
  return row ? (row.view as LiveCaseView) : null;
}

/**
 * Whether the record may be behind the workflow: a case not yet saved, or an open application
 * whose due date has passed or whose reminder day has come (the workflow's clock moves it before
 * the record is saved). Decisions are saved before they are answered, so otherwise the record is current.
 */
function liveValueNeeded(stored: LiveCaseView | null, today: string): boolean {
  if (stored === null) return true;
  if (isRecognitionView(stored) || isClosed(stored.status) || stored.deadline === null) return false;
  const { dueOn, remindOn, reminded, passed } = stored.deadline;
  return (!passed && dueOn < today) || (!reminded && remindOn !== null && remindOn <= today);
}

/** Reads a case from its record, asking its workflow only where a live value is needed (liveValueNeeded). */
export function caseReader(deps: RouteDeps) {
  return async (caseId: string): Promise<{ view: LiveCaseView; source: 'record' | 'live' | 'record-fallback' }> => {
    const stored = await storedCase(deps.database, caseId);
    if (!liveValueNeeded(stored, cstDateOf(deps.now()))) return { view: stored!, source: 'record' };
    const handle = deps.temporal.workflow.getHandle(caseId);
    try {
      const live = await deps.temporal.workflow.withDeadline(Date.now() + LIVE_READ_MS, () => handle.query(liveCaseViewQuery));
      return stored !== null && stored.seq > live.seq ? { view: stored, source: 'record' } : { view: live, source: 'live' };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError && stored === null) throw new HttpError(404, `no case ${caseId}`, { field: 'caseId' });
      if (stored !== null && (err instanceof WorkflowNotFoundError || isTemporalUnavailable(err))) return { view: stored, source: 'record-fallback' };
      throw err;
    }
  };
}

export function assertMayRead(actor: Actor, view: LiveCaseView): void {
  const allowed =
    actor.role === 'city' ||
    (actor.role === 'district' && actor.districtCode === view.districtCode) ||
    (actor.role === 'household' && actor.uscc === view.uscc) ||
    (actor.role === 'department' && departmentTakesPart(actor, view));
  if (!allowed) throw new HttpError(403, 'this case is not yours to read', { field: 'caseId' });
}

/**
 * A department reads the cases it recommended (C-REC; it answers X4 of their evaluation, C-EVAL)
 * and those it was consulted on (C-SELF). A district department's token reaches its own district only.
 */
function departmentTakesPart(actor: Actor, view: LiveCaseView): boolean {
  if (!actor.department) return false;
  if (actor.districtCode !== undefined && actor.districtCode !== view.districtCode) return false;
  if (isRecognitionView(view)) return view.recommendingDepartment === actor.department;
  return view.recommendation?.department === actor.department || view.consultedDepartments.includes(actor.department);
}

/**
 * Who objected during publicity is for the offices that handle the objection to know; to the
 * applicant and to departments every objector is anonymous, so that nobody is deterred from
 * objecting by being named to the business objected to.
 */
function knowsObjectors(actor: Actor): boolean {
  return actor.role === 'district' || actor.role === 'city';
}

/** The public objection route's limit, enough for a person, not for a flood: ten a minute per network address, token or not (the global limits count a token's actor). */
const OBJECTION_RATE_LIMIT = { max: 10, timeWindow: '1 minute', keyGenerator: (request: FastifyRequest) => `objections:${request.ip}` };

/** Who files an objection without a token. */
const ANONYMOUS_OBJECTOR: Actor = { id: 'anonymous', role: 'public' };

const ANONYMOUS_OBJECTOR_EVENT = { actorId: ANONYMOUS_OBJECTOR.id, actorRole: ANONYMOUS_OBJECTOR.role };

function withObjectorsWithheld(actor: Actor, view: LiveCaseView): LiveCaseView {
  if (knowsObjectors(actor) || isRecognitionView(view)) return view;
  return { ...view, objections: view.objections.map((objection) => ({ ...objection, filedBy: ANONYMOUS_OBJECTOR.id })) };
}

/**
 * The clause that governs a route's step, named by its 409 and 422 answers when the rule that
 * refused says none of its own; the review's depends on the case's route (C-SELF, or C-REC for
 * a department's recommendation).
 */
export type StepClause = string | ((view: LiveCaseView) => string);

export const reviewStepClause: StepClause = (view) => ('route' in view && view.route === 'department' ? 'C-REC' : 'C-SELF');

/** A decision its case's worker took after the decision's time limit: refused, not applied. */
const CASE_DECISION_TOO_LATE = { field: 'caseId', message: '案件未能及时受理本次决定，决定未生效；请稍后重新提交' };

/**
 * Sends a decision (api/decisions.ts: with a time limit and the caller's Idempotency-Key); a
 * validator's refusal becomes the HTTP error it describes, and nothing was written. Each phase of
 * a case takes its own decisions only: an update the case's current phase has no handler for (a
 * review of a recognised case, a spot check of a case under review) is rejected by the workflow
 * before it reaches history, and answers 409 with the case's status. A 409 or 422 names the
 * step's clause where the refusing rule names none.
 */
export function updateRunner(deps: RouteDeps) {
  const readCase = caseReader(deps);
  return async <Command extends object, View>(
    handle: WorkflowHandle,
    update: UpdateDefinition<View, [Command]>,
    command: Command,
    request: FastifyRequest,
    stepClause: StepClause,
  ): Promise<View> => {
    const clauseOf = async (view?: LiveCaseView): Promise<string> =>
      typeof stepClause === 'string' ? stepClause : stepClause(view ?? (await readCase(handle.workflowId)).view);
    try {
      return await sendDecision(handle, update, command, request, { expires: deps.decisionsExpire, tooLate: CASE_DECISION_TOO_LATE });
    } catch (err) {
      if (err instanceof DecisionNotAnsweredError) throw err;
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        if (err.cause.type === RULE_VIOLATION_ERROR) {
          const violation = err.cause.details?.[0] as RuleViolation;
          const status = violation.status ?? 422;
          const named = violation.clause === null && (status === 409 || status === 422) ? { ...violation, clause: await clauseOf() } : violation;
          throw HttpError.fromViolation(named);
        }
        if (err.cause.type === DECISION_NOT_RECORDED_ERROR) {
          throw new HttpError(422, `${err.cause.message}。请检查提交的内容后重试。`, { field: 'body', clause: await clauseOf() });
        }
        const { view } = await readCase(handle.workflowId);
        throw new HttpError(409, `the case is ${view.status} and takes no such decision in this phase`, { field: 'caseId', clause: await clauseOf(view), status: view.status });
      }
      if (err instanceof WorkflowNotFoundError) {
        // The workflow has finished: the case exists but takes no more decisions.
        const { view } = await readCase(handle.workflowId);
        throw new HttpError(409, `the case is ${view.status} and takes no more decisions`, { field: 'caseId', clause: await clauseOf(view), status: view.status });
      }
      throw err;
    }
  };
}
