/**
 * The schema of a recognised case's view (workflows/recognition-case/contract.ts
 * RecognitionView). Responses are serialised by their schema, so every property is listed.
 */
import { Type } from '@fastify/type-provider-typebox';
import { nullable, openObjectSchema, responseObject, stringEnum } from './schema-bounds.js';

const date = Type.String({ format: 'date' });
const nullableDate = nullable(date);
const text = Type.String();
const nullableText = nullable(text);
const strings = Type.Array(text);

const actorSchema = responseObject({ id: text, role: text, districtCode: text, department: text, uscc: text });

/** The case's latest decision and who took it; the application's view has it too. */
export const lastDecisionSchema = nullable(responseObject({ action: text, by: actorSchema, at: text, reason: nullableText }));

const tierSchema = nullable(responseObject({ tier: text, year: Type.Integer() }));

const decisionSchema = nullable(responseObject({ decision: text, by: text, at: text, reason: nullableText }));

/** The recognised phase's own properties; GET /cases/{caseId} lists them beside the application's. */
export const recognitionPhaseProperties = {
  phase: stringEnum(['recognised'], { description: 'present once the case is recognised' }),
  origin: stringEnum(['tianjin', 'beijing', 'hebei']),
  recommendingDepartment: nullableText,
  openedAt: text,
  termNo: Type.Integer({ description: '1 for the first validity period, +1 for each extension (C-EVAL)' }),
  termStartedOn: date,
  tierAtTermStart: tierSchema,
  termSettings: responseObject({
    spotCheckRate: Type.Number(),
    annualReportReminderDays: Type.Integer(),
    annualReportGraceDays: Type.Integer(),
    markedGrowthRate: Type.Number(),
    evaluationRereadDays: Type.Integer(),
    supplementReminderWorkingDays: Type.Integer(),
  }),
  spotCheck: nullable(
    responseObject(
      {
        status: stringEnum(['selected', 'awaiting_supplement', 'supplement_received', 'confirmed', 'refused']),
        selectedOn: date,
        supplementRequest: nullable(responseObject({ reason: text, dueOn: date, requestedAt: text })),
        deadline: nullable(
          responseObject({
            kind: text,
            dueOn: date,
            remindOn: nullableDate,
            reminded: Type.Boolean(),
            passed: Type.Boolean(),
            fallbackYears: Type.Array(Type.Integer()),
          }),
        ),
        supplements: Type.Array(responseObject({ evidenceRefs: strings, note: nullableText, at: text })),
        decision: decisionSchema,
      },
      { description: 'C-FILE: set when the city office sampled this recognition' },
    ),
  ),
  firstReportYear: Type.Integer(),
  reportsSettledThrough: Type.Integer(),
  reports: Type.Array(
    responseObject({
      year: Type.Integer(),
      dueOn: date,
      remindOn: date,
      cancelOn: date,
      status: stringEnum(['due', 'filed', 'accepted', 'rejected', 'excused', 'missed']),
      reminded: Type.Boolean(),
      escalated: Type.Boolean(),
      filing: nullable(
        responseObject({
          filedAt: text,
          late: Type.Boolean(),
          revenue: nullable(Type.Number()),
          employees: nullable(Type.Integer()),
          operatorChanged: Type.Boolean(),
          newOperatorId: nullableText,
          note: nullableText,
        }),
      ),
      decision: decisionSchema,
    }),
    { description: 'C-ANNUAL: the reports of this validity period not yet settled before it' },
  ),
  operatorChange: nullable(responseObject({ newOperatorId: text, changedOn: date, reportedAt: text, reportedBy: text })),
  evaluation: responseObject(
    {
      opensOn: date,
      openedAt: nullableText,
      lastDataReadOn: nullableDate,
      findings: Type.Array(
        responseObject({
          criterion: stringEnum(['X1', 'X2', 'X3', 'X4']),
          met: Type.Boolean(),
          source: stringEnum(['data', 'district', 'department']),
          by: text,
          at: text,
          evidenceRefs: strings,
          note: nullableText,
          facts: openObjectSchema,
        }),
      ),
      tierAtLastRead: tierSchema,
    },
    { description: 'C-EVAL: the final-year evaluation' },
  ),
  extension: nullable(responseObject({ fromValidUntil: date, toValidUntil: date, criteria: strings, at: text })),
  revocation: nullable(responseObject({ ground: text, reason: text, by: text, revokedOn: date, bannedUntil: date })),
  transferIn: nullable(responseObject({ origin: text, originRef: text, registeredBy: text, registeredOn: date })),
  transferOut: nullable(responseObject({ destination: text, movedOn: date, reportedBy: text })),
  closedOn: nullableDate,
};

export const recognitionViewSchema = responseObject({
  caseId: text,
  uscc: text,
  householdName: text,
  districtCode: text,
  category: text,
  route: stringEnum(['self', 'department', 'transfer']),
  year: Type.Integer(),
  status: stringEnum(['recognised', 'refused', 'cancelled', 'revoked', 'expired', 'transferred']),
  recognition: responseObject({ recognisedOn: date, validUntil: date, benefitsFrom: date }),
  updatedAt: text,
  lastDecision: lastDecisionSchema,
  seq: Type.Integer(),
  ...recognitionPhaseProperties,
});
