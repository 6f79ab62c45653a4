import { and, asc, eq, inArray, isNull, or, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../db/client.js';
import { departments } from '../../db/recognition-schema.js';
import type { Actor } from '../../policy/actors.js';
import { DEPARTMENT_LEVELS, validateDepartmentActor, type Department, type DepartmentLevel } from '../../policy/departments.js';
import type { RouteDeps } from '../app.js';
import { HttpError, errorResponseSchema, rejectedTokenResponseSchema } from '../errors.js';
import { districtCodeSchema } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';

const departmentSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: "the registry ID a department's token names (claim `department`)" },
    name: { type: 'string' },
    level: { type: 'string', enum: DEPARTMENT_LEVELS },
    districtCode: { type: ['string', 'null'], description: "a district-level department's district" },
  },
} as const;

interface DepartmentQuery {
  districtCode?: string;
  level?: DepartmentLevel;
}

export function departmentRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    tagRoutes(app, 'departments');
    app.get(
      '/departments',
      {
        config: { public: true },
        schema: {
          summary: 'The registry of departments 相关部门 that recommend (C-REC), are consulted (C-SELF) and answer X4 (C-EVAL)',
          description:
            'With `districtCode`, the departments a case of that district may consult: the city-level ones and that district’s. With `level`, one level only. Sorted by level (city first), district and ID.',
          security: [],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              districtCode: districtCodeSchema,
              level: { type: 'string', enum: DEPARTMENT_LEVELS },
            },
          },
          response: { 200: { type: 'array', items: departmentSchema }, 400: errorResponseSchema, 401: rejectedTokenResponseSchema },
        },
      },
      async (request) => {
        const { districtCode, level } = request.query;
        const filters: SQL[] = [];
        if (districtCode !== undefined) filters.push(or(isNull(departments.districtCode), eq(departments.districtCode, districtCode))!);
        if (level !== undefined) filters.push(eq(departments.level, level));
        return deps.database.db
          .select()
          .from(departments)
          .where(and(...filters))
          .orderBy(asc(departments.level), asc(departments.districtCode), asc(departments.id));
      },
    );
  };
}

/** The registered departments among `ids` (the unknown ones are simply absent). */
export async function registeredDepartments(database: Database, ids: string[]): Promise<Department[]> {
  if (ids.length === 0) return [];
  const rows = await database.db.select().from(departments).where(inArray(departments.id, ids));
  return rows as Department[];
}

/** A department's token must speak for a registered department, at its level and district; 403 naming the clause otherwise. */
export async function assertRegisteredDepartment(database: Database, actor: Actor, clause: string): Promise<Department> {
  const [registered] = await registeredDepartments(database, actor.department ? [actor.department] : []);
  const refusal = validateDepartmentActor(actor, registered ?? null, clause);
  if (refusal) throw HttpError.fromViolation(refusal);
  return registered!;
}
