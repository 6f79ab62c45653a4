import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../policy/actors.js';
import { CATEGORIES } from '../../policy/recognition-case.js';
import { databaseApi } from '../support/api-stack.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'errors-test-secret-with-at-least-32-bytes';
const city: Actor = { id: 'city-errors', role: 'city' };
/** A year no other test file sets thresholds for. */
const YEAR = 2031;
const { database, app } = await databaseApi(SECRET);

const bearer = bearerFor(SECRET);

describe('a value outside an enum', () => {
  it('answers 400 listing the allowed values, for a body field', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/tiering/objections/tier-objection-92120104MA05N8Q4X1-2025/decision',
      headers: bearer(city),
      payload: { decision: 'postponed' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'Bad Request',
      message: 'body/decision must be one of: upheld, dismissed',
      details: { field: 'decision', rule: 'enum', context: 'body', allowed: ['upheld', 'dismissed'] },
    });
  });

  it('answers 400 listing the allowed values, for a query parameter', async () => {
    const response = await app.inject({ method: 'GET', url: '/public/recognitions?category=famous' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      message: `querystring/category must be one of: ${CATEGORIES.join(', ')}`,
      details: { field: 'category', allowed: [...CATEGORIES] },
    });
  });
});

describe('a body Fastify cannot read', () => {
  const putThresholds = (headers: Record<string, string>, payload: string) =>
    app.inject({ method: 'PUT', url: `/tiering/thresholds/${YEAR}`, headers: { ...bearer(city), ...headers }, payload });

  it.each([
    ['malformed JSON', { 'content-type': 'application/json' }, '{"growthRevenueYuan": 150000,', 400, 'Bad Request'],
    ['a media type no route reads', { 'content-type': 'application/xml' }, '<thresholds/>', 415, 'Unsupported Media Type'],
    [
      'a body over the size limit',
      { 'content-type': 'application/json' },
      JSON.stringify({ growthRevenueYuan: 150_000, developmentRevenueYuan: 1_500_000, padding: 'x'.repeat(1_100_000) }),
      413,
      'Content Too Large',
    ],
  ])('answers %s with its status, naming the body, and writes nothing', async (_case, headers, payload, status, error) => {
    const response = await putThresholds(headers, payload);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toMatchObject({ error, message: expect.any(String), details: { field: 'body' } });
    expect(await database.sql`select year from tier_thresholds where year = ${YEAR}`).toEqual([]);
  });
});

describe('a request that is not valid HTTP', () => {
  it('answers 400 in the same shape, saying to percent-encode the URL', async () => {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = new URL(address);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(Buffer.from('GET /public/households?name=泥人 HTTP/1.1\r\nHost: localhost\r\n\r\n', 'utf8'));
      });
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
    const [head, payload] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(JSON.parse(payload!)).toEqual({ error: 'Bad Request', message: expect.stringContaining('percent-encode'), details: { field: 'url' } });
  });
});
