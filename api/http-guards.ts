/**
 * What every request meets before a route sees it: security headers, rate limits, bounds on the
 * URL and the body, and the answers to a wrong method or media type, all in the API's error shape
 * and in the OpenAPI document.
 */
import { Transform, type Readable } from 'node:stream';
import { AjvCompiler } from '@fastify/ajv-compiler';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions, RouteOptions } from 'fastify';
import { HttpError, errorBody, errorResponseSchema } from './errors.js';

export interface RateLimits {
  /** Requests a minute per authenticated actor (its role and id), whatever the route. */
  perActorPerMinute: number;
  /** Reads (GET, HEAD) a minute per client address without a token. */
  anonymousReadsPerMinute: number;
  /**
   * Writes a minute per client address without a token: the public's objections are the only
   * writes open to anyone, and what they add to a case must stay small.
   */
  anonymousWritesPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perActorPerMinute: 600, anonymousReadsPerMinute: 300, anonymousWritesPerMinute: 10 };

/**
 * A JSON body: the largest decision, with its reasons and evidence at their schema bounds (50
 * references of 200 characters, reasons of 2,000), fits well within this; a string over its own
 * bound still gets the 400 that names it, up to this size.
 */
export const DEFAULT_BODY_LIMIT = 128 * 1024;
/** A feed file uploaded to POST /imports: a city-wide registrations extract is about 150 MB. */
export const CSV_UPLOAD_BODY_LIMIT = 512 * 1024 * 1024;
/** Longer URLs answer 414: no route's path and query need more (a name search is at most a few hundred bytes encoded). */
export const MAX_URL_LENGTH = 2048;
/** A path parameter longer than this answers 414 (a case ID is about 40 characters). */
export const MAX_PARAM_LENGTH = 100;

const READ_METHODS = new Set(['GET', 'HEAD']);
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Same-origin scripts only; inline styles are allowed because antd writes its CSS at run time
 * (CSS-in-JS) and swagger-ui sets style attributes; images and fonts may be data: URLs (the
 * swagger-ui icons). Nothing may frame the pages.
 */
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // The API is served over plain HTTP on a developer's machine; TLS is the reverse proxy's.
  upgradeInsecureRequests: null,
};

/**
 * Fastify's validator coerces types (null to "", 5 to "5"), which a path or a query needs (every
 * value arrives as text) and a JSON body must not have: JSON carries its types, and a body that
 * breaks them is refused. Two validators from the same options, the body's without coercion.
 */
function typedBodyValidators(): NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator'] {
  const forBodies = AjvCompiler();
  const forText = AjvCompiler();
  return (externalSchemas, options) => {
    const body = forBodies(externalSchemas, { ...options, customOptions: { ...options?.customOptions, coerceTypes: false } } as typeof options);
    const text = forText(externalSchemas, options);
    return (route) => (route.httpPart === 'body' ? body : text)(route);
  };
}

/** The server options that bound what Fastify itself reads, answering in the API's error shape. */
export function guardedServerOptions(): Pick<FastifyServerOptions, 'bodyLimit' | 'routerOptions' | 'frameworkErrors' | 'schemaController'> {
  return {
    schemaController: { compilersFactory: { buildValidator: typedBodyValidators() } },
    bodyLimit: DEFAULT_BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router refuses these before any hook runs.
    frameworkErrors: (err, _request, rawReply) => {
      const reply = rawReply as FastifyReply;
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        return reply.status(414).send(errorBody(414, `路径参数过长（最多 ${MAX_PARAM_LENGTH} 个字符），请检查地址`, { field: 'url' }));
      }
      return reply.status(400).send(errorBody(400, '地址无效：请对地址中的特殊字符做百分号编码', { field: 'url' }));
    },
  };
}

/** Registers the guards; call before the authentication hook and the routes, so that they cover every answer. */
export async function installHttpGuards(app: FastifyInstance, limits: RateLimits): Promise<void> {
  // helmet's own middleware, built once: @fastify/helmet built it anew for every request, parsing the policy each time.
  const securityHeaders = helmet({ contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY } });
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)));

  app.addHook('onRequest', async (request) => {
    if (request.url.length > MAX_URL_LENGTH) {
      throw new HttpError(414, `地址过长（最多 ${MAX_URL_LENGTH} 个字符），请缩短查询条件`, { field: 'url' });
    }
  });

  // Only JSON bodies (and the routes' own parsers, such as CSV uploads): anything else is 415.
  app.removeContentTypeParser('text/plain');
  app.addHook('preParsing', async (request, _reply, payload) => boundedBody(request, payload));

  // An answer to a caller with a token, or of a route that needs one, is the caller's own: neither
  // the browser nor a proxy may keep it. Public lookups and the docs, asked without a token, may be cached.
  app.addHook('onSend', async (request, reply) => {
    const open = request.routeOptions.config?.public === true || request.url.startsWith('/docs');
    if (!open || request.headers.authorization !== undefined) reply.header('cache-control', 'no-store');
  });

  await app.register(rateLimit, {
    global: true,
    // After the authentication hook (onRequest), so that a token's actor is the key.
    hook: 'preParsing',
    timeWindow: '1 minute',
    // A route may opt out in its config (the pages' static files): the limiter reads route config when a
    // route is added, before a plugin's own onRoute hook has set it, so it is asked again per request.
    allowList: (request) => request.routeOptions.config?.rateLimit === false,
    keyGenerator: (request) => (request.actor ? `actor:${request.actor.role}:${request.actor.id}` : `address:${request.ip}`),
    max: (request, key) =>
      key.startsWith('actor:')
        ? limits.perActorPerMinute
        : READ_METHODS.has(request.method)
          ? limits.anonymousReadsPerMinute
          : limits.anonymousWritesPerMinute,
    // Every limit counts per minute; the library's `after` is the wait left, in English words.
    errorResponseBuilder: (_request, context) => {
      const retryAfter = Math.max(1, Math.ceil(context.ttl / 1000));
      return new HttpError(429, `请求过于频繁：每分钟最多 ${context.max} 次，请 ${retryAfter} 秒后再试`, { field: 'rateLimit', retryAfter });
    },
  });

  installMethodNotAllowed(app);
  app.addHook('onRoute', documentGuardResponses);
}

/** Fastify checks Content-Length against the route's limit; this also bounds a streamed body (a CSV upload read as it arrives). */
function boundedBody(request: FastifyRequest, payload: Readable): Readable {
  if (READ_METHODS.has(request.method)) return payload;
  const limit = request.routeOptions.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (Number(request.headers['content-length']) > limit) throw tooLarge(limit);
  let received = 0;
  return payload.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(received > limit ? tooLarge(limit) : null, chunk);
      },
    }),
  );
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `请求体过大（此接口最多 ${limit} 字节）`, { field: 'body', limit });
}

/**
 * A known path asked with a method it does not serve answers 405 with `Allow`, not 404: the
 * path exists. Routes are matched by their pattern (`:param` is one segment, `*` the rest).
 */
function installMethodNotAllowed(app: FastifyInstance): void {
  const routes: Array<{ pattern: RegExp; methods: Set<string> }> = [];
  app.addHook('onRoute', (route) => {
    const pattern = routePattern(route.url);
    let known = routes.find((r) => r.pattern.source === pattern.source);
    if (!known) routes.push((known = { pattern, methods: new Set() }));
    for (const method of [route.method].flat()) known.methods.add(method);
  });
  // Answered on arrival, before any body is read: a method such as QUERY would otherwise be refused for its missing body first.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const path = request.url.split('?')[0] ?? '';
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => [...r.methods]))].sort();
    if (allowed.length === 0) throw notFound(request);
    reply.header('allow', allowed.join(', '));
    throw new HttpError(405, `${path} 不支持 ${request.method} 方法，可用：${allowed.join(', ')}`, { field: 'method', allowed });
  });
  app.setNotFoundHandler(async (request) => {
    throw notFound(request);
  });
}

function notFound(request: FastifyRequest): HttpError {
  return new HttpError(404, `没有此地址（${request.method} ${request.url.split('?')[0]}）：平台页面请从首页 / 进入，接口见 /docs`, { field: 'url' });
}

function routePattern(url: string): RegExp {
  const segments = url.split('/').map((segment) => {
    if (segment === '*') return '.*';
    if (segment.startsWith(':')) return '[^/]+';
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${segments.join('/')}$`);
}

/** The answers the guards give, in each operation of the OpenAPI document, so that clients (and the fuzzer) expect them. */
function documentGuardResponses(route: RouteOptions): void {
  if (!route.schema || route.schema.hide) return;
  const response = { ...(route.schema.response as Record<string, unknown> | undefined) };
  const add = (status: number, description: string) => {
    response[status] ??= { ...errorResponseSchema, description };
  };
  add(414, 'the URL (or a path parameter) is too long');
  add(429, 'too many requests from this caller (a token’s actor, or an address without a token); retry after the time in Retry-After');
  if ([route.method].flat().some((method) => BODY_METHODS.has(method))) {
    add(413, 'the body is larger than this operation takes');
    add(415, 'the body is not of a media type this operation takes (application/json unless stated)');
  }
  route.schema = { ...route.schema, response };
}
