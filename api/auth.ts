import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { ROLES, missingClaim, type Actor, type Role } from '../policy/actors.js';
import { HttpError } from './errors.js';

/**
 * Bearer tokens are JWTs (RFC 7519) verified with jose. The actor is in the claims: `sub` is its
 * id, `role`, `districtCode`, `department` and `uscc` what it acts for; `iss`, `aud`, `iat` and
 * `exp` are required and checked, and no token may live longer than `maxLifetimeSeconds`.
 *
 * A deployment trusts one of two signers: its identity provider (OIDC), whose asymmetric keys
 * come from a JWKS URL, or a shared HS256 secret of at least 32 bytes that `npm run token` signs
 * with (the embedded development system, tests). Never both, so that no token signed with one
 * kind of key is checked against the other.
 */
export interface TokenTrust {
  /** HS256 key shared with the token tool. */
  secret?: string;
  /** The identity provider's JSON Web Key Set. */
  jwksUrl?: string;
  issuer: string;
  audience: string;
  maxLifetimeSeconds: number;
  clockToleranceSeconds: number;
}

/** What the token tool's tokens say and how long a token may live, unless a deployment says otherwise. */
export const DEFAULT_TOKEN_TRUST = {
  issuer: 'mingteyouxin',
  audience: 'mingteyouxin-api',
  maxLifetimeSeconds: 12 * 3600,
  clockToleranceSeconds: 30,
} as const satisfies Omit<TokenTrust, 'secret' | 'jwksUrl'>;

/** Below this an HS256 key can be guessed offline from one token (RFC 7518 §3.2: at least the hash size). */
export const MIN_SECRET_BYTES = 32;

/** The asymmetric algorithms an identity provider's keys may sign with; HS* and `none` never come from a JWKS. */
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Why a trust configuration cannot verify tokens, or null when it can. */
export function tokenTrustProblem(trust: Partial<TokenTrust>): string | null {
  if (trust.secret !== undefined && trust.jwksUrl !== undefined) {
    return 'set either AUTH_SECRET (tokens signed by the token tool) or AUTH_JWKS_URL (tokens of the identity provider), not both';
  }
  if (trust.jwksUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(trust.jwksUrl);
    } catch {
      return `AUTH_JWKS_URL must be a URL, got "${trust.jwksUrl}"`;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return `AUTH_JWKS_URL must be an https URL, got "${trust.jwksUrl}"`;
    if (!trust.issuer || !trust.audience) return 'AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE: the issuer and audience the identity provider writes into its tokens';
    return null;
  }
  if (trust.secret === undefined) {
    return 'no way to verify bearer tokens: set AUTH_JWKS_URL (with AUTH_ISSUER and AUTH_AUDIENCE) to trust the identity provider, or AUTH_SECRET to a random string of at least 32 bytes (openssl rand -hex 32)';
  }
  if (Buffer.byteLength(trust.secret) < MIN_SECRET_BYTES) {
    return `AUTH_SECRET must be at least ${MIN_SECRET_BYTES} bytes of random (openssl rand -hex 32), got ${Buffer.byteLength(trust.secret)}`;
  }
  return null;
}

export type TokenVerifier = (token: string, nowSeconds: number) => Promise<Actor>;

/** Verifies tokens as `trust` says; throws when `trust` could verify none (see tokenTrustProblem). */
export function createTokenVerifier(trust: TokenTrust): TokenVerifier {
  const problem = tokenTrustProblem(trust);
  if (problem) throw new Error(problem);
  // The shared secret is imported once: given as bytes, jose imports it again at every request (half its CPU).
  const key: JWTVerifyGetKey | Promise<CryptoKey> = trust.jwksUrl
    ? createRemoteJWKSet(new URL(trust.jwksUrl))
    : crypto.subtle.importKey('raw', new TextEncoder().encode(trust.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const algorithms = trust.jwksUrl ? ASYMMETRIC_ALGORITHMS : ['HS256'];
  return async (token, nowSeconds) => {
    const options: JWTVerifyOptions = {
      issuer: trust.issuer,
      audience: trust.audience,
      algorithms,
      requiredClaims: ['exp', 'iat', 'sub'],
      // An `iat` older than a token may live is refused too, whatever its `exp` says.
      maxTokenAge: trust.maxLifetimeSeconds,
      clockTolerance: trust.clockToleranceSeconds,
      currentDate: new Date(nowSeconds * 1000),
    };
    let claims: JWTPayload;
    try {
      ({ payload: claims } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, await key, options));
    } catch (err) {
      throw refusal(err);
    }
    const lifetime = (claims.exp as number) - (claims.iat as number);
    if (lifetime > trust.maxLifetimeSeconds) {
      throw unauthorized(`令牌有效期过长（exp − iat = ${lifetime} 秒，最多 ${trust.maxLifetimeSeconds} 秒），请换发有效期更短的令牌`);
    }
    return actorOfClaims(claims);
  };
}

/**
 * A token for `actor` signed with the shared secret, valid from `issuedAt` until `expiresAt`
 * (epoch seconds). The compact JWS form (RFC 7515) of HS256 is an HMAC over two base64url parts;
 * signing it synchronously lets scripts and tests build a header inline. jose verifies it.
 */
export function issueToken(
  secret: string,
  actor: Actor,
  times: { issuedAt: number; expiresAt: number },
  trust: { issuer: string; audience: string } = DEFAULT_TOKEN_TRUST,
): string {
  const { id, ...acts } = actor;
  const header = encodePart({ alg: 'HS256', typ: 'JWT' });
  const payload = encodePart({ ...acts, sub: id, iss: trust.issuer, aud: trust.audience, iat: times.issuedAt, exp: times.expiresAt });
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** A token's times: issued at `nowMs` (epoch milliseconds), living `lifetimeSeconds`. */
export function tokenTimes(nowMs: number, lifetimeSeconds: number): { issuedAt: number; expiresAt: number } {
  const issuedAt = Math.floor(nowMs / 1000);
  return { issuedAt, expiresAt: issuedAt + lifetimeSeconds };
}

function encodePart(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The actor a verified token names: `sub` and the role's claims, each of the type it must be. */
function actorOfClaims(claims: JWTPayload): Actor {
  const text = (name: string) => {
    const value = claims[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') throw unauthorized(`令牌的 ${name} 声明必须是非空字符串`);
    return value;
  };
  const id = text('sub');
  const role = claims['role'];
  if (!id || typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    throw unauthorized(`令牌未指明有效的主体：需要 sub 和 role（${ROLES.filter((r) => r !== 'system').join('、')}之一）`);
  }
  const districtCode = text('districtCode');
  const department = text('department');
  const uscc = text('uscc');
  const actor: Actor = {
    id,
    role: role as Role,
    ...(districtCode === undefined ? {} : { districtCode }),
    ...(department === undefined ? {} : { department }),
    ...(uscc === undefined ? {} : { uscc }),
  };
  const missing = missingClaim(actor);
  if (missing) throw unauthorized(`令牌缺少其角色所需的声明：${missing}`);
  return actor;
}

/** Says what is wrong with a token that does not verify; an identity provider out of reach is 503, not the caller's fault. */
function refusal(err: unknown): HttpError {
  if (err instanceof joseErrors.JWTExpired) {
    return err.claim === 'iat'
      ? unauthorized('令牌签发时间（iat）早于允许的最长有效期，请重新获取令牌')
      : unauthorized('令牌已过期（exp），请重新获取令牌');
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return unauthorized(`令牌缺少 ${err.claim} 声明，无法接受；请使用带 ${err.claim} 的令牌`);
    const what: Record<string, string> = {
      iss: '令牌的签发方（iss）不受信任',
      aud: '令牌的受众（aud）不是本系统',
      iat: '令牌的签发时间（iat）在将来',
      nbf: '令牌尚未生效（nbf）',
    };
    return unauthorized(`${what[err.claim] ?? `令牌的 ${err.claim} 声明无效`}，请重新获取令牌`);
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return unauthorized('令牌的签名算法（alg）不被接受');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return unauthorized('令牌签名无法验证');
  if (err instanceof joseErrors.JWKSNoMatchingKey) return unauthorized('身份提供方的密钥集中没有签发此令牌的密钥（kid）');
  // A key set that does not arrive (timeout, not 200, not a JWKS) or a fetch that fails outright.
  const keySetUnavailable =
    err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid || !(err instanceof joseErrors.JOSEError) || err.constructor === joseErrors.JOSEError;
  if (keySetUnavailable) return new HttpError(503, '暂时无法取得身份提供方的密钥集（JWKS），请稍后重试', { field: 'authorization' });
  return unauthorized('令牌格式不正确：需要已签名的 JWT（header.payload.signature）');
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

/** RFC 7235: the scheme name is case-insensitive; one or more spaces separate it from the token. */
const BEARER = /^bearer +(\S+) *$/i;

export function installAuthentication(app: FastifyInstance, deps: { verify: TokenVerifier; nowSeconds: () => number }): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    // A path no route serves answers 404 whoever asks.
    if (request.routeOptions.url === undefined) return;
    const header = request.headers.authorization;
    // Public routes take a token when one is sent, so that what the caller did is attributed.
    const isPublic = request.routeOptions.config?.public || request.url.startsWith('/docs');
    if (!header && isPublic) return;
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (!token) throw unauthorized('请在 Authorization 头中发送 Bearer 令牌（Authorization: Bearer <token>）');
    request.actor = await deps.verify(token, deps.nowSeconds());
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

/** The roles in the words a person reads in a refusal. */
const ROLE_NAMES: Record<Role, string> = {
  household: '个体工商户',
  department: '相关部门',
  district: '区市场监管局',
  city: '市市场监管委',
  public: '社会公众',
  system: '系统',
};

/** The authenticated actor, who must hold one of `roles`; otherwise 401 or 403. */
function requireActor(request: FastifyRequest, roles: readonly Role[]): Actor {
  const actor = request.actor;
  if (!actor) throw unauthorized('authentication required');
  if (!roles.includes(actor.role)) {
    const allowed = roles.map((role) => ROLE_NAMES[role]).join('、');
    throw new HttpError(403, `${ROLE_NAMES[actor.role]}无权办理此事项（可办理的是：${allowed}）；请以有权办理的账号登录`, { field: 'role', allowed: roles });
  }
  return actor;
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, message, { field: 'authorization' });
}
