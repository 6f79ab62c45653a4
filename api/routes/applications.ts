import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { eq } from 'drizzle-orm';
import { readEligibilityFacts } from '../../activities/eligibility.js';
import { notificationContacts } from '../../db/notification-schema.js';
import { households } from '../../db/schema.js';
import type { Actor } from '../../policy/actors.js';
import { CRITERION_TEXT } from '../../policy/criteria-text.js';
import { cstDateOf, yearOf } from '../../policy/dates.js';
import { TIANJIN_DISTRICTS } from '../../policy/districts.js';
import { checkEligibility, type ApplicationRoute, type EligibilityResult } from '../../policy/eligibility.js';
import {
  CATEGORIES,
  CATEGORY_CRITERIA,
  DEPARTMENT_RECOMMENDATION_CRITERIA,
  recommendedCriteria,
  validateApplication,
  validateRecommendation,
  type Category,
} from '../../policy/recognition-case.js';
import { recognitionCaseId, type RecognitionCaseInput } from '../../workflows/recognition-case/contract.js';
import { actorOf } from '../auth.js';
import { categorySchema, criterionSchema, startedCaseSchema } from '../case-schemas.js';
import { CASE_ERRORS, HttpError } from '../errors.js';
import { evidenceRefsSchema, nullable, openObjectSchema, recordOf, responseObject, stringEnum, textSchema, usccSchema } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import { assertRegisteredDepartment } from './departments.js';
import { contactOf, contactSchema, recipientOf, saveContact } from './notifications.js';
import type { RouteDeps } from '../deps.js';
import { startCase } from '../case-updates.js';

const applicationFormSchema = responseObject({
  uscc: Type.String(),
  year: Type.Integer(),
  route: stringEnum(['self', 'department']),
  caseId: Type.String({ description: 'the ID the case would have' }),
  household: responseObject({
    name: Type.String(),
    districtCode: Type.String(),
    districtName: nullable(Type.String()),
    operatorName: Type.String(),
    establishedOn: Type.String(),
    status: Type.String(),
  }),
  eligible: Type.Boolean(),
  eligibility: Type.Array(responseObject({ clause: Type.String(), passed: Type.Boolean(), reason: Type.String(), facts: openObjectSchema })),
  criteria: recordOf(Type.Array(Type.String()), {
    description: 'per category, the criteria this route may claim (a recommendation implies its department criterion)',
  }),
  criterionText: recordOf(Type.String(), {
    description: "each claimable criterion in the plan's words (annex 2): minimum standards, any one suffices",
  }),
});

/** A self-application may not claim "recommended by a department" (K5, F6, Q6, E4); a recommendation implies it. */
function claimableCriteria(route: ApplicationRoute): Record<Category, string[]> {
  return Object.fromEntries(
    CATEGORIES.map((category) => [
      category,
      route === 'department' ? [...CATEGORY_CRITERIA[category]] : CATEGORY_CRITERIA[category].filter((c) => !DEPARTMENT_RECOMMENDATION_CRITERIA.includes(c)),
    ]),
  ) as Record<Category, string[]>;
}

const applicationBodySchema = Type.Object(
  {
    uscc: usccSchema,
    category: categorySchema,
    claimedCriteria: Type.Array(criterionSchema, { minItems: 1, maxItems: 6 }),
    evidenceRefs: Type.Optional(evidenceRefsSchema),
    contact: Type.Optional(
      Type.Object(contactSchema.properties, {
        additionalProperties: false,
        description: 'Optional: the mobile number and/or email the household is notified at (PUT /notifications/contact changes it later); without, the in-app inbox only.',
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * Starting a case: a household's application (C-SELF), a department's recommendation (C-REC),
 * and the application form that shows either what it would be today.
 */
export function applicationRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  const { database } = deps;

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

  /**
   * What a case a person files opens with, whichever route: the year it is filed in and its ID,
   * the household as registered, who filed it and when, the settings it runs under, and every
   * clause as evaluated (assertEligible: refused here when one fails).
   */
  const caseOpening = async (household: { uscc: string; name: string; districtCode: string }, actor: Actor, route: ApplicationRoute) => {
    const now = deps.now();
    const year = yearOf(cstDateOf(now));
    const eligibility = await assertEligible(household.uscc, route, now, year);
    return {
      caseId: recognitionCaseId(household.uscc, year),
      opening: {
        uscc: household.uscc,
        year,
        householdName: household.name,
        districtCode: household.districtCode,
        applicant: actor,
        submittedAt: new Date(now).toISOString(),
        settings: deps.caseSettings,
        termSettings: deps.recognitionTermSettings,
        eligibility,
      },
    };
  };

  /** Saves the household's contact given with its application; `restore` puts back what was there if the case does not start. */
  const replaceContactForStart = async (actor: Actor, contact: NonNullable<Static<typeof applicationBodySchema>['contact']>) => {
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


  return async (app) => {
    tagRoutes(app, 'applications');
    app.post(
      '/applications',
      {
        config: { roles: ['household'] },
        schema: {
          summary: 'A household applies for 名特优新 recognition (C-SELF)',
          description:
            'Starts the case for the household and the current year (CST). One case per household and year (C-ONE-TYPE): a second answers 409. The application is pre-filled from the registry (C-NOFEE). An ineligible household (C-CYCLE, T-B1, C-SRC, C-EX1, C-EX2, C-BAN, C-ONE-TYPE, C-ONE-PERSON) answers 422 naming the first failed clause, with every clause evaluated in `details.eligibility`.',
          body: applicationBodySchema,
          response: { 201: startedCaseSchema, ...CASE_ERRORS },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const body = request.body;
        if (actor.uscc !== body.uscc) {
          throw new HttpError(403, 'C-SELF: a household applies only for itself', { field: 'uscc', clause: 'C-SELF' });
        }
        const evidenceRefs = body.evidenceRefs ?? [];
        const invalid = validateApplication({ ...body, evidenceRefs });
        if (invalid) throw HttpError.fromViolation(invalid);

        const household = await registeredHousehold(body.uscc);
        const { caseId, opening } = await caseOpening(household, actor, 'self');
        const { year } = opening;
        const input: RecognitionCaseInput = { ...opening, category: body.category, claimedCriteria: body.claimedCriteria, evidenceRefs };
        // The contact is saved before the case starts, so that its first notification already reaches it; a case that does not start restores the one before.
        const previousContact = body.contact ? await replaceContactForStart(actor, body.contact) : null;
        try {
          await startCase(deps, caseId, input, opening);
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

    app.get(
      '/households/:uscc/application-form',
      {
        config: { roles: ['household', 'department', 'district', 'city'] },
        schema: {
          summary: 'The application as it would be filed today: pre-filled from the data held (C-NOFEE), eligibility explained clause by clause',
          description:
            'For the household itself (self-application) or a department (recommendation, C-REC; a district department for its district), and for the district office of the household and the city office to read. ' +
            'Every clause is evaluated as the filing would (C-CYCLE, T-B1, C-SRC, C-EX1, C-EX2, C-BAN, C-ONE-TYPE, C-ONE-PERSON); the criteria are those the route may claim. Nothing is written.',
          params: Type.Object({ uscc: usccSchema }),
          response: { 200: applicationFormSchema, ...CASE_ERRORS },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { uscc } = request.params;
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
          // Every criterion of annex 2 has its text (policy/criteria-text.ts; its test holds it so).
          criterionText: Object.fromEntries(Object.values(criteria).flat().map((criterion) => [criterion, CRITERION_TEXT[criterion]!])),
        };
      },
    );

    app.post(
      '/recommendations',
      {
        config: { roles: ['department'] },
        schema: {
          summary: 'A department recommends a household for 名特优新 recognition (C-REC)',
          description:
            "The recommendation's level is the department's: a token with a district code recommends at district level, only that district's households; without, at city level. " +
            "The category's department criterion (K5, F6, Q6, E4) is implied; other criteria of the category may be added. Eligibility as for an application, the source relaxed to any tier but unclassified (C-SRC): 422 with every clause in `details.eligibility`. " +
            "One case per household and year (C-ONE-TYPE): a second answers 409. The case then waits for the operator's consent (`POST /cases/{caseId}/consent`), lapsing after the configured working days.",
          body: Type.Object(
            {
              uscc: usccSchema,
              category: categorySchema,
              claimedCriteria: Type.Array(criterionSchema, { maxItems: 6 }),
              evidenceRefs: Type.Optional(evidenceRefsSchema),
              reason: textSchema(2000, { minLength: 1 }),
            },
            { additionalProperties: false },
          ),
          response: { 201: startedCaseSchema, ...CASE_ERRORS },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const body = request.body;
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
        const { caseId, opening } = await caseOpening(household, actor, 'department');
        const { year } = opening;
        await startCase(
          deps,
          caseId,
          {
            ...opening,
            route: 'department',
            recommendation: { department: department.id, level: department.level, reason: body.reason },
            category: body.category,
            claimedCriteria: recommendedCriteria(body.category, body.claimedCriteria),
            evidenceRefs: body.evidenceRefs ?? [],
          },
          opening,
        );
        request.log.info({ caseId, actor: actor.id }, 'recommendation submitted');
        return reply
          .status(201)
          .header('location', `/cases/${caseId}`)
          .send({ caseId, uscc: body.uscc, year, category: body.category, status: 'awaiting_consent' });
      },
    );

  };
}
