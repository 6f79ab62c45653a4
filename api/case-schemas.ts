/**
 * The schemas of a recognition case's routes (api/routes/applications.ts, cases.ts,
 * publicity.ts, recognitions.ts): the case ID in a path, the case's view, a started case.
 * Responses are serialised by their schema, so every property of a view is listed
 * (test/api/view-schemas.test.ts holds each view against its schema).
 */
import { Type } from '@fastify/type-provider-typebox';
import { CATEGORIES, CATEGORY_CRITERIA, DEADLINE_KINDS } from '../policy/recognition-case.js';
import { lastDecisionSchema, recognitionPhaseProperties } from './recognition-view-schema.js';
import { nullable, responseObject, stringEnum } from './schema-bounds.js';

export const caseIdParams = Type.Object({
  caseId: Type.String({ maxLength: 35, pattern: '^recognition-[0-9A-Z]{18}-[0-9]{4}$' }),
});

/** A criterion of any category (annex 2); whether the category and route may claim it is the policy's to say. */
export const criterionSchema = stringEnum([...new Set(Object.values(CATEGORY_CRITERIA).flat())]);

export const categorySchema = stringEnum(CATEGORIES);

const deadlineSchema = nullable(
  responseObject({
    kind: stringEnum(DEADLINE_KINDS),
    dueOn: Type.String({ format: 'date' }),
    remindOn: nullable(Type.String({ format: 'date' })),
    reminded: Type.Boolean(),
    passed: Type.Boolean(),
    fallbackYears: Type.Array(Type.Integer()),
  }),
);

const strings = Type.Array(Type.String());

/** GET /cases/{caseId} and every decision's answer: the application's properties, and the recognised phase's once recognised. */
export const caseViewSchema = responseObject({
  caseId: Type.String(),
  uscc: Type.String(),
  year: Type.Integer(),
  category: stringEnum(CATEGORIES),
  route: Type.String(),
  districtCode: Type.String(),
  householdName: Type.String(),
  claimedCriteria: strings,
  evidenceRefs: strings,
  status: Type.String(),
  settings: responseObject({
    reviewWorkingDays: Type.Integer(),
    verificationWorkingDays: Type.Integer(),
    opinionWorkingDays: Type.Integer(),
    publicityWorkingDays: Type.Integer(),
    reminderWorkingDays: Type.Integer(),
    consentWorkingDays: Type.Integer(),
    recognitionsDoneBy: Type.String({ description: 'MM-DD of the case year by which it is recognised or not at all (C-CYCLE)' }),
  }),
  recommendation: nullable(responseObject({ department: Type.String(), level: stringEnum(['city', 'district']), reason: Type.String() })),
  submittedAt: Type.String(),
  updatedAt: Type.String(),
  deadline: deadlineSchema,
  informationRequest: nullable(responseObject({ reason: Type.String(), dueOn: Type.String() })),
  verification: nullable(responseObject({ findings: Type.String(), by: Type.String(), at: Type.String() })),
  consultedDepartments: strings,
  opinions: Type.Array(
    responseObject({
      department: Type.String(),
      opinion: stringEnum(['support', 'object', 'no_answer']),
      comment: nullable(Type.String()),
      by: Type.String(),
      at: Type.String(),
    }),
  ),
  publicity: nullable(responseObject({ publishedOn: Type.String(), objectionsUntil: nullable(Type.String()), windowClosed: Type.Boolean() })),
  objections: Type.Array(
    responseObject({
      objectionNo: Type.Integer(),
      reason: Type.String(),
      filedBy: Type.String(),
      filedAt: Type.String(),
      resolution: nullable(Type.String()),
      resolutionReason: nullable(Type.String()),
      resolvedBy: Type.String(),
      resolvedAt: Type.String(),
    }),
  ),
  objectionsFiled: Type.Integer({ description: 'objections filed on the notice in all (C-SELF: at most 1000)' }),
  unresolvedObjections: Type.Array(Type.Integer(), { description: 'the objections filed since objections are counted that are still to be resolved, by number' }),
  recordFailure: nullable(
    responseObject(
      { at: Type.String(), actions: strings, by: Type.String(), error: Type.String() },
      { description: 'the last decision or step PostgreSQL refused for good: it did not happen; the case goes on from before it' },
    ),
  ),
  quotaWait: nullable(responseObject({ readyAt: Type.String(), rank: Type.Integer() })),
  recognition: nullable(responseObject({ recognisedOn: Type.String(), validUntil: Type.String(), benefitsFrom: Type.String() })),
  lastDecision: lastDecisionSchema,
  seq: Type.Integer(),
  ...recognitionPhaseProperties,
});

/** The answer to a started case (an application, a recommendation). */
export const startedCaseSchema = responseObject({
  caseId: Type.String(),
  uscc: Type.String(),
  year: Type.Integer(),
  category: Type.String(),
  status: Type.String(),
});
