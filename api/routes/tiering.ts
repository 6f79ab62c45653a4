import { randomUUID } from 'node:crypto';
import {
  WorkflowFailedError,
  isGrpcDeadlineError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { RunStateError, findRun, listRuns, makeRunInForce, runInForce, runningRun, setThresholds, thresholdSetting } from '../../activities/tiering-queries.js';
import type { TieringRunRecord } from '../../activities/tiering-types.js';
import { postgresClientOf } from '../../db/client.js';
import { cstDateOf, isValidIsoDate } from '../../policy/dates.js';
import { TIERS, type Tier } from '../../policy/tiering.js';
import { TIER_HOUSEHOLD_WORKFLOW_TYPE, tierHouseholdWorkflowId, type TierHouseholdInput, type TierHouseholdResult } from '../../workflows/tier-household/contract.js';
import { DEFAULT_CHUNK_CONCURRENCY, DEFAULT_CHUNK_SIZE, MAX_CHUNK_CONCURRENCY, MAX_CHUNK_SIZE, TIERING_RUN_WORKFLOW_TYPE, TIERING_TASK_QUEUE, awaitPreparedUpdate, tieringProgressQuery, tieringRunWorkflowId, type TieringRunInput, type TieringRunProgress } from '../../workflows/tiering-run/contract.js';
import { releaseAbandonedRuns } from '../abandoned-runs.js';
import { actorOf } from '../auth.js';
import { errorResponses, HttpError } from '../errors.js';
import {
  defaulted,
  isoDateSchema,
  nullable,
  openObjectSchema,
  policyBound,
  recordOf,
  responseObject,
  serialIdSchema,
  stringEnum,
  textSchema,
  usccSchema,
} from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import { HOUSEHOLD_NOT_FOUND_ERROR, INVALID_RUN_INPUT_ERROR } from '../../policy/vocabulary.js';
import { TIER_SOURCES, validateRunRequest, validateThresholds } from '../../policy/tiering-run.js';
import type { RouteDeps } from '../deps.js';

const errors = errorResponses([400, 401, 403, 404, 409, 422]);

/** How long the API waits for the tiering worker before answering 503 (the work stays queued). */
const WORKER_ANSWER_MS = 30_000;
const PROGRESS_QUERY_MS = 3_000;

const tierCountsSchema = Type.Object({
  unclassified: Type.Integer(),
  survival: Type.Integer(),
  growth: Type.Integer(),
  development: Type.Integer(),
} satisfies Record<Tier, unknown>);

/** A year's thresholds are stored as numeric(16,2): 14 digits of yuan. */
const MAX_THRESHOLD_YUAN = 99_999_999_999_999;

const thresholdsBodySchema = Type.Object(
  {
    growthRevenueYuan: Type.Number({
      maximum: MAX_THRESHOLD_YUAN,
      ...policyBound({ exclusiveMinimum: 0 }, '须为正数金额（元）', 'T-G1'),
      description: 'T-G1 "一定数额": last year\'s revenue, yuan, at most 2 decimals, below developmentRevenueYuan',
    }),
    developmentRevenueYuan: Type.Number({
      maximum: MAX_THRESHOLD_YUAN,
      ...policyBound({ exclusiveMinimum: 0 }, '须为正数金额（元）', 'T-D1'),
      description: 'T-D1 "较高": last year\'s revenue, yuan, at most 2 decimals, above growthRevenueYuan',
    }),
  },
  { additionalProperties: false },
);

const progressSchema = nullable(
  responseObject(
    {
      phase: stringEnum(['preparing', 'running', 'finalizing', 'applying', 'completed', 'failed', 'refused']),
      households: Type.Integer(),
      processed: Type.Integer(),
      chunksDone: Type.Integer(),
      chunksTotal: Type.Integer(),
      message: nullable(Type.String()),
    },
    {
      description:
        "the workflow's own account while the run is running or its tiers are being applied (null otherwise, or when its worker does not answer)",
    },
  ),
);

const runSchema = Type.Object({
  runId: Type.Integer(),
  year: Type.Integer(),
  version: Type.Integer({ description: 'versions count up per year; a re-run is a new version' }),
  asOf: Type.String({ format: 'date' }),
  thresholds: Type.Optional(
    responseObject({
      growthRevenueYuan: Type.Number(),
      developmentRevenueYuan: Type.Number(),
      source: stringEnum(['request', 'year', 'default'], { description: "the run's request, the year's setting, or the shipped defaults (not policy)" }),
    }),
  ),
  ruleVersion: Type.Optional(Type.String()),
  status: stringEnum(['running', 'completed', 'failed']),
  workflowId: Type.Optional(Type.String()),
  requestedBy: Type.Optional(Type.String()),
  startedAt: Type.Optional(Type.String({ format: 'date-time' })),
  completedAt: Type.Optional(nullable(Type.String({ format: 'date-time' }))),
  households: Type.Optional(
    Type.Integer({
      description: 'households in the registry when the run started that were established by its as-of date (T-RUN: one established later is tiered on demand)',
    }),
  ),
  processed: Type.Optional(Type.Integer({ description: 'households tiered so far' })),
  countsByTier: Type.Optional(nullable(tierCountsSchema)),
  countsByDistrict: Type.Optional(nullable(recordOf(tierCountsSchema, { description: 'tier counts per district code' }))),
  quotaBase: Type.Optional(nullable(Type.Integer({ description: 'growth + development: the base of the recognition cap (C-QUOTA)' }))),
  movements: Type.Optional(
    nullable(
      responseObject({
        previousRun: nullable(
          responseObject(
            { runId: Type.Integer(), year: Type.Integer(), version: Type.Integer() },
            { description: "the previous year's run in force it is compared with" },
          ),
        ),
        moves: recordOf(Type.Integer(), { description: 'households per change of tier, "from>to" ("none>to": not tiered by the previous run)' }),
      }),
    ),
  ),
  inForce: Type.Boolean({ description: 'whether this is the run in force for its year' }),
  tiersAppliedAt: Type.Optional(
    nullable(
      Type.String({
        format: 'date-time',
        description: "when its tiers last became the households' current tiers; null while they are being applied, or if never in force",
      }),
    ),
  ),
  progress: Type.Optional(progressSchema),
});

const thresholdSettingProperties = {
  year: Type.Integer(),
  growthRevenueYuan: Type.Number(),
  developmentRevenueYuan: Type.Number(),
  isDefault: Type.Boolean({ description: 'no setting for the year: the shipped defaults apply, which are not policy' }),
  updatedBy: Type.Optional(nullable(Type.String())),
  updatedAt: Type.Optional(nullable(Type.String({ format: 'date-time' }))),
};

const thresholdSettingSchema = Type.Object(thresholdSettingProperties);

/** PUT's answer: the setting, and whether the year's run in force keeps other thresholds. */
const thresholdsSetSchema = Type.Object({
  ...thresholdSettingProperties,
  runInForce: nullable(
    responseObject(
      { runId: Type.Integer(), version: Type.Integer(), growthRevenueYuan: Type.Number(), developmentRevenueYuan: Type.Number(), message: Type.String() },
      {
        description:
          "the year's run in force, which keeps the thresholds it ran with, as does on-demand tiering of the year (T-RUN: the same " +
          'rules); the new setting applies from the next run of the year. null: no run of the year is in force, and on-demand ' +
          'tiering of the year uses the new setting at once',
      },
    ),
  ),
});

const standingTierSchema = responseObject(
  {
    year: Type.Integer(),
    tier: stringEnum(TIERS),
    // As the tier history stores it (text); the enum tells clients what it holds.
    source: stringEnum(TIER_SOURCES),
    asOf: Type.String({ format: 'date' }),
    runId: nullable(Type.Integer()),
  },
  { description: "the household's current tier, which stays" },
);

const clauseResultSchema = responseObject({ clause: Type.String(), passed: Type.Boolean(), facts: openObjectSchema, reason: Type.String() });

const onDemandResultSchema = responseObject({
  uscc: Type.String(),
  districtCode: Type.String(),
  year: Type.Integer(),
  asOf: Type.String({ format: 'date' }),
  tier: stringEnum(TIERS),
  previousTier: nullable(Type.String()),
  applied: Type.Boolean({
    description:
      "false when the household's current tier stands: a later year's, one of the year decided as of a later date, or an upheld objection's",
  }),
  notApplied: nullable(
    responseObject(
      { reason: Type.String(), standing: standingTierSchema },
      { description: 'why the decision did not become the current tier (audited), and the decision that stands; null when applied' },
    ),
  ),
  ruleVersion: Type.String(),
  thresholds: responseObject({
    growthRevenueYuan: Type.Number(),
    developmentRevenueYuan: Type.Number(),
    isDefault: Type.Boolean(),
    runId: nullable(
      Type.Integer({
        description: "the year's run in force whose thresholds were used (T-RUN: the same rules); null: the year has none, its setting was used",
      }),
    ),
  }),
  outcomes: Type.String({ description: 'every clause evaluated, + held, - failed' }),
  reasons: Type.Array(Type.String(), { description: 'the reasons that decided the tier' }),
  trace: Type.Array(clauseResultSchema),
  decidedBy: Type.String(),
  decidedAt: Type.String({ format: 'date-time' }),
});

const yearParams = Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 9999 }) });

const runIdParams = Type.Object({ runId: serialIdSchema });

export function tieringRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  const { temporal } = deps;
  const sql = postgresClientOf(deps.database.db);
  const today = (): string => cstDateOf(deps.now());
  const nowIso = (): string => new Date(deps.now()).toISOString();

  const withProgress = async (run: TieringRunRecord) => {
    const applying = run.status === 'completed' && run.inForce && run.tiersAppliedAt === null;
    if (run.status !== 'running' && !applying) return { ...run, progress: null };
    return { ...run, progress: await progressOf(temporal.workflow.getHandle(run.workflowId)) };
  };

  return async (app) => {
    tagRoutes(app, 'tiering');
    app.post(
      '/tiering/runs',
      {
        config: { roles: ['city'] },
        schema: {
          summary: 'The city office starts a tiering run for a year and as-of date (T-RUN)',
          description:
            'A new version of the year\'s run; by default it becomes the run in force when it completes. Answers once the run ' +
            'is registered (its ID and version allocated) with 202; follow it at /tiering/runs/{runId}. 409 while another run ' +
            'of the year is running; 400 when asOf is not a date; 422 when it lies in the future or outside the year, or the thresholds ' +
            'are not positive with T-D1 above T-G1. Without thresholds the year\'s setting (or the shipped defaults) applies.',
          body: Type.Object(
            {
              year: Type.Integer(policyBound({ minimum: 2000, maximum: 9999 }, '须为 2000–9999 年', 'T-RUN')),
              asOf: Type.String({ ...isoDateSchema, description: 'YYYY-MM-DD (CST), not after today, within year' }),
              thresholds: Type.Optional(thresholdsBodySchema),
              makeInForce: defaulted(Type.Boolean({ default: true })),
              chunkSize: Type.Optional(
                Type.Integer({
                  minimum: 1,
                  maximum: MAX_CHUNK_SIZE,
                  description: `households per chunk activity (default ${DEFAULT_CHUNK_SIZE.toLocaleString('en')}): a tuning knob, not policy`,
                }),
              ),
              concurrency: Type.Optional(
                Type.Integer({
                  minimum: 1,
                  maximum: MAX_CHUNK_CONCURRENCY,
                  description: `chunk activities, and lanes of the tiers' applying, at a time (default ${DEFAULT_CHUNK_CONCURRENCY}): a tuning knob, not policy`,
                }),
              ),
            },
            { additionalProperties: false },
          ),
          response: {
            202: {
              type: 'object',
              properties: {
                runId: { type: 'integer' },
                workflowId: { type: 'string' },
                year: { type: 'integer' },
                version: { type: 'integer' },
                asOf: { type: 'string', format: 'date' },
                status: { type: 'string' },
              },
            },
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { year, asOf, thresholds, makeInForce, chunkSize, concurrency } = request.body;
        const violation = validateRunRequest({ year, asOf, thresholds }, today());
        if (violation) throw HttpError.fromViolation(violation);
        await releaseAbandonedRuns(deps);
        const running = await runningRun(sql, year);
        if (running) throw runInProgress(year, running.runId);

        const workflowId = tieringRunWorkflowId(year, randomUUID());
        const input: TieringRunInput = { year, asOf, requestedBy: actor, makeInForce: makeInForce ?? true };
        if (thresholds) input.thresholds = thresholds;
        if (chunkSize !== undefined) input.chunkSize = chunkSize;
        if (concurrency !== undefined) input.concurrency = concurrency;
        const handle = await temporal.workflow.start(TIERING_RUN_WORKFLOW_TYPE, {
          taskQueue: TIERING_TASK_QUEUE,
          workflowId,
          args: [input],
        });
        const prepared = await waitForWorker(workflowId, () =>
          temporal.workflow.withDeadline(Date.now() + WORKER_ANSWER_MS, () => handle.executeUpdate(awaitPreparedUpdate)),
        );
        if (prepared.outcome === 'refused') {
          if (prepared.errorType === INVALID_RUN_INPUT_ERROR) throw HttpError.fromViolation(prepared);
          throw runInProgress(year, prepared.runningRunId);
        }
        request.log.info({ runId: prepared.runId, workflowId, actor: actor.id }, 'tiering run started');
        return reply
          .status(202)
          .header('location', `/tiering/runs/${prepared.runId}`)
          .send({ ...prepared, workflowId, status: 'running' });
      },
    );

    app.get(
      '/tiering/runs',
      {
        config: { roles: ['city', 'district'] },
        schema: {
          summary: 'Tiering runs, newest first, with the version in force for each year',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { year: { type: 'integer', minimum: 2000, maximum: 9999 } },
          },
          response: { 200: { type: 'array', items: runSchema }, ...errors },
        },
      },
      async (request) => {
        const runs = await listRuns(sql, request.query.year ?? null);
        return runs.map((run) => ({ ...run, progress: null }));
      },
    );

    app.get(
      '/tiering/runs/:runId',
      {
        config: { roles: ['city', 'district'] },
        schema: {
          summary: 'One tiering run; while it runs, its progress as the workflow reports it',
          params: runIdParams,
          response: { 200: runSchema, ...errors },
        },
      },
      async (request) => {
        const run = await findRun(sql, request.params.runId);
        if (!run) throw new HttpError(404, `no tiering run ${request.params.runId}`, { field: 'runId' });
        return withProgress(run);
      },
    );

    app.post(
      '/tiering/runs/:runId/in-force',
      {
        config: { roles: ['city'] },
        schema: {
          summary: 'The city office makes a completed run the one in force for its year (T-RUN)',
          description:
            "Atomically replaces the year's run in force; its results become the current tier of its households (except " +
            'where a later year, a decision of the year as of a later date or an upheld objection decided), each change recorded ' +
            'in the tier history. Audited on the run\'s trail. ' +
            'On the run already in force it only brings over tiers its workflow could not apply; otherwise repeating it changes nothing.',
          params: runIdParams,
          response: { 200: runSchema, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        try {
          const { run } = await makeRunInForce(sql, request.params.runId, actor, nowIso());
          return { ...run, progress: null };
        } catch (err) {
          if (err instanceof RunStateError) {
            if (err.message.startsWith('no tiering run')) throw new HttpError(404, err.message, { field: 'runId' });
            throw new HttpError(409, err.message, { field: 'runId', clause: 'T-RUN' });
          }
          throw err;
        }
      },
    );

    app.get(
      '/tiering/years/:year',
      {
        config: { roles: ['city', 'district'] },
        schema: {
          summary: "The year's tiering: the run in force with its counts, quota base (C-QUOTA) and movements",
          params: yearParams,
          response: { 200: runSchema, ...errors },
        },
      },
      async (request) => {
        const year = request.params.year;
        const run = await runInForce(sql, year);
        if (run) return { ...run, progress: null };
        const runs = await listRuns(sql, year);
        const message =
          runs.length === 0
            ? `T-RUN: there is no tiering run for ${year}; the city office starts one with POST /tiering/runs`
            : `T-RUN: no run of ${year} is in force (versions ${runs.map((r) => `${r.version} ${r.status}`).join(', ')}); ` +
              'make a completed one in force with POST /tiering/runs/{runId}/in-force';
        throw new HttpError(404, message, { field: 'year', clause: 'T-RUN', runs: runs.map((r) => r.runId) });
      },
    );

    app.get(
      '/tiering/thresholds/:year',
      {
        config: { roles: ['city', 'district'] },
        schema: {
          summary: "The year's T-G1 / T-D1 revenue thresholds, or the shipped defaults (marked, not policy)",
          params: yearParams,
          response: { 200: thresholdSettingSchema, ...errors },
        },
      },
      async (request) => {
        return thresholdSetting(sql, request.params.year);
      },
    );

    app.put(
      '/tiering/thresholds/:year',
      {
        config: { roles: ['city'] },
        schema: {
          summary: "The city office sets the year's T-G1 / T-D1 revenue thresholds",
          description:
            'The policy names no amount ("一定数额", "较高"); each year sets its own, in yuan with at most 2 decimals (422 otherwise). ' +
            'Runs started afterwards use it; a run keeps the thresholds it started with, and on-demand tiering of a year uses ' +
            'those of its run in force (`runInForce` in the answer). The previous values stay in the audit trail.',
          params: yearParams,
          body: thresholdsBodySchema,
          response: { 200: thresholdsSetSchema, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const violation = validateThresholds(request.body);
        if (violation) throw HttpError.fromViolation(violation);
        const { year } = request.params;
        const setting = await setThresholds(sql, year, request.body, actor, nowIso());
        const run = await runInForce(sql, year);
        if (!run) return { ...setting, runInForce: null };
        const { growthRevenueYuan, developmentRevenueYuan } = run.thresholds;
        return {
          ...setting,
          runInForce: {
            runId: run.runId,
            version: run.version,
            growthRevenueYuan,
            developmentRevenueYuan,
            message:
              `T-RUN: run ${run.runId} (version ${run.version}), in force for ${year}, keeps its thresholds ` +
              `${growthRevenueYuan} / ${developmentRevenueYuan} yuan, and on-demand tiering of ${year} uses them too; ` +
              `these apply to the next run of ${year}`,
          },
        };
      },
    );

    app.post(
      '/households/:uscc/tiering',
      {
        config: { roles: ['district', 'city'] },
        schema: {
          summary: "Tiers one household now, with the same rules and thresholds as the year's run in force (T-RUN, on demand)",
          description:
            'For a household registered after the run or whose data were corrected; the thresholds are those of the run in force ' +
            "of the as-of date's year, or the year's setting while it has none. The result becomes its current tier and is " +
            'recorded in its tier history, unless the current tier stands (a later year\'s, one of the year decided as of a later ' +
            'date, an upheld objection\'s): then `applied` is false, `notApplied` says which decision stands, and the refusal is ' +
            'audited. The district office of the household or the city office.',
          params: Type.Object({ uscc: usccSchema }),
          body: nullable(
            Type.Object(
              {
                asOf: Type.Optional(Type.String({ ...isoDateSchema, description: 'YYYY-MM-DD (CST), not after today; default today' })),
                reason: Type.Optional(textSchema(500)),
              },
              { additionalProperties: false },
            ),
          ),
          response: { 200: onDemandResultSchema, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { uscc } = request.params;
        const asOf = request.body?.asOf;
        if (asOf !== undefined) {
          if (!isValidIsoDate(asOf)) throw new HttpError(422, `asOf "${asOf}" is not a valid date (YYYY-MM-DD)`, { field: 'asOf' });
          if (asOf > today()) {
            throw new HttpError(422, `asOf ${asOf} is in the future (today is ${today()}, CST)`, { field: 'asOf', clause: 'T-RUN' });
          }
        }
        const [household] = await sql`select district_code from households where uscc = ${uscc}`;
        if (!household) throw new HttpError(404, `no household ${uscc} in the registry`, { field: 'uscc' });
        if (actor.role === 'district' && actor.districtCode !== household.district_code) {
          throw new HttpError(403, `household ${uscc} belongs to district ${household.district_code as string}`, { field: 'uscc' });
        }
        const input: TierHouseholdInput = { uscc, requestedBy: actor };
        if (asOf !== undefined) input.asOf = asOf;
        if (request.body?.reason) input.reason = request.body.reason;
        const workflowId = tierHouseholdWorkflowId(uscc, randomUUID());
        try {
          return await waitForWorker(workflowId, () =>
            temporal.workflow.withDeadline(Date.now() + WORKER_ANSWER_MS, () =>
              temporal.workflow.execute(TIER_HOUSEHOLD_WORKFLOW_TYPE, { taskQueue: TIERING_TASK_QUEUE, workflowId, args: [input] }),
            ),
          ) as TierHouseholdResult;
        } catch (err) {
          const notFound = err instanceof WorkflowFailedError ? householdNotFound(err.cause) : null;
          if (notFound) throw new HttpError(404, notFound.message, { field: 'uscc' });
          throw err;
        }
      },
    );
  };
}

function runInProgress(year: number, runningRunId: number | null): HttpError {
  return new HttpError(
    409,
    `T-RUN: a tiering run for ${year} is running${runningRunId === null ? '' : ` (run ${runningRunId})`}; one run per year at a time`,
    { field: 'year', clause: 'T-RUN', runId: runningRunId },
  );
}

/**
 * The registry no longer holds the household the route found (removed in between): its activity
 * raises it, so the workflow's failure carries it inside an ActivityFailure.
 */
function householdNotFound(failure: unknown): ApplicationFailure | null {
  const cause = failure instanceof ActivityFailure ? failure.cause : failure;
  return cause instanceof ApplicationFailure && cause.type === HOUSEHOLD_NOT_FOUND_ERROR ? cause : null;
}

async function waitForWorker<T>(workflowId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isGrpcDeadlineError(err)) {
      throw new HttpError(503, `no tiering worker answered within ${WORKER_ANSWER_MS / 1000} s; workflow ${workflowId} stays queued`, {
        workflowId,
      });
    }
    throw err;
  }
}

async function progressOf(handle: WorkflowHandle): Promise<Omit<TieringRunProgress, 'runId' | 'year' | 'version' | 'asOf'> | null> {
  try {
    return await handle.client.withDeadline(Date.now() + PROGRESS_QUERY_MS, () => handle.query(tieringProgressQuery));
  } catch {
    // The worker may be down (it is restarted, the run resumes): the stored counters still answer.
    return null;
  }
}
