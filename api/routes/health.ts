import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { rejectedTokenResponseSchema } from '../errors.js';
import { stringEnum } from '../schema-bounds.js';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../unavailable.js';
import { tagRoutes } from '../openapi-tags.js';
import type { RouteDeps } from '../deps.js';

const componentState = stringEnum(['up', 'down']);
const healthSchema = Type.Object({
  status: stringEnum(['ok', 'degraded']),
  database: componentState,
  temporal: componentState,
  trainingSystem: Type.Optional(
    Type.Boolean({ description: 'present, and true, in a training system (npm run training), whose clock the city office moves' }),
  ),
});

export function healthRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    tagRoutes(app, 'system');
    app.get(
      '/health',
      {
        config: { public: true },
        schema: {
          summary: 'Whether PostgreSQL and Temporal answer',
          security: [],
          response: { 200: healthSchema, 401: rejectedTokenResponseSchema, 503: healthSchema },
        },
      },
      async (_request, reply) => {
        const [database, temporal] = await Promise.all([
          probe(() => deps.database.sql`select 1`),
          probe(() => deps.temporal.connection.workflowService.getSystemInfo({})),
        ]);
        const ok = database === 'up' && temporal === 'up';
        if (!ok) reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
        return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', database, temporal, ...(deps.training ? { trainingSystem: true } : {}) });
      },
    );
  };
}

async function probe(check: () => Promise<unknown>): Promise<'up' | 'down'> {
  try {
    await withTimeout(check(), 3000);
    return 'up';
  } catch {
    return 'down';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
