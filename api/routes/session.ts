import { asc } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { holidayNotices } from '../../db/schema.js';
import { ROLES } from '../../policy/actors.js';
import { actorOf } from '../auth.js';
import { errorResponseSchema, rejectedTokenResponseSchema } from '../errors.js';
import { isoDateSchema, stringEnum } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import type { RouteDeps } from '../deps.js';

export const actorSchema = Type.Object({
  id: Type.String(),
  role: stringEnum(ROLES),
  districtCode: Type.Optional(Type.String()),
  department: Type.Optional(Type.String()),
  uscc: Type.Optional(Type.String()),
});

/**
 * What the pages need to stand on the API alone: who a token speaks for (so a pasted token from
 * the identity provider signs in without the pages reading it), and the holiday notices that
 * count working days, so a due date shows the working days left on the calendar the engine uses.
 */
export function sessionRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    tagRoutes(app, 'system');
    app.get(
      '/session',
      {
        config: { roles: ['household', 'department', 'district', 'city', 'public'] },
        schema: {
          summary: 'The actor the bearer token speaks for',
          response: { 200: actorSchema, 401: errorResponseSchema, 403: errorResponseSchema },
        },
      },
      async (request) => actorOf(request),
    );

    app.get(
      '/calendar/holiday-notices',
      {
        config: { public: true },
        schema: {
          summary: 'The holiday notices that decide working days 工作日 (calendar.md)',
          description: 'A year without a notice counts Monday–Friday.',
          security: [],
          response: {
            200: Type.Array(
              Type.Object({
                year: Type.Integer(),
                notice: Type.String(),
                publishedOn: isoDateSchema,
                daysOff: Type.Array(isoDateSchema),
                makeUpWorkdays: Type.Array(isoDateSchema),
              }),
            ),
            401: rejectedTokenResponseSchema,
          },
        },
      },
      async () => deps.database.db.select().from(holidayNotices).orderBy(asc(holidayNotices.year)),
    );
  };
}
