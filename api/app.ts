import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { Database } from '../db/client.js';
import type { CaseSettings } from '../policy/recognition-case.js';
import { RECOGNITION_TASK_QUEUE } from '../workflows/recognition-case/contract.js';
import { installAuthentication } from './auth.js';
import { installErrorHandler } from './errors.js';
import { caseRoutes } from './routes/cases.js';
import { healthRoutes } from './routes/health.js';

export interface AppDeps {
  database: Database;
  temporal: Client;
  authSecret: string;
  caseSettings: CaseSettings;
  /** Epoch milliseconds; tests may fix it. */
  now?: () => number;
  /** Where new cases are queued; tests give each worker its own. */
  taskQueue?: string;
  logger?: FastifyServerOptions['logger'];
}

export type RouteDeps = Required<Omit<AppDeps, 'logger'>>;

export async function buildApp(deps: AppDeps) {
  const routeDeps: RouteDeps = { now: Date.now, taskQueue: RECOGNITION_TASK_QUEUE, ...deps };
  const app = Fastify({ logger: deps.logger ?? false, ajv: { customOptions: { removeAdditional: false } } });
  installErrorHandler(app);
  installAuthentication(app, { secret: deps.authSecret, nowSeconds: () => Math.floor(routeDeps.now() / 1000) });
  await app.register(swagger, {
    openapi: {
      info: {
        title: '名特优新 case engine',
        description:
          'Tiering and 名特优新 recognition of individual businesses (津市场监管政务〔2024〕9号). ' +
          'Errors are `{ error, message, details }`; details name the field and the clause (RULES.md) at fault.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(healthRoutes(routeDeps));
  await app.register(caseRoutes(routeDeps));
  return app;
}
