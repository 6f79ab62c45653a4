import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { CompactSign, SignJWT, UnsecuredJWT, exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { DEFAULT_TOKEN_TRUST, issueToken, tokenTimes, type TokenTrust } from '../../api/auth.js';
import type { Database } from '../../db/client.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { testDatabase } from '../support/stack.js';

const ISSUER = 'https://sso.example.test/realms/scjg';
const AUDIENCE = 'mingteyouxin-api';
const CITY_CLAIMS = { role: 'city' };
const now = () => Math.floor(Date.now() / 1000);

/** A real JWKS endpoint, as an identity provider serves it, with the keys its tokens are signed with. */
let jwksServer: Server;
let jwksUrl: string;
let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
let ec: { privateKey: CryptoKey; publicKey: CryptoKey };
let database: Database;
let app: FastifyInstance;

beforeAll(async () => {
  rsa = await generateKeyPair('RS256', { extractable: true });
  ec = await generateKeyPair('ES256', { extractable: true });
  const keys: JWK[] = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  jwksServer = createServer((request, response) => {
    if (request.url !== '/protocol/openid-connect/certs') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/protocol/openid-connect/certs`;
  database = testDatabase();
  app = await appTrusting({ ...DEFAULT_TOKEN_TRUST, jwksUrl, issuer: ISSUER, audience: AUDIENCE });
});

afterAll(async () => {
  await app?.close();
  await database?.close();
  await new Promise((resolve) => jwksServer?.close(resolve));
});

function appTrusting(tokenTrust: TokenTrust) {
  return buildApp({ database, temporal: new Client(), tokenTrust, caseSettings: DEFAULT_CASE_SETTINGS });
}

/** A token of the identity provider: its key, its issuer and the API's audience unless said otherwise. */
function providerToken(claims: JWTPayload, options: { key?: 'rsa' | 'ec'; issuedAt?: number; expiresAt?: number | null; issuer?: string; audience?: string } = {}) {
  const [key, alg, kid] = options.key === 'ec' ? [ec.privateKey, 'ES256', 'ec-1'] : [rsa.privateKey, 'RS256', 'rsa-1'];
  const jwt = new SignJWT({ sub: 'city-officer-7', ...claims })
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(options.issuedAt ?? now());
  if (options.expiresAt !== null) jwt.setExpirationTime(options.expiresAt ?? now() + 300);
  return jwt.sign(key);
}

const listImports = (target: FastifyInstance, authorization: string) => target.inject({ method: 'GET', url: '/imports', headers: { authorization } });

async function refusal(token: string, target = app) {
  const response = await listImports(target, `Bearer ${token}`);
  return { status: response.statusCode, body: response.json() };
}

describe('tokens of an identity provider, verified against its JWKS', () => {
  it.each(['rsa', 'ec'] as const)('takes a %s-signed token with the actor in its claims, whatever the case of "Bearer"', async (key) => {
    const token = await providerToken(CITY_CLAIMS, { key });
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const response = await listImports(app, `${scheme} ${token}`);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it.each([
    ['another audience', () => providerToken(CITY_CLAIMS, { audience: 'another-api' }), /受众（aud）/],
    ['another issuer', () => providerToken(CITY_CLAIMS, { issuer: 'https://evil.example.test' }), /签发方（iss）/],
    ['an expired token', () => providerToken(CITY_CLAIMS, { issuedAt: now() - 600, expiresAt: now() - 60 }), /已过期（exp）/],
    ['a token living longer than 12 hours', () => providerToken(CITY_CLAIMS, { expiresAt: now() + 13 * 3600 }), /有效期过长/],
    ['a token issued in the future', () => providerToken(CITY_CLAIMS, { issuedAt: now() + 3600, expiresAt: now() + 7200 }), /签发时间（iat）在将来/],
    ['a token without exp', () => providerToken(CITY_CLAIMS, { expiresAt: null }), /缺少 exp 声明/],
    ['a token without a role', () => providerToken({}), /sub 和 role/],
    ['a district token without its district', () => providerToken({ role: 'district' }), /a district office acts for a Tianjin district/],
    ['the system role', () => providerToken({ role: 'system' }), /the system role is the workflows' own/],
    ['an unsigned token (alg none)', async () => new UnsecuredJWT({ sub: 'x', ...CITY_CLAIMS }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('5m').encode(), /签名算法（alg）不被接受/],
    [
      'an HS256 token keyed with the public key (algorithm confusion)',
      async () => {
        const pem = await exportSPKI(rsa.publicKey);
        return new SignJWT({ sub: 'x', ...CITY_CLAIMS }).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(pem));
      },
      /签名算法（alg）不被接受/,
    ],
    [
      'a key the provider does not publish',
      async () => {
        const stranger = await generateKeyPair('RS256');
        return new SignJWT({ sub: 'x', ...CITY_CLAIMS }).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt().setExpirationTime('5m').sign(stranger.privateKey);
      },
      /签名无法验证/,
    ],
    [
      'a signed null payload',
      async () => new CompactSign(new TextEncoder().encode('null')).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(rsa.privateKey),
      /令牌格式不正确/,
    ],
    ['no JWT at all', async () => 'not-a-token', /令牌格式不正确/],
  ])('answers 401 to %s, saying why', async (_case, make, reason) => {
    const { status, body } = await refusal(await make());
    expect(status).toBe(401);
    expect(body).toMatchObject({ error: 'Unauthorized', message: expect.stringMatching(reason), details: { field: 'authorization' } });
  });

  it('answers 503 while the key set cannot be fetched, not 401: the token may be good', async () => {
    const unreachable = await appTrusting({ ...DEFAULT_TOKEN_TRUST, jwksUrl: `${jwksUrl}-moved`, issuer: ISSUER, audience: AUDIENCE });
    try {
      const { status, body } = await refusal(await providerToken(CITY_CLAIMS), unreachable);
      expect(status).toBe(503);
      expect(body).toMatchObject({ message: expect.stringMatching(/JWKS/), details: { field: 'authorization' } });
    } finally {
      await unreachable.close();
    }
  });
});

describe('tokens of the token tool, signed with the shared secret', () => {
  const SECRET = 'a-shared-secret-of-at-least-thirty-two-bytes';
  let secretApp: FastifyInstance;
  beforeAll(async () => {
    secretApp = await appTrusting({ ...DEFAULT_TOKEN_TRUST, secret: SECRET });
  });
  afterAll(() => secretApp?.close());

  it("takes the tool's token and a token jose signs with the same secret: the format is the standard one both ways", async () => {
    const ours = issueToken(SECRET, { id: 'city-1', role: 'city' }, tokenTimes(Date.now(), 600));
    const jose = await new SignJWT({ sub: 'city-1', ...CITY_CLAIMS })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(DEFAULT_TOKEN_TRUST.issuer)
      .setAudience(DEFAULT_TOKEN_TRUST.audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(SECRET));
    for (const token of [ours, jose]) expect((await listImports(secretApp, `Bearer ${token}`)).statusCode).toBe(200);
  });

  it('refuses an expiry of 1e300, another secret, and an RS256 token, which a secret never verifies', async () => {
    const forever = issueToken(SECRET, { id: 'city-1', role: 'city' }, { issuedAt: now(), expiresAt: 1e300 });
    expect(await refusal(forever, secretApp)).toMatchObject({ status: 401, body: { message: expect.stringMatching(/有效期过长/) } });
    const forged = issueToken('another-secret-of-at-least-thirty-two-bytes', { id: 'city-1', role: 'city' }, tokenTimes(Date.now(), 600));
    expect(await refusal(forged, secretApp)).toMatchObject({ status: 401, body: { message: expect.stringMatching(/签名无法验证/) } });
    const provider = await providerToken(CITY_CLAIMS, { issuer: DEFAULT_TOKEN_TRUST.issuer, audience: DEFAULT_TOKEN_TRUST.audience });
    expect(await refusal(provider, secretApp)).toMatchObject({ status: 401, body: { message: expect.stringMatching(/签名算法（alg）不被接受/) } });
  });

  it.each([
    ['no way to verify tokens', {}, /no way to verify bearer tokens: set AUTH_JWKS_URL .* or AUTH_SECRET/],
    ['an empty secret', { secret: '' }, /AUTH_SECRET must be at least 32 bytes .* got 0/],
    ['a short secret', { secret: 'dev-secret-change-me' }, /AUTH_SECRET must be at least 32 bytes .* got 20/],
    ['both a secret and a JWKS', { secret: SECRET, jwksUrl: 'https://sso.example.test/certs' }, /either AUTH_SECRET .* or AUTH_JWKS_URL .* not both/],
    ['a JWKS without its issuer', { jwksUrl: 'https://sso.example.test/certs', issuer: '' }, /AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE/],
  ])('refuses to build the API with %s', async (_case, trust, reason) => {
    await expect(appTrusting({ ...DEFAULT_TOKEN_TRUST, ...trust })).rejects.toThrow(reason);
  });
});
