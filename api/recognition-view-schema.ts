/**
 * The JSON schema of a recognised case's view (workflows/recognition-case/contract.ts
 * RecognitionView). Responses are serialised by their schema, so every property is listed.
 */
const date = { type: 'string', format: 'date' } as const;
const nullableDate = { type: ['string', 'null'], format: 'date' } as const;
const text = { type: 'string' } as const;
const nullableText = { type: ['string', 'null'] } as const;
const strings = { type: 'array', items: { type: 'string' } } as const;

const actorSchema = {
  type: 'object',
  properties: { id: text, role: text, districtCode: text, department: text, uscc: text },
} as const;

const tierSchema = { type: ['object', 'null'], properties: { tier: text, year: { type: 'integer' } } } as const;

const decisionSchema = {
  type: ['object', 'null'],
  properties: { decision: text, by: text, at: text, reason: nullableText },
} as const;

/** The recognised phase's own properties; GET /cases/{caseId} lists them beside the application's. */
export const recognitionPhaseProperties = {
  phase: { type: 'string', enum: ['recognised'], description: 'present once the case is recognised' },
  origin: { type: 'string', enum: ['tianjin', 'beijing', 'hebei'] },
  recommendingDepartment: nullableText,
  openedAt: text,
  termNo: { type: 'integer', description: '1 for the first validity period, +1 for each extension (C-EVAL)' },
  termStartedOn: date,
  tierAtTermStart: tierSchema,
  termSettings: {
    type: 'object',
    properties: {
      spotCheckRate: { type: 'number' },
      annualReportReminderDays: { type: 'integer' },
      annualReportGraceDays: { type: 'integer' },
      markedGrowthRate: { type: 'number' },
      evaluationRereadDays: { type: 'integer' },
      supplementReminderWorkingDays: { type: 'integer' },
    },
  },
  spotCheck: {
    type: ['object', 'null'],
    description: 'C-FILE: set when the city office sampled this recognition',
    properties: {
      status: { type: 'string', enum: ['selected', 'awaiting_supplement', 'supplement_received', 'confirmed', 'refused'] },
      selectedOn: date,
      supplementRequest: { type: ['object', 'null'], properties: { reason: text, dueOn: date, requestedAt: text } },
      deadline: {
        type: ['object', 'null'],
        properties: {
          kind: text,
          dueOn: date,
          remindOn: nullableDate,
          reminded: { type: 'boolean' },
          passed: { type: 'boolean' },
          fallbackYears: { type: 'array', items: { type: 'integer' } },
        },
      },
      supplements: { type: 'array', items: { type: 'object', properties: { evidenceRefs: strings, note: nullableText, at: text } } },
      decision: decisionSchema,
    },
  },
  firstReportYear: { type: 'integer' },
  reportsSettledThrough: { type: 'integer' },
  reports: {
    type: 'array',
    description: 'C-ANNUAL: the reports of this validity period not yet settled before it',
    items: {
      type: 'object',
      properties: {
        year: { type: 'integer' },
        dueOn: date,
        remindOn: date,
        cancelOn: date,
        status: { type: 'string', enum: ['due', 'filed', 'accepted', 'rejected', 'excused', 'missed'] },
        reminded: { type: 'boolean' },
        escalated: { type: 'boolean' },
        filing: {
          type: ['object', 'null'],
          properties: {
            filedAt: text,
            late: { type: 'boolean' },
            revenue: { type: ['number', 'null'] },
            employees: { type: ['integer', 'null'] },
            operatorChanged: { type: 'boolean' },
            newOperatorId: nullableText,
            note: nullableText,
          },
        },
        decision: decisionSchema,
      },
    },
  },
  operatorChange: {
    type: ['object', 'null'],
    properties: { newOperatorId: text, changedOn: date, reportedAt: text, reportedBy: text },
  },
  evaluation: {
    type: 'object',
    description: 'C-EVAL: the final-year evaluation',
    properties: {
      opensOn: date,
      openedAt: nullableText,
      lastDataReadOn: nullableDate,
      findings: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            criterion: { type: 'string', enum: ['X1', 'X2', 'X3', 'X4'] },
            met: { type: 'boolean' },
            source: { type: 'string', enum: ['data', 'district', 'department'] },
            by: text,
            at: text,
            evidenceRefs: strings,
            note: nullableText,
            facts: { type: 'object', additionalProperties: true },
          },
        },
      },
      tierAtLastRead: tierSchema,
    },
  },
  extension: {
    type: ['object', 'null'],
    properties: { fromValidUntil: date, toValidUntil: date, criteria: strings, at: text },
  },
  revocation: {
    type: ['object', 'null'],
    properties: { ground: text, reason: text, by: text, revokedOn: date, bannedUntil: date },
  },
  transferIn: {
    type: ['object', 'null'],
    properties: { origin: text, originRef: text, registeredBy: text, registeredOn: date },
  },
  transferOut: {
    type: ['object', 'null'],
    properties: { destination: text, movedOn: date, reportedBy: text },
  },
  closedOn: nullableDate,
} as const;

export const recognitionViewSchema = {
  type: 'object',
  properties: {
    caseId: text,
    uscc: text,
    householdName: text,
    districtCode: text,
    category: text,
    route: { type: 'string', enum: ['self', 'department', 'transfer'] },
    year: { type: 'integer' },
    status: { type: 'string', enum: ['recognised', 'refused', 'cancelled', 'revoked', 'expired', 'transferred'] },
    recognition: { type: 'object', properties: { recognisedOn: date, validUntil: date, benefitsFrom: date } },
    updatedAt: text,
    lastDecision: {
      type: ['object', 'null'],
      properties: { action: text, by: actorSchema, at: text, reason: nullableText },
    },
    seq: { type: 'integer' },
    ...recognitionPhaseProperties,
  },
} as const;
