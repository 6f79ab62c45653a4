import { and, eq, gte, inArray, lte } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import { recognitions } from '../../db/recognition-schema.js';
import { households } from '../../db/schema.js';
import { householdTiers, supportMeasures } from '../../db/tiering-schema.js';
import { cstDateOf } from '../../policy/dates.js';
import { tierLabel } from '../../policy/tier-labels.js';
import { actorOf } from '../auth.js';
import { errorResponses, HttpError, rejectedTokenResponseSchema } from '../errors.js';
import { nullable, responseObject, stringEnum, usccSchema } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import type { RouteDeps } from '../deps.js';

const errors = errorResponses([400, 401, 403, 404]);

/** Catalogue order: what every tier gets, each tier, then what recognised households get and each category. */
const APPLIES_TO_ORDER = [
  'tiered',
  'survival',
  'growth',
  'development',
  'recognised',
  'renowned',
  'distinctive',
  'quality',
  'emerging',
] as const;

const measureSchema = responseObject({
  id: Type.String(),
  appliesTo: stringEnum(APPLIES_TO_ORDER),
  clause: stringEnum(['T-AID', 'C-AID']),
  measure: Type.String(),
  departments: Type.Array(Type.String()),
  withoutApplication: Type.Boolean({ description: '免申即享: the departments deliver it without an application' }),
});

type Measure = typeof supportMeasures.$inferSelect;

/** A catalogue row as answered: its group and clause are among those the catalogue is seeded with. */
function measureOf(row: Measure): Static<typeof measureSchema> {
  return { ...row, appliesTo: row.appliesTo as (typeof APPLIES_TO_ORDER)[number], clause: row.clause as 'T-AID' | 'C-AID' };
}

function catalogueOrder(a: Measure, b: Measure): number {
  const byGroup =
    APPLIES_TO_ORDER.indexOf(a.appliesTo as (typeof APPLIES_TO_ORDER)[number]) -
    APPLIES_TO_ORDER.indexOf(b.appliesTo as (typeof APPLIES_TO_ORDER)[number]);
  return byGroup !== 0 ? byGroup : a.id.localeCompare(b.id);
}

/** Support measures by tier (T-AID, annex 1 §4) and by 名特优新 category (C-AID, annex 2 §6). */
export function supportMeasureRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  const { database } = deps;
  return async (app) => {
    tagRoutes(app, 'support-measures');
    app.get(
      '/support-measures',
      {
        config: { public: true },
        schema: {
          summary: 'The whole catalogue of support measures (T-AID, C-AID)',
          security: [],
          response: { 200: Type.Array(measureSchema), 401: rejectedTokenResponseSchema },
        },
      },
      async () => (await database.db.select().from(supportMeasures)).sort(catalogueOrder).map(measureOf),
    );

    app.get(
      '/households/:uscc/support-measures',
      {
        config: { roles: ['household', 'district', 'city'] },
        schema: {
          summary: 'The support measures that apply to a household now (T-AID, C-AID)',
          description:
            "From the household's current tier: the measures of every tier and of its own (none for an unclassified household). " +
            'A 名特优新 household whose recognition is in force (benefits from 1 January after recognition, until it expires) gets ' +
            'every growth and development measure and those of recognised households and of its category (C-AID).',
          params: Type.Object({ uscc: usccSchema }),
          response: {
            200: responseObject({
              uscc: Type.String(),
              tier: Type.String(),
              tierLabel: Type.String(),
              year: Type.Integer(),
              recognition: nullable(responseObject({ category: Type.String(), benefitsFrom: Type.String(), validUntil: Type.String() })),
              measures: Type.Array(measureSchema),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { uscc } = request.params;
        const [household] = await database.db
          .select({ districtCode: households.districtCode, tier: householdTiers.tier, year: householdTiers.year })
          .from(households)
          .leftJoin(householdTiers, eq(householdTiers.uscc, households.uscc))
          .where(eq(households.uscc, uscc));
        if (!household) throw new HttpError(404, `no household ${uscc} in the registry`, { field: 'uscc' });
        const mayRead =
          actor.role === 'city' ||
          (actor.role === 'district' && actor.districtCode === household.districtCode) ||
          (actor.role === 'household' && actor.uscc === uscc);
        if (!mayRead) throw new HttpError(403, "this household's measures are not yours to read", { field: 'uscc' });
        if (household.tier === null || household.year === null) {
          throw new HttpError(404, `household ${uscc} has not been tiered yet`, { field: 'uscc', clause: 'T-AID' });
        }

        const today = cstDateOf(deps.now());
        const [recognition] = await database.db
          .select({ category: recognitions.category, benefitsFrom: recognitions.benefitsFrom, validUntil: recognitions.validUntil })
          .from(recognitions)
          .where(
            and(
              eq(recognitions.uscc, uscc),
              eq(recognitions.status, 'recognised'),
              lte(recognitions.benefitsFrom, today),
              gte(recognitions.validUntil, today),
            ),
          );
        const groups = new Set<string>();
        if (household.tier !== 'unclassified') groups.add('tiered').add(household.tier);
        if (recognition) groups.add('tiered').add('growth').add('development').add('recognised').add(recognition.category);
        const measures =
          groups.size === 0
            ? []
            : await database.db.select().from(supportMeasures).where(inArray(supportMeasures.appliesTo, [...groups]));
        return {
          uscc,
          tier: household.tier,
          tierLabel: tierLabel(household.tier, deps.unclassifiedLabel),
          year: household.year,
          recognition: recognition ?? null,
          measures: measures.sort(catalogueOrder).map(measureOf),
        };
      },
    );
  };
}
