import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { Database } from '../db/client.js';
import { DEFAULT_ELIGIBILITY_SETTINGS, type EligibilitySettings } from '../policy/eligibility.js';
import type { CaseSettings } from '../policy/recognition-case.js';
import { DEFAULT_RECOGNITION_TERM_SETTINGS, type RecognitionTermSettings } from '../policy/recognition-term.js';
import { DEFAULT_UNCLASSIFIED_LABEL } from '../policy/tier-labels.js';
import { validateUscc } from '../policy/uscc.js';
import { DEFAULT_OBJECTION_SETTINGS, type ObjectionSettings } from '../policy/tier-objection.js';
import { RECOGNITION_TASK_QUEUE } from '../workflows/recognition-case/contract.js';
import { DEFAULT_TOKEN_TRUST, createTokenVerifier, installAuthentication, type TokenTrust } from './auth.js';
import { answerUnreadableRequest, installErrorHandler } from './errors.js';
import { DEFAULT_RATE_LIMITS, guardedServerOptions, installHttpGuards, type RateLimits } from './http-guards.js';
import { SCHEMA_VALIDATOR_OPTIONS, USCC_FORMAT } from './schema-bounds.js';
import { answerUnavailableInTime } from './answer-in-time.js';
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
import { demoRoutes, type DemoActor } from './routes/demo.js';
import { sessionRoutes } from './routes/session.js';
import { supportMeasureRoutes } from './routes/support-measures.js';
import { tieringRoutes } from './routes/tiering.js';
import { trainingRoutes, type TrainingClock } from './routes/training.js';
import { installWebPages } from './web-pages.js';

export interface AppDeps {
  database: Database;
  temporal: Client;
  /** How bearer tokens are verified: the identity provider's JWKS or the token tool's secret (api/auth.ts). */
  tokenTrust?: TokenTrust;
  /** Shorthand for tokenTrust: tokens of the token tool signed with this secret, default issuer, audience and lifetime. */
  authSecret?: string;
  /** Requests a minute per actor and per address without a token; routes may set their own (config.rateLimit). */
  rateLimits?: RateLimits;
  /** Fastify's trustProxy: which proxies' X-Forwarded-For names the client whose address rate limits count. */
  trustProxy?: FastifyServerOptions['trustProxy'];
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
  /** Epoch milliseconds; tests may fix it. A training system's is its clock's. */
  now?: () => number;
  /** A training system's clock (npm run training): its routes, and a mark on every answer. */
  training?: TrainingClock | null;
  /**
   * Whether a decision carries the wall-clock time by which a worker must take it (api/decisions.ts).
   * Off only on a time-skipping test server, whose clock runs ahead of the wall clock (so off in a training system).
   */
  decisionsExpire?: boolean;
  /** Where new cases are queued; tests give each worker its own. */
  taskQueue?: string;
  logger?: FastifyServerOptions['logger'];
  /** The built pages (web/dist) to serve at `/`; without it the API serves no pages. */
  webRoot?: string | null;
  /** Development only: the actors the login page lets anyone sign in as. Never given in a deployment. */
  demoActors?: readonly DemoActor[] | null;
}

export type RouteDeps = Required<Omit<AppDeps, 'logger' | 'tokenTrust' | 'authSecret' | 'rateLimits' | 'trustProxy' | 'webRoot' | 'demoActors'>>;

export async function buildApp(deps: AppDeps) {
  const { tokenTrust, authSecret, rateLimits, trustProxy, logger, webRoot, demoActors, ...given } = deps;
  const routeDeps: RouteDeps = { now: deps.training ? () => deps.training!.now() : Date.now, training: null, taskQueue: RECOGNITION_TASK_QUEUE, eligibilitySettings: DEFAULT_ELIGIBILITY_SETTINGS, recognitionTermSettings: DEFAULT_RECOGNITION_TERM_SETTINGS, objectionSettings: DEFAULT_OBJECTION_SETTINGS, unclassifiedLabel: DEFAULT_UNCLASSIFIED_LABEL, importDir: null, decisionsExpire: !deps.training, ...given };
  // A new case keeps the day its year's recognitions are done by, as it keeps its other settings (C-CYCLE).
  routeDeps.caseSettings = { ...routeDeps.caseSettings, recognitionsDoneBy: routeDeps.eligibilitySettings.recognitionsDoneBy };
  // Refuses to build without a way to verify tokens: there is no built-in secret.
  const trust = tokenTrust ?? { ...DEFAULT_TOKEN_TRUST, ...(authSecret === undefined ? {} : { secret: authSecret }) };
  const verify = createTokenVerifier(trust);
  const app = Fastify({
    logger: logger ?? false,
    ajv: { customOptions: { removeAdditional: false, ...SCHEMA_VALIDATOR_OPTIONS, formats: { [USCC_FORMAT]: (value: string) => validateUscc(value).ok } } },
    clientErrorHandler: answerUnreadableRequest,
    trustProxy: trustProxy ?? false,
    ...guardedServerOptions(),
  });
  installErrorHandler(app);
  answerUnavailableInTime(app, deps.temporal);
  // Rate limits for every route, a route's own in its `config.rateLimit` (api/http-guards.ts).
  await installHttpGuards(app, rateLimits ?? DEFAULT_RATE_LIMITS);
  // A token lives in real time: a training clock moved years ahead must not expire the trainees' tokens.
  const tokenNow = () => (deps.training ? Date.now() : routeDeps.now());
  installAuthentication(app, { verify, nowSeconds: () => Math.floor(tokenNow() / 1000) });
  if (deps.training) app.addHook('onSend', async (_request, reply) => void reply.header('x-training-system', '1'));
  await app.register(swagger, {
    openapi: {
      // 3.1: its schemas are the JSON Schema the routes validate with (a numeric exclusiveMinimum, type arrays with null).
      openapi: '3.1.0',
      info: {
        title: '名特优新 case engine',
        description:
          'Tiering and 名特优新 recognition of individual businesses (津市场监管政务〔2024〕9号). ' +
          'Errors are `{ error, message, details }`; details name the field and the clause (RULES.md) at fault.',
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transformObject: (document) => withOptionalBodies('openapiObject' in document ? document.openapiObject : document.swaggerObject),
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
  if (deps.training) await app.register(trainingRoutes(routeDeps, deps.training));
  await app.register(sessionRoutes(routeDeps));
  if (demoActors) await app.register(demoRoutes(tokenNow, demoActors, trust));
  if (webRoot) await installWebPages(app, webRoot);
  return app;
}

type OpenApiDocument = {
  paths?: Record<string, Record<string, { requestBody?: { required?: boolean; content?: Record<string, { schema?: { type?: unknown; nullable?: boolean } }> } }>>;
};

/**
 * @fastify/swagger marks every request body required, but a route whose body schema admits null
 * takes a request without one (Fastify reads the missing body as null): the document says so.
 */
function withOptionalBodies<Document>(document: Document): Document {
  for (const operations of Object.values((document as OpenApiDocument).paths ?? {})) {
    for (const operation of Object.values(operations)) {
      const body = operation.requestBody;
      const schema = body?.content?.['application/json']?.schema;
      // OpenAPI 3.0 writes a type that admits null as `nullable`.
      if (body && schema && (schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes('null')))) body.required = false;
    }
  }
  return document;
}
