import { Readable } from 'node:stream';
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { DEFAULT_BODY_LIMIT, MAX_URL_LENGTH } from '../../api/http-guards.js';
import type { Database } from '../../db/client.js';
import type { Actor } from '../../policy/actors.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { testDatabase } from '../support/stack.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'http-guards-test-secret-with-at-least-32-bytes';
const city: Actor = { id: 'city-guards', role: 'city' };
const bearer = bearerFor(SECRET, Date.now, 600);
const errorShape = (error: string, field: string) => ({ error, message: expect.any(String), details: expect.objectContaining({ field }) });

let database: Database;
let app: FastifyInstance;
/** The same API with small limits, so that a test reaches them in a few requests. */
let limited: FastifyInstance;

beforeAll(async () => {
  database = testDatabase();
  const deps = { database, temporal: new Client(), authSecret: SECRET, caseSettings: DEFAULT_CASE_SETTINGS };
  app = await buildApp(deps);
  limited = await buildApp({ ...deps, rateLimits: { perActorPerMinute: 3, anonymousReadsPerMinute: 3, anonymousWritesPerMinute: 2 } });
  // A route with its own, tighter limit, as the public objection routes set theirs.
  limited.post('/probe', { config: { public: true, rateLimit: { max: 1, timeWindow: '1 minute' } } }, async () => ({ ok: true }));
  // A write open to anyone, with no limit of its own: the global ones apply.
  limited.post('/anonymous-write', { config: { public: true }, schema: { body: { type: 'object', required: ['reason'] } } }, async () => ({ ok: true }));
  // An upload read as a stream, as POST /imports reads a CSV file, with a small limit of its own.
  await limited.register(async (scope) => {
    scope.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));
    scope.post('/upload', { bodyLimit: 16, config: { public: true } }, async (request) => {
      let bytes = 0;
      for await (const chunk of request.body as Readable) bytes += (chunk as Buffer).length;
      return { bytes };
    });
  });
});
afterAll(async () => {
  await app?.close();
  await limited?.close();
  await database?.close();
});

describe('security headers', () => {
  it('gives /docs a content security policy that lets swagger-ui run from its own files only', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("style-src 'self' 'unsafe-inline'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('upgrade-insecure-requests');
    // Every script the page loads is served from /docs, which the policy allows.
    const scripts = [...page.body.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const served = await app.inject({ method: 'GET', url: new URL(script!, 'http://api/docs/').pathname });
      expect(served.statusCode).toBe(200);
      // Not an empty 200: swagger-ui's own files, whole.
      expect(served.body.length, script).toBeGreaterThan(100);
    }
    expect(page.body).not.toMatch(/<script>(?!\s*<\/script>)/);
  });

  it('sends nosniff, no framing and no caching of an authenticated answer; a public answer without a token may be cached', async () => {
    const own = await app.inject({ method: 'GET', url: '/imports', headers: bearer(city) });
    expect(own.statusCode).toBe(200);
    expect(own.headers).toMatchObject({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN' });
    const refused = await app.inject({ method: 'GET', url: '/imports', headers: { authorization: 'Bearer nonsense' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['cache-control']).toBe('no-store');
    const withoutToken = await app.inject({ method: 'GET', url: '/imports' });
    expect(withoutToken.statusCode).toBe(401);
    expect(withoutToken.headers['cache-control']).toBe('no-store');
    const publicWithToken = await app.inject({ method: 'GET', url: '/support-measures', headers: bearer(city) });
    expect(publicWithToken.headers['cache-control']).toBe('no-store');
    const measures = await app.inject({ method: 'GET', url: '/support-measures' });
    expect(measures.statusCode).toBe(200);
    expect(measures.headers['cache-control']).toBeUndefined();
    expect(measures.headers['content-security-policy']).toBeDefined();
  });
});

describe('bounds and refusals in the error shape', () => {
  it('answers 405 with Allow to a known path asked with a method it does not serve, 404 to an unknown path', async () => {
    const wrong = await app.inject({ method: 'DELETE', url: '/tiering/thresholds/2031', headers: bearer(city) });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('GET, HEAD, PUT');
    expect(wrong.json()).toEqual(errorShape('Method Not Allowed', 'method'));
    expect(wrong.json().details.allowed).toEqual(['GET', 'HEAD', 'PUT']);
    const post = await app.inject({ method: 'POST', url: '/support-measures' });
    expect(post.statusCode).toBe(405);
    // A method that takes a body is refused for the method, before its (missing) body is read.
    const query = await app.inject({ method: 'QUERY' as 'GET', url: '/support-measures' });
    expect(query.statusCode).toBe(405);
    expect(query.headers.allow).toBe('GET, HEAD');
    const unknown = await app.inject({ method: 'GET', url: '/no-such-thing' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'Not Found' });
  });

  it('answers 414 to a path parameter over 100 characters and to a URL over the limit', async () => {
    const parameter = await app.inject({ method: 'GET', url: `/cases/${'x'.repeat(101)}`, headers: bearer(city) });
    expect(parameter.statusCode).toBe(414);
    expect(parameter.json()).toEqual(errorShape('URI Too Long', 'url'));
    const url = await app.inject({ method: 'GET', url: `/public/households?name=${'泥'.repeat(MAX_URL_LENGTH / 9 + 1)}` });
    expect(url.statusCode).toBe(414);
    expect(url.json()).toEqual(errorShape('URI Too Long', 'url'));
  });

  it('answers 415 to text/plain and a form where JSON is expected, 413 to a JSON body over the limit', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await app.inject({ method: 'PUT', url: '/tiering/thresholds/2031', headers: { ...bearer(city), 'content-type': contentType }, payload: 'growthRevenueYuan=1' });
      expect(response.statusCode).toBe(415);
      expect(response.json()).toEqual(errorShape('Unsupported Media Type', 'body'));
      expect(response.json().message).toContain('application/json');
    }
    const large = JSON.stringify({ growthRevenueYuan: 150_000, padding: 'x'.repeat(DEFAULT_BODY_LIMIT) });
    const response = await app.inject({ method: 'PUT', url: '/tiering/thresholds/2031', headers: { ...bearer(city), 'content-type': 'application/json' }, payload: large });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual(errorShape('Content Too Large', 'body'));
    expect(await database.sql`select year from tier_thresholds where year = 2031`).toEqual([]);
  });
});

describe('types in a JSON body', () => {
  it('are not coerced: null or a number for a string, text for a number answer 400 naming the field', async () => {
    const put = (payload: Record<string, unknown>) => app.inject({ method: 'PUT', url: '/tiering/thresholds/2031', headers: bearer(city), payload });
    const text = await put({ growthRevenueYuan: '150000', developmentRevenueYuan: 1_500_000 });
    expect(text.statusCode).toBe(400);
    expect(text.json().details).toMatchObject({ field: 'growthRevenueYuan', rule: 'type' });
    const reason = await app.inject({ method: 'POST', url: '/households/92120104MA06B7Q405/tiering', headers: bearer(city), payload: { reason: null } });
    expect(reason.statusCode).toBe(400);
    expect(reason.json().details).toMatchObject({ field: 'reason', rule: 'type' });
    // A query's values arrive as text and are still read as the numbers their schema says.
    expect((await app.inject({ method: 'GET', url: '/imports?page=1&pageSize=5', headers: bearer(city) })).statusCode).toBe(200);
    expect(await database.sql`select year from tier_thresholds where year = 2031`).toEqual([]);
  });
});

describe('a streamed upload', () => {
  const upload = (payload: string | Readable) => limited.inject({ method: 'POST', url: '/upload', headers: { 'content-type': 'text/csv' }, payload, remoteAddress: '198.51.100.20' });

  it("is bounded by its route's limit whether its length is announced or not", async () => {
    expect((await upload('a,b\n1,2\n')).json()).toEqual({ bytes: 8 });
    const announced = await upload('x'.repeat(17));
    expect(announced.statusCode).toBe(413);
    expect(announced.json()).toMatchObject({ error: 'Content Too Large', details: { field: 'body', limit: 16 } });
    const chunked = await upload(Readable.from([Buffer.from('x'.repeat(10)), Buffer.from('x'.repeat(10))]));
    expect(chunked.statusCode).toBe(413);
    expect(chunked.json()).toMatchObject({ error: 'Content Too Large', details: { field: 'body', limit: 16 } });
  });
});

describe('rate limits', () => {
  it('limits writes without a token per address, tightly, and says when to retry', async () => {
    const write = () => limited.inject({ method: 'POST', url: '/anonymous-write', payload: {}, remoteAddress: '198.51.100.7' });
    expect((await write()).statusCode).toBe(400);
    expect((await write()).statusCode).toBe(400);
    const refused = await write();
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual(errorShape('Too Many Requests', 'rateLimit'));
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The message names the window (a minute) and the wait, in Chinese; details carry the wait in seconds, as the header.
    expect(refused.json().message).toBe(`请求过于频繁：每分钟最多 2 次，请 ${refused.headers['retry-after']} 秒后再试`);
    expect(refused.json().details.retryAfter).toBe(Number(refused.headers['retry-after']));
    // Another address is not held back by the first.
    const elsewhere = await limited.inject({ method: 'POST', url: '/anonymous-write', payload: {}, remoteAddress: '198.51.100.8' });
    expect(elsewhere.statusCode).toBe(400);
  });

  it('counts an authenticated caller by its actor, not its address', async () => {
    const read = (actor: Actor) => limited.inject({ method: 'GET', url: '/imports', headers: bearer(actor), remoteAddress: '198.51.100.9' });
    const first: Actor = { id: 'city-a', role: 'city' };
    for (let i = 0; i < 3; i++) expect((await read(first)).statusCode).toBe(200);
    expect((await read(first)).statusCode).toBe(429);
    expect((await read({ id: 'city-b', role: 'city' })).statusCode).toBe(200);
  });

  it("takes a route's own limit from its config", async () => {
    const probe = () => limited.inject({ method: 'POST', url: '/probe', payload: {}, remoteAddress: '198.51.100.10' });
    expect((await probe()).statusCode).toBe(200);
    expect((await probe()).statusCode).toBe(429);
  });
});

describe('the OpenAPI document', () => {
  it('documents the answers of the guards on every operation, and 413/415 where a body is taken', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const operations = Object.values(document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>).flatMap((path) => Object.entries(path));
    expect(operations.length).toBeGreaterThan(30);
    for (const [method, operation] of operations) {
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['414', '429']));
      if (['post', 'put', 'patch'].includes(method)) expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['413', '415']));
    }
  });

  it('says a body may be left out where the route takes none (its schema admits null), and is required elsewhere', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(document.paths['/households/{uscc}/tiering'].post.requestBody.required).toBe(false);
    expect(document.paths['/applications'].post.requestBody.required).toBe(true);
    const withoutBody = await app.inject({ method: 'POST', url: '/applications', headers: bearer({ id: '92120104MA06B7Q405', role: 'household', uscc: '92120104MA06B7Q405' }) });
    expect(withoutBody.statusCode).toBe(400);
  });
});
