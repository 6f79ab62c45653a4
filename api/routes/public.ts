import { eq } from 'drizzle-orm';
import type { FastifyPluginAsync } from 'fastify';
import { currentTierTrace } from '../../activities/tiering-queries.js';
import { households } from '../../db/schema.js';
import { householdTiers } from '../../db/tiering-schema.js';
import { TIANJIN_DISTRICTS } from '../../policy/districts.js';
import { tierLabel } from '../../policy/tier-labels.js';
import { outcomesOf } from '../../policy/tier-trace.js';
import { TIERS, decideTier, explainTier } from '../../policy/tiering.js';
import { validateUscc } from '../../policy/uscc.js';
import type { RouteDeps } from '../app.js';
import { HttpError, errorResponseSchema, rejectedTokenResponseSchema } from '../errors.js';
import { pageNumberSchema, textSchema, usccSchema } from '../schema-bounds.js';

const errors = { 400: errorResponseSchema, 401: rejectedTokenResponseSchema, 404: errorResponseSchema } as const;

const districtSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, name: { type: ['string', 'null'] } },
} as const;

function district(code: string): { code: string; name: string | null } {
  return { code, name: TIANJIN_DISTRICTS[code] ?? null };
}

const MIN_QUERY_CHARACTERS = 2;

const searchItemSchema = {
  type: 'object',
  properties: {
    uscc: { type: 'string' },
    name: { type: 'string' },
    district: districtSchema,
    tier: { type: ['string', 'null'] },
    tierLabel: { type: ['string', 'null'] },
    year: { type: ['integer', 'null'] },
  },
} as const;

const lookupSchema = {
  type: 'object',
  properties: {
    uscc: { type: 'string' },
    name: { type: 'string' },
    district: districtSchema,
    tier: { type: 'string', enum: TIERS },
    tierLabel: { type: 'string' },
    year: { type: 'integer' },
    asOf: { type: 'string', format: 'date' },
    source: { type: 'string', enum: ['run', 'on_demand', 'objection'] },
    ruleVersion: { type: 'string' },
    clauses: { type: 'string', description: 'every clause evaluated, + held, - failed, as stored with the tier' },
    reasons: { type: 'array', items: { type: 'string' } },
    ruleVersionDrift: {
      type: 'boolean',
      description: 'true when the current rules no longer reproduce the stored clauses: reasons are then withheld and clauses stand',
    },
  },
} as const;

interface SearchRow {
  uscc: string;
  name: string;
  district_code: string;
  tier: string | null;
  year: number | null;
  total: string;
}

/** T-PUB: anyone may look a household's tier up by name or USCC, without a token. */
export function publicRoutes(deps: RouteDeps): FastifyPluginAsync {
  const { database } = deps;
  return async (app) => {
    app.get<{ Querystring: { name: string; page: number; pageSize: number } }>(
      '/public/households',
      {
        config: { public: true },
        schema: {
          summary: 'Search households by name, with their current tier (T-PUB)',
          description:
            'Substring match on the registered name (case-insensitive); names that start with the query come first, then by name. At least 2 characters.',
          security: [],
          querystring: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: {
              name: textSchema(100, { minLength: MIN_QUERY_CHARACTERS, description: `part of the name, at least ${MIN_QUERY_CHARACTERS} characters once trimmed (T-PUB)` }),
              page: pageNumberSchema,
              pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                page: { type: 'integer' },
                pageSize: { type: 'integer' },
                total: { type: 'integer' },
                items: { type: 'array', items: searchItemSchema },
              },
            },
            ...errors,
          },
        },
      },
      async (request) => {
        const { page, pageSize } = request.query;
        const query = request.query.name.trim();
        if ([...query].length < MIN_QUERY_CHARACTERS) {
          throw new HttpError(400, `name: search with at least ${MIN_QUERY_CHARACTERS} characters`, { field: 'name', clause: 'T-PUB' });
        }
        const escaped = query.replace(/[\\%_]/g, '\\$&');
        const contains = `%${escaped}%`;
        const startsWith = `${escaped}%`;
        // One pass over the matches both counts and ranks them; the trigram index serves the ILIKE.
        const rows = await database.sql<SearchRow[]>`
          select h.uscc, h.name, h.district_code, t.tier, t.year, count(*) over () as total
          from households h left join household_tiers t on t.uscc = h.uscc
          where h.name ilike ${contains}
          order by h.name ilike ${startsWith} desc, h.name, h.uscc
          limit ${pageSize} offset ${(page - 1) * pageSize}`;
        let total = Number(rows[0]?.total ?? 0);
        if (rows.length === 0 && page > 1) {
          const [counted] = await database.sql<[{ total: string }]>`
            select count(*) as total from households where name ilike ${contains}`;
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

    app.get<{ Params: { uscc: string } }>(
      '/public/households/:uscc',
      {
        config: { public: true },
        schema: {
          summary: "A household's current tier with the reasons for it (T-PUB)",
          description:
            'The reasons are re-derived from the stored trace with the current rules; when they no longer reproduce the stored clauses (rule version drift), the stored clauses stand and the reasons are withheld.',
          security: [],
          params: { type: 'object', required: ['uscc'], properties: { uscc: usccSchema } },
          response: { 200: lookupSchema, ...errors },
        },
      },
      async (request) => {
        const { uscc } = request.params;
        const valid = validateUscc(uscc);
        if (!valid.ok) throw new HttpError(400, `uscc: ${valid.reason}`, { field: 'uscc', rule: 'GB 32100-2015' });
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
          tier: row.tier,
          tierLabel: tierLabel(row.tier, deps.unclassifiedLabel),
          year: row.year,
          asOf: row.asOf,
          source: row.source,
          ruleVersion: row.ruleVersion,
          clauses: stored.outcomes,
          reasons: drift ? [] : explainTier(decision),
          ruleVersionDrift: drift,
        };
      },
    );
  };
}
