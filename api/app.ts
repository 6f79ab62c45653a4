import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { Database } from '../db/client.js';
import { DEFAULT_ELIGIBILITY_SETTINGS, type EligibilitySettings } from '../policy/eligibility.js';
import type { CaseSettings } from '../policy/recognition-case.js';
import { DEFAULT_RECOGNITION_TERM_SETTINGS, type RecognitionTermSettings } from '../policy/recognition-term.js';
import { DEFAULT_UNCLASSIFIED_LABEL } from '../policy/tier-labels.js';
import { DEFAULT_OBJECTION_SETTINGS, type ObjectionSettings } from '../policy/tier-objection.js';
import { RECOGNITION_TASK_QUEUE } from '../workflows/recognition-case/contract.js';
import { installAuthentication } from './auth.js';
import { HttpError, answerUnreadableRequest, installErrorHandler } from './errors.js';
import { SCHEMA_VALIDATOR_OPTIONS } from './schema-bounds.js';
import { answerUnavailableInTime } from './unavailable.js';
import { caseRoutes } from './routes/cases.js';
import { departmentRoutes } from './routes/departments.js';
import { worklistRoutes } from './routes/worklist.js';
import { exportRoutes } from './routes/exports.js';
import { healthRoutes } from './routes/health.js';
import { importRoutes } from './routes/imports.js';
import { notificationRoutes } from './routes/notifications.js';
import { objectionRoutes } from './routes/objections.js';
import { publicRoutes } from './routes/public.js';
import { quotaRoutes } from './routes/quotas.js';
import { recognitionRoutes } from './routes/recognitions.js';
import { supportMeasureRoutes } from './routes/support-measures.js';
import { tieringRoutes } from './routes/tiering.js';

export interface AppDeps {
  database: Database;
  temporal: Client;
  authSecret: string;
  caseSettings: CaseSettings;
  /** The recognised phase's settings (spot-check rate, report grace…), fixed in each new case. */
  recognitionTermSettings?: RecognitionTermSettings;
  /** The application window (C-CYCLE); tests that run on any date of the year widen it. */
  eligibilitySettings?: EligibilitySettings;
  /** Working days the city office has to answer an objection to a tier (T-OBJ), and the reminder. */
  objectionSettings?: ObjectionSettings;
  /** How the public lookup names the unclassified tier (RULES.md: a display setting). */
  unclassifiedLabel?: string;
  /** The directory server-side feed imports must come from (IMPORT_DIR); without one, feeds arrive as uploads only. */
  importDir?: string | null;
  /** Epoch milliseconds; tests may fix it. */
  now?: () => number;
  /**
   * Whether a decision carries the wall-clock time by which a worker must take it (api/decisions.ts).
   * Off only on a time-skipping test server, whose clock runs ahead of the wall clock.
   */
  decisionsExpire?: boolean;
  /** Where new cases are queued; tests give each worker its own. */
  taskQueue?: string;
  logger?: FastifyServerOptions['logger'];
}

export type RouteDeps = Required<Omit<AppDeps, 'logger'>>;

export async function buildApp(deps: AppDeps) {
  const routeDeps: RouteDeps = { now: Date.now, taskQueue: RECOGNITION_TASK_QUEUE, eligibilitySettings: DEFAULT_ELIGIBILITY_SETTINGS, recognitionTermSettings: DEFAULT_RECOGNITION_TERM_SETTINGS, objectionSettings: DEFAULT_OBJECTION_SETTINGS, unclassifiedLabel: DEFAULT_UNCLASSIFIED_LABEL, importDir: null, decisionsExpire: true, ...deps };
  // A new case keeps the day its year's recognitions are done by, as it keeps its other settings (C-CYCLE).
  routeDeps.caseSettings = { ...routeDeps.caseSettings, recognitionsDoneBy: routeDeps.eligibilitySettings.recognitionsDoneBy };
  const app = Fastify({ logger: deps.logger ?? false, ajv: { customOptions: { removeAdditional: false, ...SCHEMA_VALIDATOR_OPTIONS } }, clientErrorHandler: answerUnreadableRequest });
  installErrorHandler(app);
  answerUnavailableInTime(app, deps.temporal);
  installAuthentication(app, { secret: deps.authSecret, nowSeconds: () => Math.floor(routeDeps.now() / 1000) });
  // Limits are set per route (`config.rateLimit`), where the public can add to what others read.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new HttpError(429, `请求过于频繁，请在${context.after}后重试。`, { field: 'rateLimit', retryAfter: context.after }),
  });
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
  await app.register(departmentRoutes(routeDeps));
  await app.register(recognitionRoutes(routeDeps));
  await app.register(worklistRoutes(routeDeps));
  await app.register(quotaRoutes(routeDeps));
  await app.register(publicRoutes(routeDeps));
  await app.register(exportRoutes(routeDeps));
  await app.register(objectionRoutes(routeDeps));
  await app.register(supportMeasureRoutes(routeDeps));
  await app.register(tieringRoutes(routeDeps));
  await app.register(importRoutes(routeDeps));
  await app.register(notificationRoutes(routeDeps));
  return app;
}
