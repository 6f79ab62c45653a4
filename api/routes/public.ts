import { Type, type FastifyPluginAsyncTypebox, type TInteger } from '@fastify/type-provider-typebox';
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import { currentTierTrace } from '../../activities/tiering-queries.js';
import { publicityNotices, recognitions } from '../../db/recognition-schema.js';
import { households } from '../../db/schema.js';
import { householdTiers } from '../../db/tiering-schema.js';
import { TIANJIN_DISTRICTS } from '../../policy/districts.js';
import { CATEGORIES, type Category } from '../../policy/recognition-case.js';
import { tierLabel } from '../../policy/tier-labels.js';
import { outcomesOf } from '../../policy/tier-trace.js';
import { TIERS, decideTier, explainTier, type Tier } from '../../policy/tiering.js';
import { TIER_SOURCES, type TierSource } from '../../policy/tiering-run.js';
import { categorySchema } from '../case-schemas.js';
import { errorResponses, HttpError } from '../errors.js';
import { districtCodeOf, districtCodeSchema, nullable, pageProperties, responseObject, stringEnum, textSchema, usccSchema } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import type { RouteDeps } from '../deps.js';

const errors = errorResponses([400, 401, 404], { public: true });

const districtSchema = responseObject({ code: Type.String(), name: nullable(Type.String()) });

function district(code: string): { code: string; name: string | null } {
  return { code, name: TIANJIN_DISTRICTS[code] ?? null };
}

const MIN_QUERY_CHARACTERS = 2;

const searchItemSchema = responseObject({
  uscc: Type.String(),
  name: Type.String(),
  district: districtSchema,
  tier: nullable(Type.String()),
  tierLabel: nullable(Type.String()),
  year: nullable(Type.Integer()),
});

/** Where a household's tier in force came from: the yearly run, a tiering on demand, an upheld objection. */

const lookupSchema = responseObject({
  uscc: Type.String(),
  name: Type.String(),
  district: districtSchema,
  tier: stringEnum(TIERS),
  tierLabel: Type.String(),
  year: Type.Integer(),
  asOf: Type.String({ format: 'date' }),
  source: stringEnum(TIER_SOURCES),
  ruleVersion: Type.String(),
  clauses: Type.String({ description: 'every clause evaluated, + held, - failed, as stored with the tier' }),
  reasons: Type.Array(Type.String()),
  ruleVersionDrift: Type.Boolean({
    description: 'true when the current rules no longer reproduce the stored clauses: reasons are then withheld and clauses stand',
  }),
});

interface SearchRow {
  uscc: string;
  name: string;
  district_code: string;
  tier: string | null;
  year: number | null;
  total: string;
}

/**
 * What anyone may read without a token: a household's tier by name or USCC (T-PUB), the registry
 * of recognitions (C-VALID) and the publicity notices open for objections.
 */
export function publicRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  const { database } = deps;
  return async (app) => {
    tagRoutes(app, 'public');
    app.get(
      '/public/households',
      {
        config: { public: true },
        schema: {
          summary: 'Search households by name, with their current tier (T-PUB)',
          description:
            'Substring match on the registered name (case-insensitive); names that start with the query come first, then by name. At least 2 characters.',
          security: [],
          querystring: Type.Object(
            {
              name: textSchema(100, { minLength: MIN_QUERY_CHARACTERS, description: `part of the name, at least ${MIN_QUERY_CHARACTERS} characters once trimmed (T-PUB)` }),
              districtCode: Type.Optional(districtCodeOf({ description: "only this district's households (a district department finds those it may recommend, C-REC)" })),
              ...pageProperties(20, 100),
            },
            { additionalProperties: false },
          ),
          response: {
            200: responseObject({ page: Type.Integer(), pageSize: Type.Integer(), total: Type.Integer(), items: Type.Array(searchItemSchema) }),
            ...errors,
          },
        },
      },
      async (request) => {
        const { page, pageSize, districtCode } = request.query;
        const query = request.query.name.trim();
        if ([...query].length < MIN_QUERY_CHARACTERS) {
          throw new HttpError(400, `name: search with at least ${MIN_QUERY_CHARACTERS} characters`, { field: 'name', clause: 'T-PUB' });
        }
        const escaped = escapeLike(query);
        const contains = `%${escaped}%`;
        const startsWith = `${escaped}%`;
        const inDistrict = districtCode === undefined ? database.sql`` : database.sql`and district_code = ${districtCode}`;
        // One pass over the matches both counts and ranks them (the trigram index serves the ILIKE);
        // only the page's households are then looked up for their tiers, not every match.
        const rows = await database.sql<SearchRow[]>`
          with page as (
            select uscc, name, district_code, count(*) over () as total
            from households
            where name ilike ${contains} ${inDistrict}
            order by name ilike ${startsWith} desc, name, uscc
            limit ${pageSize} offset ${(page - 1) * pageSize}
          )
          select page.uscc, page.name, page.district_code, t.tier, t.year, page.total
          from page left join household_tiers t on t.uscc = page.uscc
          order by page.name ilike ${startsWith} desc, page.name, page.uscc`;
        let total = Number(rows[0]?.total ?? 0);
        if (rows.length === 0 && page > 1) {
          const [counted] = await database.sql<[{ total: string }]>`
            select count(*) as total from households where name ilike ${contains} ${inDistrict}`;
          total = Number(counted.total);
        }
        return {
          page,
          pageSize,
          total,
          items: rows.map((row) => ({
            uscc: row.uscc,
            name: row.name,
            district: district(row.district_code),
            tier: row.tier,
            tierLabel: row.tier === null ? null : tierLabel(row.tier, deps.unclassifiedLabel),
            year: row.year,
          })),
        };
      },
    );

    app.get(
      '/public/households/:uscc',
      {
        config: { public: true },
        schema: {
          summary: "A household's current tier with the reasons for it (T-PUB)",
          description:
            'The reasons are re-derived from the stored trace with the current rules; when they no longer reproduce the stored clauses (rule version drift), the stored clauses stand and the reasons are withheld.',
          security: [],
          params: Type.Object({ uscc: usccSchema }),
          response: { 200: lookupSchema, ...errors },
        },
      },
      async (request) => {
        const { uscc } = request.params;
        const [row] = await database.db
          .select({
            uscc: households.uscc,
            name: households.name,
            districtCode: households.districtCode,
            tier: householdTiers.tier,
            year: householdTiers.year,
            asOf: householdTiers.asOf,
            source: householdTiers.source,
            ruleVersion: householdTiers.ruleVersion,
            trace: currentTierTrace(),
          })
          .from(households)
          .leftJoin(householdTiers, eq(householdTiers.uscc, households.uscc))
          .where(eq(households.uscc, uscc));
        if (!row) throw new HttpError(404, `no household ${uscc} in the registry`, { field: 'uscc' });
        if (row.tier === null || row.year === null || row.asOf === null || row.trace === null) {
          throw new HttpError(404, `household ${uscc} has not been tiered yet`, { field: 'uscc', clause: 'T-RUN' });
        }
        const stored = row.trace;
        const decision = decideTier(stored.facts, row.asOf, stored.thresholds);
        const rederived = outcomesOf(decision);
        const drift = rederived !== stored.outcomes;
        if (drift) {
          request.log.warn(
            { uscc, ruleVersion: row.ruleVersion, stored: stored.outcomes, rederived },
            'rule version drift: the current rules do not reproduce the stored tier trace; answering with the stored clauses',
          );
        }
        return {
          uscc: row.uscc,
          name: row.name,
          district: district(row.districtCode),
          tier: row.tier as Tier,
          tierLabel: tierLabel(row.tier, deps.unclassifiedLabel),
          year: row.year,
          asOf: row.asOf,
          // A tier row holds both (not null); only the left join types them nullable.
          source: row.source as TierSource,
          ruleVersion: row.ruleVersion!,
          clauses: stored.outcomes,
          reasons: drift ? [] : explainTier(decision),
          ruleVersionDrift: drift,
        };
      },
    );

    app.get(
      '/public/recognitions',
      {
        config: { public: true },
        schema: {
          summary: 'The registry of recognised households (C-VALID): category, validity, status',
          security: [],
          querystring: Type.Object({ ...registryFilters, ...pageProperties(20, 100) }, { additionalProperties: false }),
          response: {
            200: Type.Array(
              responseObject({
                uscc: Type.String(),
                name: Type.String(),
                districtCode: Type.String(),
                districtName: Type.String(),
                category: Type.String(),
                recognisedOn: Type.String(),
                validUntil: Type.String(),
                benefitsFrom: Type.String(),
                status: Type.String(),
                origin: Type.String(),
              }),
            ),
            ...errorResponses([400, 401], { public: true }),
          },
        },
      },
      async (request) => {
        const q = request.query;
        const rows = await database.db
          .select()
          .from(recognitions)
          .where(registryWhere(q))
          .orderBy(desc(recognitions.recognisedOn), asc(recognitions.uscc))
          .limit(q.pageSize)
          .offset((q.page - 1) * q.pageSize);
        return rows.map((r) => ({ ...r, districtName: TIANJIN_DISTRICTS[r.districtCode] ?? r.districtCode }));
      },
    );

    app.get(
      '/public/recognitions/counts',
      {
        config: { public: true },
        schema: {
          summary: 'How many recognitions the registry holds (C-VALID), by category, under the same filters as its list',
          description: 'The totals behind the registry page, which lists a page at a time.',
          security: [],
          querystring: Type.Object(registryFilters, { additionalProperties: false }),
          response: {
            200: responseObject({
              total: Type.Integer(),
              byCategory: responseObject(Object.fromEntries(CATEGORIES.map((category) => [category, Type.Integer()])) as Record<Category, TInteger>),
            }),
            ...errorResponses([400, 401], { public: true }),
          },
        },
      },
      async (request) => {
        const rows = await database.db
          .select({ category: recognitions.category, count: sql<number>`count(*)::int` })
          .from(recognitions)
          .where(registryWhere(request.query))
          .groupBy(recognitions.category);
        const byCategory = Object.fromEntries(CATEGORIES.map((category) => [category, rows.find((row) => row.category === category)?.count ?? 0])) as Record<Category, number>;
        return { total: rows.reduce((sum, row) => sum + row.count, 0), byCategory };
      },
    );

    app.get(
      '/public/publicity',
      {
        config: { public: true },
        schema: {
          summary: 'Publicity notices 信息公示 open for objections now',
          security: [],
          querystring: Type.Object(pageProperties(20, 100), { additionalProperties: false }),
          response: {
            200: Type.Array(
              responseObject({
                caseId: Type.String(),
                uscc: Type.String(),
                name: Type.String(),
                districtCode: Type.String(),
                category: Type.String(),
                publishedOn: Type.String(),
                objectionsUntil: Type.String(),
                objectUrl: Type.String(),
              }),
            ),
            ...errorResponses([400, 401], { public: true }),
          },
        },
      },
      async (request) => {
        const rows = await database.db
          .select()
          .from(publicityNotices)
          .where(eq(publicityNotices.status, 'open'))
          .orderBy(asc(publicityNotices.objectionsUntil), asc(publicityNotices.caseId))
          .limit(request.query.pageSize)
          .offset((request.query.page - 1) * request.query.pageSize);
        return rows.map((r) => ({ ...r, objectUrl: `/publicity/${r.caseId}/objections` }));
      },
    );
  };
}

/** What the registry can be searched by, its list and its counts alike. */
const registryFilters = {
  uscc: Type.Optional(usccSchema),
  name: Type.Optional(textSchema(100, { minLength: 2 })),
  districtCode: Type.Optional(districtCodeSchema),
  category: Type.Optional(categorySchema),
};

function registryWhere(q: { uscc?: string; name?: string; districtCode?: string; category?: string }): SQL | undefined {
  return and(
    q.uscc ? eq(recognitions.uscc, q.uscc) : undefined,
    q.name ? sql`${recognitions.name} ilike ${`%${escapeLike(q.name)}%`}` : undefined,
    q.districtCode ? eq(recognitions.districtCode, q.districtCode) : undefined,
    q.category ? eq(recognitions.category, q.category) : undefined,
  );
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
