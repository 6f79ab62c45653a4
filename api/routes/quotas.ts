import { and, eq } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { QuotaNotSet, createYearQuota, readYearQuota, type YearQuotaView } from '../../activities/quota.js';
import type { Db } from '../../db/client.js';
import { tieringRuns } from '../../db/tiering-schema.js';
import type { Actor } from '../../policy/actors.js';
import { actorOf } from '../auth.js';
import { CASE_ERRORS, HttpError } from '../errors.js';
import { nullable } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import type { RouteDeps } from '../deps.js';


const counterProperties = {
  cap: Type.Integer({ description: 'places the year allows' }),
  used: Type.Integer({ description: 'places held by recognitions' }),
  free: Type.Integer(),
  waiting: Type.Integer({ description: 'cases that passed publicity and wait for a place' }),
};

const yearQuotaSchema = Type.Object({
  year: Type.Integer(),
  rate: Type.Number({ description: 'C-QUOTA: share of growth + development households' }),
  tieringRunId: Type.Integer({ description: 'the tiering run the caps were computed from' }),
  runInForceId: nullable(Type.Integer({ description: "the year's tiering run in force now; the caps stay as first set even when it differs" })),
  city: Type.Object(counterProperties),
  districts: Type.Array(Type.Object({ districtCode: Type.String(), districtName: nullable(Type.String()), ...counterProperties })),
});

const yearParams = Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 9999 }) });

export function quotaRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  const { db } = deps.database;

  return async (app) => {
    tagRoutes(app, 'quotas');
    app.get(
      '/quotas/:year',
      {
        config: { roles: ['city', 'district'] },
        schema: {
          summary: "The year's recognition quota (C-QUOTA): caps, places used, cases waiting",
          description:
            'The city office sees every district and the city-wide row; a district office sees its own district and the city-wide row.',
          params: yearParams,
          response: { 200: yearQuotaSchema, ...CASE_ERRORS },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const year = request.params.year;
        const quota = await readYearQuota(db, year);
        if (!quota) throw await quotaNotFound(db, year);
        return visibleTo(actor, quota);
      },
    );

    app.post(
      '/quotas/:year',
      {
        config: { roles: ['city'] },
        schema: {
          summary: "The city office sets the year's recognition quota from the tiering run in force (C-QUOTA)",
          description:
            '5% of growth + development households, rounded down, split between districts in proportion to theirs ' +
            '(largest remainders). Set once: 409 when the year already has its quota. The first recognition of the year ' +
            'sets it too, if the city office has not.',
          params: yearParams,
          response: { 201: yearQuotaSchema, ...CASE_ERRORS },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const year = request.params.year;
        const set = await createYearQuota(db, year, actor, new Date(deps.now())).catch((err: unknown) => {
          if (err instanceof QuotaNotSet) throw new HttpError(422, err.message, { field: 'year', clause: 'C-QUOTA' });
          throw err;
        });
        if (!set.created) {
          throw new HttpError(409, `C-QUOTA: the ${year} quota is already set (from tiering run ${set.tieringRunId}); caps are set once a year`, {
            field: 'year',
            clause: 'C-QUOTA',
          });
        }
        request.log.info({ actor: actor.id, year, tieringRunId: set.tieringRunId, cityCap: set.cityCap }, 'recognition quota set (C-QUOTA)');
        const quota = (await readYearQuota(db, year))!;
        return reply.status(201).header('location', `/quotas/${year}`).send(quota);
      },
    );
  };
}

function visibleTo(actor: Actor, quota: YearQuotaView): YearQuotaView {
  if (actor.role === 'city') return quota;
  return { ...quota, districts: quota.districts.filter((d) => d.districtCode === actor.districtCode) };
}

async function quotaNotFound(db: Db, year: number): Promise<HttpError> {
  const [inForce] = await db
    .select({ id: tieringRuns.id })
    .from(tieringRuns)
    .where(and(eq(tieringRuns.year, year), eq(tieringRuns.inForce, true)));
  const message = inForce
    ? `C-QUOTA: no recognition quota has been set for ${year} yet; tiering run ${inForce.id} is in force, and the city office ` +
      `(POST /quotas/${year}) or the year's first recognition sets it`
    : `C-QUOTA: no recognition quota has been set for ${year} because no tiering run of ${year} is in force ` +
      `(C-CYCLE: recognition opens after the year's tiering run)`;
  return new HttpError(404, message, { field: 'year', clause: 'C-QUOTA' });
}
