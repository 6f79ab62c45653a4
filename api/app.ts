import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { DEFAULT_ELIGIBILITY_SETTINGS } from '../policy/eligibility.js';
import { DEFAULT_UNCLASSIFIED_LABEL } from '../policy/tier-labels.js';
import { validateUscc } from '../policy/uscc.js';
import { DEFAULT_OBJECTION_SETTINGS } from '../policy/tier-objection.js';
import { RECOGNITION_TASK_QUEUE } from '../workflows/recognition-case/contract.js';
import { DEFAULT_TOKEN_TRUST, createTokenVerifier, installAuthentication } from './auth.js';
import { answerUnreadableRequest, installErrorHandler } from './errors.js';
import { DEFAULT_RATE_LIMITS, guardedServerOptions, installHttpGuards } from './http-guards.js';
import { API_TAGS } from './openapi-tags.js';
import { SCHEMA_VALIDATOR_OPTIONS, USCC_FORMAT } from './schema-bounds.js';
import { answerUnavailableInTime } from './answer-in-time.js';
import { applicationRoutes } from './routes/applications.js';
import { caseRoutes } from './routes/cases.js';
import { departmentRoutes } from './routes/departments.js';
import { worklistRoutes } from './routes/worklist.js';
import { exportRoutes } from './routes/exports.js';
import { healthRoutes } from './routes/health.js';
import { importRoutes } from './routes/imports.js';
import { notificationRoutes } from './routes/notifications.js';
import { objectionRoutes } from './routes/objections.js';
import { publicRoutes } from './routes/public.js';
import { publicityRoutes } from './routes/publicity.js';
import { quotaRoutes } from './routes/quotas.js';
import { recognitionRoutes } from './routes/recognitions.js';
import { demoRoutes } from './routes/demo.js';
import { sessionRoutes } from './routes/session.js';
import { supportMeasureRoutes } from './routes/support-measures.js';
import { tieringRoutes } from './routes/tiering.js';
import { trainingRoutes } from './routes/training.js';
import { installWebPages } from './web-pages.js';
import { DEFAULT_RECOGNITION_TERM_SETTINGS } from '../policy/vocabulary.js';
import type { AppDeps, RouteDeps } from './deps.js';

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
  }).withTypeProvider<TypeBoxTypeProvider>();
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
      // The training and demo groups only where their routes are registered.
      tags: API_TAGS.filter(({ name }) => (name !== 'training' || deps.training) && (name !== 'demo' || demoActors)).map((tag) => ({ ...tag })),
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transformObject: (document) => withOptionalBodies('openapiObject' in document ? document.openapiObject : document.swaggerObject),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(healthRoutes(routeDeps));
  await app.register(applicationRoutes(routeDeps));
  await app.register(caseRoutes(routeDeps));
  await app.register(publicityRoutes(routeDeps));
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
