import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { eq } from 'drizzle-orm';
import { readEligibilityFacts } from '../../activities/eligibility.js';
import { readTierInForce } from '../../activities/recognition-term.js';
import { households } from '../../db/schema.js';
import { cstDateOf, yearOf } from '../../policy/dates.js';
import { checkEligibility } from '../../policy/eligibility.js';
import {
  OTHER_REGIONS,
  REVOCATION_GROUNDS,
  validateIncomingTransfer,
  type SpotCheckCommand,
} from '../../policy/recognition-term.js';
import {
  annualReportDecisionUpdate,
  annualReportUpdate,
  cancellationUpdate,
  evaluationFindingUpdate,
  liveCaseViewQuery,
  operatorChangeUpdate,
  recognitionCaseId,
  revocationUpdate,
  spotCheckUpdate,
  supplementUpdate,
  transferOutUpdate,
  type RecognitionCaseInput,
  type RecognitionView,
  type TermDecisionAnswer,
} from '../../workflows/recognition-case/contract.js';
import { actorOf } from '../auth.js';
import { householdOfCaseId, refuseOtherPartiesCases } from '../case-scope.js';
import { categorySchema, caseIdParams } from '../case-schemas.js';
import { caseIdOf, caseUpdates, startCase } from '../case-updates.js';
import { idempotencyKeyHeaders, updateRoute } from '../decisions.js';
import { CASE_ERRORS, HttpError } from '../errors.js';
import { recognitionViewSchema } from '../recognition-view-schema.js';
import { caseReader } from '../case-reading.js';
import { decisionNeeds, evidenceRefsSchema, isoDateSchema, responseObject, stringEnum, textSchema, usccSchema } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import { assertRegisteredDepartment } from './departments.js';
import type { RouteDeps } from '../deps.js';

const updated = { 200: recognitionViewSchema, ...CASE_ERRORS };

const reason = textSchema(2000);
const operatorId = textSchema(100, { minLength: 1 });
const reportYear = Type.Integer({ minimum: 2000, maximum: 9999 });

/** The clauses a household moving here recognised elsewhere must still meet (C-XREGION). */
const TRANSFER_CLAUSES = ['T-B1', 'C-ONE-TYPE', 'C-ONE-PERSON'];

/**
 * The recognised phase of a case (RULES.md C-FILE … C-XREGION): each route is an update of the
 * case's workflow, whose validator refuses before anything is written. Who may act is decided
 * there too (a district office only for its district, a household only for itself); the role
 * check here answers the same 403 earlier.
 */
export function recognitionRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  const { temporal, database } = deps;
  const readCase = caseReader(deps);

  /**
   * Sends the route's decision to the request's case, its refusals naming the route's step clause
   * (`config.stepClause`), and answers the recognition as the decision left it: the view of the run
   * that took it (an extension continues the case as new at once); decisions of runs from before
   * small answers named no run, and the case is read as any reader reads it. Only the recognised
   * phase takes these decisions, so the case is a recognition.
   */
  const decide = updateRoute(
    caseUpdates<TermDecisionAnswer, RecognitionView>(deps, async (request, _actor, answer) => {
      const caseId = caseIdOf(request);
      const view = answer.runId ? await temporal.workflow.getHandle(caseId, answer.runId).query(liveCaseViewQuery) : (await readCase(caseId)).view;
      return view as RecognitionView;
    }),
  );

  /**
   * A reported operator must be the one the registry (registrations feed) shows: the change is
   * registered first. (That the household reports for its own case the scope hook has checked.)
   */
  const assertRegisteredOperator = async (caseId: string, newOperatorId: string): Promise<void> => {
    const uscc = householdOfCaseId(caseId)!; // the route's params pattern admits case IDs only
    const [household] = await database.db.select({ operatorId: households.operatorId }).from(households).where(eq(households.uscc, uscc));
    if (household?.operatorId !== newOperatorId) {
      throw new HttpError(422, `C-ANNUAL: the registry does not show ${newOperatorId} as the operator of ${uscc}; register the change of operator first`, {
        field: 'newOperatorId',
        clause: 'C-ANNUAL',
      });
    }
  };

  return async (app) => {
    tagRoutes(app, 'recognitions');
    app.addHook('preValidation', refuseOtherPartiesCases(database));
    app.post(
      '/cases/:caseId/spot-check',
      {
        config: { roles: ['city'], stepClause: 'C-FILE' },
        schema: {
          summary: "The city office's spot check of a filed recognition (C-FILE)",
          description:
            'For a recognition the sampling selected: confirm it, request supplementary material by a date (missing it refuses the recognition), or refuse it with a reason. A refusal in the recognition year frees its place under the quota.',
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: Type.Object(
            { decision: stringEnum(['confirm', 'request_supplement', 'refuse']), reason: Type.Optional(reason), dueOn: Type.Optional(isoDateSchema) },
            { additionalProperties: false, allOf: [decisionNeeds('request_supplement', ['dueOn'], '要求补充材料须给出截止日期', 'C-FILE')] },
          ),
          response: updated,
        },
      },
      async (request) =>
        decide(request, spotCheckUpdate, (actor): SpotCheckCommand => {
          const body = request.body;
          // A supplement's due date is there: the body's schema requires it (decisionNeeds).
          return body.decision === 'request_supplement'
            ? { decision: 'request_supplement', actor, reason: body.reason ?? '', dueOn: body.dueOn! }
            : body.decision === 'refuse'
              ? { decision: 'refuse', actor, reason: body.reason ?? '' }
              : { decision: 'confirm', actor, reason: body.reason };
        }),
    );

    app.post(
      '/cases/:caseId/spot-check/supplement',
      {
        config: { roles: ['household'], stepClause: 'C-FILE' },
        schema: {
          summary: 'The household supplies the material the spot check asked for (C-FILE)',
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: Type.Object({ evidenceRefs: { ...evidenceRefsSchema, minItems: 1 }, note: Type.Optional(reason) }, { additionalProperties: false }),
          response: updated,
        },
      },
      async (request) => decide(request, supplementUpdate, (actor) => ({ actor, evidenceRefs: request.body.evidenceRefs, note: request.body.note })),
    );

    app.post(
      '/cases/:caseId/annual-reports',
      {
        config: { roles: ['household'], stepClause: 'C-ANNUAL' },
        schema: {
          summary: "The household's annual information report, due by 31 July (C-ANNUAL)",
          description:
            'One report per year of validity after the recognition year. A change of operator reported here (its registration already in the registry) is re-checked against C-ONE-PERSON and C-EX2; failing either cancels the recognition.',
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: Type.Object(
            {
              year: reportYear,
              revenue: Type.Optional(Type.Number({ minimum: 0 })),
              employees: Type.Optional(Type.Integer({ minimum: 0 })),
              operatorChanged: Type.Optional(Type.Boolean()),
              newOperatorId: Type.Optional(operatorId),
              note: Type.Optional(reason),
            },
            { additionalProperties: false },
          ),
          response: updated,
        },
      },
      async (request) =>
        decide(request, annualReportUpdate, async (actor) => {
          const body = request.body;
          if (body.operatorChanged && body.newOperatorId) await assertRegisteredOperator(request.params.caseId, body.newOperatorId);
          return { actor, ...body };
        }),
    );

    app.post(
      '/cases/:caseId/annual-reports/:year/decision',
      {
        config: { roles: ['district'], stepClause: 'C-ANNUAL' },
        schema: {
          summary: "The district office's review of an annual report, or its excuse of a missing one (C-ANNUAL)",
          description:
            'accept: the household still meets the base standard; reject (with the reason): it does not, and the recognition is cancelled 取消认定; excuse (with the reason): a missing report does not cancel the recognition. ' +
            'The tier in force is read and recorded with the decision: while it is unclassified (the data say the base standard fails), accepting needs a reason (422, C-ANNUAL).',
          params: Type.Object({ ...caseIdParams.properties, year: reportYear }),
          headers: idempotencyKeyHeaders,
          body: Type.Object({ decision: stringEnum(['accept', 'reject', 'excuse']), reason: Type.Optional(reason) }, { additionalProperties: false }),
          response: updated,
        },
      },
      async (request) =>
        decide(request, annualReportDecisionUpdate, async (actor) => {
          // The route's schema admits only case IDs, each of which names its household.
          const tierInForce = await readTierInForce(database.db, householdOfCaseId(request.params.caseId)!);
          const { decision, reason } = request.body;
          return { actor, year: request.params.year, decision, reason, tierInForce };
        }),
    );

    app.post(
      '/cases/:caseId/operator-change',
      {
        config: { roles: ['household'], stepClause: 'C-ANNUAL' },
        schema: {
          summary: 'The household reports a change of operator, re-checked against C-ONE-PERSON and C-EX2 (C-ANNUAL)',
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: Type.Object({ newOperatorId: operatorId, changedOn: isoDateSchema, note: Type.Optional(reason) }, { additionalProperties: false }),
          response: updated,
        },
      },
      async (request) =>
        decide(request, operatorChangeUpdate, async (actor) => {
          await assertRegisteredOperator(request.params.caseId, request.body.newOperatorId);
          return { actor, ...request.body };
        }),
    );

    app.post(
      '/cases/:caseId/cancellation',
      {
        config: { roles: ['district'], stepClause: 'C-ANNUAL' },
        schema: {
          summary: 'The district office cancels a recognition whose household no longer meets the base standard 取消认定 (C-ANNUAL)',
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: Type.Object({ reason }, { additionalProperties: false }),
          response: updated,
        },
      },
      async (request) => decide(request, cancellationUpdate, (actor) => ({ actor, reason: request.body.reason })),
    );

    app.post(
      '/cases/:caseId/evaluation',
      {
        config: { roles: ['district', 'department'], stepClause: 'C-EVAL' },
        schema: {
          summary: 'A finding of the final-year evaluation (C-EVAL)',
          description:
            'X1 (marked growth, beside the figure read from the feeds) and X2 (a commendation by a government at district level or above) by the district office, with evidence; X4 by the recommending department, for department-recommended recognitions only. X3 is read from the tiering. Any criterion met extends the validity by three years.',
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: Type.Object(
            { criterion: stringEnum(['X1', 'X2', 'X4']), met: Type.Boolean(), evidenceRefs: Type.Optional(evidenceRefsSchema), note: Type.Optional(reason) },
            { additionalProperties: false },
          ),
          response: updated,
        },
      },
      async (request) =>
        decide(request, evaluationFindingUpdate, async (actor) => {
          // X4 is the recommending department's by identity (C-EVAL): its token must speak for a registered department.
          if (actor.role === 'department') await assertRegisteredDepartment(deps.database, actor, 'C-EVAL');
          return { actor, ...request.body, evidenceRefs: request.body.evidenceRefs ?? [] };
        }),
    );

    app.post(
      '/cases/:caseId/revocation',
      {
        config: { roles: ['city', 'district'], stepClause: 'C-REVOKE' },
        schema: {
          summary: 'Revocation 撤销认定 of a recognition obtained by fraud, bribery or concealment (C-REVOKE)',
          description: 'By the city office or the district office of the household. The household may not apply again for five years (C-BAN).',
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: Type.Object({ ground: stringEnum(REVOCATION_GROUNDS), reason, evidenceRefs: Type.Optional(evidenceRefsSchema) }, { additionalProperties: false }),
          response: updated,
        },
      },
      async (request) => decide(request, revocationUpdate, (actor) => ({ actor, ...request.body })),
    );

    app.post(
      '/cases/:caseId/transfer-out',
      {
        config: { roles: ['household', 'district'], stepClause: 'C-XREGION' },
        schema: {
          summary: 'The household moved to Beijing or Hebei, where its recognition stays valid (C-XREGION)',
          description: 'Reported by the household or its district office; the case closes as transferred.',
          params: caseIdParams,
          headers: idempotencyKeyHeaders,
          body: Type.Object(
            { destination: stringEnum(OTHER_REGIONS), movedOn: Type.Optional(isoDateSchema), note: Type.Optional(reason) },
            { additionalProperties: false },
          ),
          response: updated,
        },
      },
      async (request) =>
        decide(request, transferOutUpdate, (actor) => {
          const body = request.body;
          return { actor, destination: body.destination, movedOn: body.movedOn ?? cstDateOf(deps.now()), note: body.note };
        }),
    );

    app.post(
      '/recognitions/transfers',
      {
        config: { roles: ['city'] },
        schema: {
          summary: 'Registers a household recognised in Beijing or Hebei that moved here, with its remaining validity (C-XREGION)',
          description:
            'By the city office. The household must be in the registry, active (T-B1), hold no recognition here (C-ONE-TYPE) and have no other household of its operator in the district recognised (C-ONE-PERSON). Its case starts directly in the recognised phase; it takes no place under the quota and is not spot-checked.',
          body: Type.Object(
            {
              uscc: usccSchema,
              origin: stringEnum(OTHER_REGIONS),
              category: categorySchema,
              recognisedOn: isoDateSchema,
              validUntil: isoDateSchema,
              originRef: textSchema(200, { minLength: 1 }),
            },
            { additionalProperties: false },
          ),
          response: {
            201: responseObject({ caseId: Type.String(), uscc: Type.String(), origin: Type.String(), status: Type.String(), validUntil: Type.String() }),
            ...CASE_ERRORS,
          },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const body = request.body;
        const now = deps.now();
        const today = cstDateOf(now);
        const invalid = validateIncomingTransfer(body, today);
        if (invalid) throw HttpError.fromViolation(invalid);

        const [household] = await database.db.select().from(households).where(eq(households.uscc, body.uscc));
        if (!household) throw new HttpError(422, `C-XREGION: no household ${body.uscc} in the registry`, { field: 'uscc', clause: 'C-XREGION' });
        const year = yearOf(today);
        const facts = await readEligibilityFacts(database.db, { uscc: body.uscc, route: 'self', applicationDate: today, year });
        const results = checkEligibility(facts, deps.eligibilitySettings).results.filter((r) => TRANSFER_CLAUSES.includes(r.clause));
        const failed = results.filter((r) => !r.passed);
        if (failed.length > 0) {
          throw new HttpError(422, `cannot register: ${failed.map((r) => `${r.clause} ${r.reason}`).join(' ')}`, {
            field: 'uscc',
            clause: failed[0]!.clause,
            eligibility: results,
          });
        }

        const caseId = recognitionCaseId(body.uscc, year);
        const input: RecognitionCaseInput = {
          phase: 'recognised',
          start: 'transfer',
          transfer: {
            caseId,
            uscc: body.uscc,
            householdName: household.name,
            districtCode: household.districtCode,
            category: body.category,
            origin: body.origin,
            originRef: body.originRef,
            recognisedOn: body.recognisedOn,
            validUntil: body.validUntil,
            registeredBy: actor,
            registeredAt: new Date(now).toISOString(),
            year,
          },
          tier: await readTierInForce(database.db, body.uscc),
          termSettings: deps.recognitionTermSettings,
        };
        await startCase(deps, caseId, input, { uscc: body.uscc, year });
        request.log.info({ caseId, actor: actor.id, origin: body.origin }, 'incoming transfer registered');
        return reply
          .status(201)
          .header('location', `/cases/${caseId}`)
          .send({ caseId, uscc: body.uscc, origin: body.origin, status: 'recognised', validUntil: body.validUntil });
      },
    );
  };
}
