import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger } from 'fastify';
import { loadWorkingDayCalendar } from '../../activities/calendar.js';
import type { Actor } from '../../policy/actors.js';
import { addWorkingDays, isWorkingDay } from '../../policy/calendar.js';
import { cstDateOf, type IsoDate } from '../../policy/dates.js';
import { validateConsultedDepartments } from '../../policy/departments.js';
import { type ReviewCommand } from '../../policy/recognition-case.js';
import { consentUpdate, opinionUpdate, reviewUpdate, supplyInformationUpdate } from '../../workflows/recognition-case/contract.js';
import { actorOf } from '../auth.js';
import { ANONYMOUS_OBJECTOR_EVENT, VIEW_SOURCE_HEADER, assertMayRead, caseReader, caseViewFor, knowsObjectors, recordedTrail } from '../case-reading.js';
import { categorySchema, caseIdParams, caseViewSchema } from '../case-schemas.js';
import { refuseOtherPartiesCases } from '../case-scope.js';
import { caseIdOf, caseUpdates } from '../case-updates.js';
import { idempotencyKeyHeaders, updateRoute } from '../decisions.js';
import { CASE_ERRORS, HttpError } from '../errors.js';
import { decisionNeeds, evidenceRefsSchema, isoDateSchema, nullable, openObjectSchema, responseObject, stringEnum, textSchema } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import { assertRegisteredDepartment, registeredDepartments } from './departments.js';
import type { RouteDeps } from '../deps.js';

/** How far ahead a request for information may set its due date: about six weeks. */
export const INFORMATION_MAX_WORKING_DAYS = 30;

const reviewBodySchema = Type.Object(
  {
    decision: stringEnum(['accept', 'reject', 'request_information', 'verified', 'resolve_objection']),
    reason: Type.Optional(textSchema(2000)),
    category: Type.Optional(categorySchema),
    informationDueOn: Type.Optional(
      Type.String({ ...isoDateSchema, description: `a working day after today, at most ${INFORMATION_MAX_WORKING_DAYS} working days ahead` }),
    ),
    findings: Type.Optional(textSchema(4000)),
    departments: Type.Optional(Type.Array(textSchema(100, { minLength: 1 }), { maxItems: 20 })),
    objectionNo: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    upheld: Type.Optional(Type.Boolean()),
  },
  {
    additionalProperties: false,
    allOf: [
      decisionNeeds('reject', ['reason'], '驳回须说明理由'),
      decisionNeeds('request_information', ['reason', 'informationDueOn'], '要求补充材料须说明缺少哪些材料并给出截止日期'),
      decisionNeeds('verified', ['findings'], '须记录走访核实的情况', 'C-SELF'),
      decisionNeeds('resolve_objection', ['objectionNo', 'upheld', 'reason'], '处理异议须指明异议编号、是否成立及理由'),
    ],
  },
);

const caseEventSchema = responseObject({
  seq: Type.Integer(),
  at: Type.String(),
  actorId: Type.String(),
  actorRole: Type.String(),
  action: Type.String(),
  fromStatus: nullable(Type.String()),
  toStatus: Type.String(),
  reason: nullable(Type.String()),
  clauses: Type.Array(Type.String()),
  details: openObjectSchema,
});

/**
 * A recognition case under way: reading it and its audit trail, and the decisions of its
 * application phase (consent, review, information, opinions).
 */
export function caseRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  const { database } = deps;
  const readCase = caseReader(deps);
  /** A case decision answers the case as its actor may read it after. */
  const decide = updateRoute(caseUpdates(deps, async (request, actor) => caseViewFor(database, actor, (await readCase(caseIdOf(request))).view)));

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

  return async (app) => {
    tagRoutes(app, 'cases');
    app.addHook('preValidation', refuseOtherPartiesCases(database));
    app.post(
      '/cases/:caseId/consent',
      {
        config: { roles: ['household'], stepClause: 'C-REC' },
        schema: {
          summary: "The operator consents to a department's recommendation, or declines it (C-REC)",
          description: 'Consent starts the review; declining closes the case. Unanswered, the recommendation lapses at its due date.',
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: Type.Object({ consent: Type.Boolean(), reason: Type.Optional(textSchema(2000)) }, { additionalProperties: false }),
          response: { 200: caseViewSchema, ...CASE_ERRORS },
        },
      },
      async (request) => decide(request, consentUpdate, (actor) => ({ actor, consent: request.body.consent, reason: request.body.reason })),
    );

    app.get(
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
          response: { 200: caseViewSchema, ...CASE_ERRORS },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { view, source } = await readCase(request.params.caseId);
        assertMayRead(actor, view);
        reply.header(VIEW_SOURCE_HEADER, source);
        return caseViewFor(database, actor, view);
      },
    );

    app.get(
      '/cases/:caseId/events',
      {
        config: { roles: ['household', 'district', 'department', 'city'] },
        schema: {
          summary: "A case's audit trail: who decided what, when and why",
          params: caseIdParams,
          response: { 200: Type.Array(caseEventSchema), ...CASE_ERRORS },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { view, source } = await readCase(request.params.caseId);
        assertMayRead(actor, view);
        const rows = await recordedTrail(database, view, source);
        const withheld = !knowsObjectors(actor);
        return rows.map((r) => ({ ...r, details: r.details as object, at: r.at.toISOString(), ...(withheld && r.action === 'objection_filed' ? ANONYMOUS_OBJECTOR_EVENT : {}) }));
      },
    );

    app.post(
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
          body: reviewBodySchema,
          response: { 200: caseViewSchema, ...CASE_ERRORS },
        },
      },
      async (request) =>
        decide(request, reviewUpdate, async (actor) => {
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
          return command;
        }),
    );

    app.post(
      '/cases/:caseId/information',
      {
        config: { roles: ['household'] },
        schema: {
          summary: 'The household supplies the information its district office asked for',
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: Type.Object({ evidenceRefs: { ...evidenceRefsSchema, minItems: 1 }, note: Type.Optional(textSchema(2000)) }, { additionalProperties: false }),
          response: { 200: caseViewSchema, ...CASE_ERRORS },
        },
      },
      async (request) => decide(request, supplyInformationUpdate, (actor) => ({ actor, evidenceRefs: request.body.evidenceRefs, note: request.body.note })),
    );

    app.post(
      '/cases/:caseId/opinions',
      {
        config: { roles: ['department'] },
        schema: {
          summary: "A consulted department's opinion 征求意见 (C-SELF)",
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: Type.Object({ opinion: stringEnum(['support', 'object']), comment: Type.Optional(textSchema(2000)) }, { additionalProperties: false }),
          response: { 200: caseViewSchema, ...CASE_ERRORS },
        },
      },
      async (request) =>
        decide(request, opinionUpdate, async (actor) => {
          await assertRegisteredDepartment(database, actor, 'C-SELF');
          return { actor, opinion: request.body.opinion, comment: request.body.comment };
        }),
    );
  };
}

/** The fields each decision needs are there: the body's schema requires them (decisionNeeds, 422 before any handler). */
function reviewCommand(actor: Actor, body: Static<typeof reviewBodySchema>): ReviewCommand {
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

