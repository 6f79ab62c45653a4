import { and, asc, eq, inArray, isNull, or, type SQL } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '../../db/client.js';
import { departments } from '../../db/recognition-schema.js';
import type { Actor } from '../../policy/actors.js';
import { DEPARTMENT_LEVELS, validateDepartmentActor, type Department } from '../../policy/departments.js';
import { HttpError, errorResponses } from '../errors.js';
import { districtCodeSchema, nullable, responseObject, stringEnum } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import type { RouteDeps } from '../deps.js';

const departmentSchema = responseObject({
  id: Type.String({ description: "the registry ID a department's token names (claim `department`)" }),
  name: Type.String(),
  level: stringEnum(DEPARTMENT_LEVELS),
  districtCode: nullable(Type.String({ description: "a district-level department's district" })),
});

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
          querystring: Type.Object(
            { districtCode: Type.Optional(districtCodeSchema), level: Type.Optional(stringEnum(DEPARTMENT_LEVELS)) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Array(departmentSchema), ...errorResponses([400, 401], { public: true }) },
        },
      },
      async (request) => {
        const { districtCode, level } = request.query;
        const filters: SQL[] = [];
        if (districtCode !== undefined) filters.push(or(isNull(departments.districtCode), eq(departments.districtCode, districtCode))!);
        if (level !== undefined) filters.push(eq(departments.level, level));
        const rows = await deps.database.db
          .select()
          .from(departments)
          .where(and(...filters))
          .orderBy(asc(departments.level), asc(departments.districtCode), asc(departments.id));
        return rows as Department[];
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
