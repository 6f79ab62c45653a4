import { and, asc, desc, eq, lte, or, sql, type SQL } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { cases } from '../../db/schema.js';
import type { Actor } from '../../policy/actors.js';
import { cstDateOf } from '../../policy/dates.js';
import { CASE_STATUSES } from '../../policy/recognition-case.js';
import { RECOGNITION_ROUTES } from '../../policy/recognition-term.js';
import { actorOf } from '../auth.js';
import { categorySchema } from '../case-schemas.js';
import { HttpError, errorResponses } from '../errors.js';
import { districtCodeSchema, isoDateSchema, nullable, pageProperties, responseObject, stringEnum, usccSchema } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import type { RouteDeps } from '../deps.js';

const errors = errorResponses([400, 401, 403]);

const caseSummaries = Type.Array(
  responseObject({
    caseId: Type.String(),
    uscc: Type.String(),
    householdName: Type.String(),
    year: Type.Integer(),
    category: Type.String(),
    districtCode: Type.String(),
    status: Type.String(),
    waitingFor: nullable(Type.String()),
    dueOn: nullable(Type.String()),
    overdue: Type.Boolean(),
    updatedAt: Type.String(),
  }),
);

const pageQuery = Type.Object(pageProperties(20, 100), { additionalProperties: false });

/** The roles a case may wait for (the worklists'). */
const CASE_WAITING_ROLES = ['household', 'department', 'district', 'city'] as const;

/**
 * The inbox Temporal alone does not give: the cases waiting for the caller's role, overdue
 * first, and a search over the case projection, both scoped to what the caller may see.
 */
export function worklistRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  const { db } = deps.database;

  // Overdue first, then the nearest due date; cases without a due date last.
  const dueFirst = [sql`${cases.dueOn} is null`, asc(cases.dueOn), desc(cases.updatedAt)];
  const summaries = async (where: SQL | undefined, pageNo: number, pageSize: number, today: string, order: SQL[] = dueFirst) => {
    const rows = await db
      .select(SUMMARY_COLUMNS)
      .from(cases)
      .where(where)
      .orderBy(...order)
      .limit(pageSize)
      .offset((pageNo - 1) * pageSize);
    return rows.map((r) => summaryOf(r, today));
  };

  return async (app) => {
    tagRoutes(app, 'cases');
    app.get(
      '/worklist',
      {
        config: { roles: ['district', 'department', 'household', 'city'] },
        schema: {
          summary: 'Cases waiting for the caller: a district office its district’s, a department those it was consulted on and the evaluations of those it recommended, a household its own',
          querystring: pageQuery,
          response: { 200: caseSummaries, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const today = cstDateOf(deps.now());
        return summaries(worklistScope(actor), request.query.page, request.query.pageSize, today);
      },
    );

    app.get(
      '/cases',
      {
        config: { roles: ['district', 'department', 'city'] },
        schema: {
          summary: 'Search cases by status, district, category, year, due date, whom they wait for and how they came (district offices see their district only, departments the cases they recommended)',
          querystring: Type.Object(
            {
              status: Type.Optional(stringEnum(CASE_STATUSES)),
              districtCode: Type.Optional(districtCodeSchema),
              category: Type.Optional(categorySchema),
              year: Type.Optional(Type.Integer({ minimum: 2024, maximum: 2100 })),
              dueBefore: Type.Optional(isoDateSchema),
              waitingFor: Type.Optional(stringEnum(CASE_WAITING_ROLES, { description: "whose move the case waits for (a recognition waiting for the city office: its spot check, C-FILE)" })),
              route: Type.Optional(stringEnum(RECOGNITION_ROUTES, { description: 'how the case came: self-application, department recommendation (C-REC), mutual recognition (C-XREGION)' })),
              ...pageProperties(20, 100),
            },
            { additionalProperties: false },
          ),
          response: { 200: caseSummaries, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const q = request.query;
        const ownDistrict = actor.role === 'city' ? undefined : actor.districtCode;
        if (ownDistrict !== undefined && q.districtCode && q.districtCode !== ownDistrict) {
          const searcher = actor.role === 'district' ? 'a district office' : 'a district department';
          throw new HttpError(403, `${searcher} searches its own district (${ownDistrict})`, { field: 'districtCode' });
        }
        const district = ownDistrict ?? q.districtCode;
        const where = and(
          actor.role === 'department' ? recommendedBy(actor.department ?? '') : undefined,
          q.status ? eq(cases.status, q.status) : undefined,
          district ? eq(cases.districtCode, district) : undefined,
          q.category ? eq(cases.category, q.category) : undefined,
          q.year ? eq(cases.year, q.year) : undefined,
          q.dueBefore ? lte(cases.dueOn, q.dueBefore) : undefined,
          q.waitingFor ? eq(cases.waitingFor, q.waitingFor) : undefined,
          q.route ? eq(cases.route, q.route) : undefined,
        );
        return summaries(where, q.page, q.pageSize, cstDateOf(deps.now()));
      },
    );

    app.get(
      '/households/:uscc/cases',
      {
        config: { roles: ['household', 'district', 'city'] },
        schema: {
          summary: "A household's cases, whatever they wait for, newest first (a household its own, a district office its district's)",
          params: Type.Object({ uscc: usccSchema }),
          querystring: pageQuery,
          response: { 200: caseSummaries, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const { uscc } = request.params;
        if (actor.role === 'household' && actor.uscc !== uscc) {
          throw new HttpError(403, 'C-SELF：只能查看本户的认定事项，请检查统一社会信用代码', { field: 'uscc', clause: 'C-SELF' });
        }
        const ownDistrict = actor.role === 'district' ? eq(cases.districtCode, actor.districtCode ?? '') : undefined;
        const newestFirst = [desc(cases.createdAt), asc(cases.caseId)];
        return summaries(and(eq(cases.uscc, uscc), ownDistrict), request.query.page, request.query.pageSize, cstDateOf(deps.now()), newestFirst);
      },
    );
  };
}

/** What a summary shows, and of the case's whole view only the household's name: a list reads no view whole. */
const SUMMARY_COLUMNS = {
  caseId: cases.caseId,
  uscc: cases.uscc,
  householdName: sql<string>`${cases.view}->>'householdName'`,
  year: cases.year,
  category: cases.category,
  districtCode: cases.districtCode,
  status: cases.status,
  waitingFor: cases.waitingFor,
  dueOn: cases.dueOn,
  updatedAt: cases.updatedAt,
};

function summaryOf<Row extends { dueOn: string | null; updatedAt: Date }>(row: Row, today: string) {
  return { ...row, overdue: row.dueOn !== null && row.dueOn < today, updatedAt: row.updatedAt.toISOString() };
}

function worklistScope(actor: Actor): SQL | undefined {
  switch (actor.role) {
    case 'district':
      return and(eq(cases.waitingFor, 'district'), eq(cases.districtCode, actor.districtCode ?? ''));
    case 'household':
      return and(eq(cases.uscc, actor.uscc ?? ''), eq(cases.waitingFor, 'household'));
    case 'department': {
      const department = actor.department ?? '';
      // Consulted and not answered yet (C-SELF), or the final-year evaluation of a recognition it
      // recommended waits for its X4 answer (C-EVAL): the view holds all of it.
      const consulted = and(
        eq(cases.waitingFor, 'department'),
        sql`${cases.view}->'consultedDepartments' ? ${department}`,
        sql`not exists (select 1 from jsonb_array_elements(${cases.view}->'opinions') o where o->>'department' = ${department})`,
      );
      const evaluationAwaitsX4 = and(
        eq(cases.status, 'recognised'),
        sql`${cases.view}->>'recommendingDepartment' = ${department}`,
        sql`${cases.view}->'evaluation'->>'openedAt' is not null`,
        sql`jsonb_typeof(${cases.view}->'extension') is distinct from 'object'`,
        sql`not exists (select 1 from jsonb_array_elements(${cases.view}->'evaluation'->'findings') f where f->>'criterion' = 'X4')`,
      );
      return and(or(consulted, evaluationAwaitsX4), actor.districtCode === undefined ? undefined : eq(cases.districtCode, actor.districtCode));
    }
    default:
      // The city office supervises: escalated and overdue cases of every district.
      return sql`${cases.waitingFor} is not null`;
  }
}

/** The cases a department recommended (C-REC), before and after recognition. */
function recommendedBy(department: string): SQL {
  return sql`coalesce(${cases.view}->'recommendation'->>'department', ${cases.view}->>'recommendingDepartment') = ${department}`;
}
