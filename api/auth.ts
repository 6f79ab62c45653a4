import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ROLES, missingClaim, type Actor, type Role } from '../policy/actors.js';
import { HttpError } from './errors.js';

/**
 * Signed bearer tokens: base64url(JSON claims) "." base64url(HMAC-SHA256). The claims are
 * the actor (role, district, department or household) and an expiry in epoch seconds.
 */
export interface TokenClaims extends Actor {
  exp: number;
}

export function issueToken(secret: string, actor: Actor, expiresAtSeconds: number): string {
  const payload = Buffer.from(JSON.stringify({ ...actor, exp: expiresAtSeconds })).toString('base64url');
  return `${payload}.${sign(secret, payload)}`;
}

export function verifyToken(secret: string, token: string, nowSeconds: number): Actor {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw unauthorized('malformed bearer token');
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw unauthorized('bearer token signature does not verify');
  }
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    throw unauthorized('bearer token claims are not JSON');
  }
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) throw unauthorized('bearer token has expired');
  if (typeof claims.id !== 'string' || !(ROLES as readonly string[]).includes(claims.role)) {
    throw unauthorized('bearer token names no valid actor');
  }
  const { exp: _exp, ...actor } = claims;
  const missing = missingClaim(actor);
  if (missing) throw unauthorized(`bearer token: ${missing}`);
  return actor;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** Routes anyone may call without a token (health, public lookups, docs). */
    public?: boolean;
    /**
     * The roles that may call the route. They are checked before the request is validated, so
     * that a caller who may not act learns that (403), not what was wrong with its input.
     */
    roles?: readonly Role[];
  }
}

export function installAuthentication(app: FastifyInstance, deps: { secret: string; nowSeconds: () => number }): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    // A path no route serves answers 404 whoever asks.
    if (request.routeOptions.url === undefined) return;
    const header = request.headers.authorization;
    // Public routes take a token when one is sent, so that what the caller did is attributed.
    const isPublic = request.routeOptions.config?.public || request.url.startsWith('/docs');
    if (!header && isPublic) return;
    if (!header?.startsWith('Bearer ')) throw unauthorized('send Authorization: Bearer <token>');
    request.actor = verifyToken(deps.secret, header.slice('Bearer '.length).trim(), deps.nowSeconds());
  });
  app.addHook('preValidation', async (request) => {
    const roles = request.routeOptions.config?.roles;
    if (roles) requireActor(request, roles);
  });
  // Each route's OpenAPI entry says who may call it.
  app.addHook('onRoute', (route) => {
    const roles = route.config?.roles;
    if (!roles || !route.schema) return;
    const who = `May be called by: ${roles.join(', ')}.`;
    route.schema = { ...route.schema, description: route.schema.description ? `${route.schema.description}\n\n${who}` : who };
  });
}

/** The caller of a route with `config.roles`, whose role the pre-validation hook has checked. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthorized('authentication required');
  return request.actor;
}

/** The authenticated actor, who must hold one of `roles`; otherwise 401 or 403. */
function requireActor(request: FastifyRequest, roles: readonly Role[]): Actor {
  const actor = request.actor;
  if (!actor) throw unauthorized('authentication required');
  if (!roles.includes(actor.role)) {
    throw new HttpError(403, `role ${actor.role} may not do this (allowed: ${roles.join(', ')})`, { field: 'role' });
  }
  return actor;
}

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, message, { field: 'authorization' });
}
