import { describe, expect, it } from 'vitest';
import { NON_BLANK_TEXT_PATTERN, TEXT_PATTERN, USCC_FORMAT } from '../../api/schema-bounds.js';
import type { Actor } from '../../policy/actors.js';
import { databaseApi } from '../support/api-stack.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'boundary-test-secret-with-at-least-32-bytes';
const { database, app } = await databaseApi(SECRET);

const bearer = bearerFor(SECRET);

type Schema = Record<string, unknown>;

/** Formats whose own grammar bounds a string's length and characters (a USCC: 18 code characters, GB 32100-2015). */
const BOUNDED_FORMATS = ['date', 'date-time', USCC_FORMAT];

/**
 * A pattern of its own admits no control character when it is anchored at both ends and made of
 * literal characters and positive classes only (no `.`, negated class or `\S`-like escape).
 */
function isClosedPattern(pattern: string): boolean {
  return pattern.startsWith('^') && pattern.endsWith('$') && !/\[\^|(^|[^\\])\.|\\[SDWP]/.test(pattern);
}

/** Every place in the schema where a string or an array is not bounded as the boundary rule asks. */
function unboundedIn(schema: unknown, path: string, found: string[]): string[] {
  if (schema === null || typeof schema !== 'object') return found;
  const s = schema as Schema;
  const types = Array.isArray(s['type']) ? (s['type'] as string[]) : [s['type']];
  const choice = s['enum'] !== undefined || s['const'] !== undefined;
  if (types.includes('string') && !choice) {
    const format = s['format'] as string | undefined;
    const pattern = s['pattern'] as string | undefined;
    if (format === undefined && s['maxLength'] === undefined) found.push(`${path}: a string without maxLength`);
    if (format !== undefined && !BOUNDED_FORMATS.includes(format)) found.push(`${path}: a string of format ${format}`);
    if (format === undefined && pattern !== TEXT_PATTERN && pattern !== NON_BLANK_TEXT_PATTERN && !(pattern && isClosedPattern(pattern))) {
      found.push(`${path}: free text without the control-character rule`);
    }
  }
  if (types.includes('array') && s['maxItems'] === undefined) found.push(`${path}: an array without maxItems`);
  for (const [name, property] of Object.entries((s['properties'] ?? {}) as Schema)) unboundedIn(property, `${path}.${name}`, found);
  unboundedIn(s['items'], `${path}[]`, found);
  if (typeof s['additionalProperties'] === 'object') unboundedIn(s['additionalProperties'], `${path}{}`, found);
  for (const key of ['allOf', 'anyOf', 'oneOf']) ((s[key] ?? []) as unknown[]).forEach((branch, i) => unboundedIn(branch, `${path}/${key}${i}`, found));
  for (const key of ['if', 'then', 'else', 'not']) unboundedIn(s[key], `${path}/${key}`, found);
  return found;
}

interface Operation {
  parameters?: { in: string; name: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

/** Every request schema of every route in the app's OpenAPI document, with where it is. */
function requestSchemas(document: { paths: Record<string, Record<string, Operation>> }): [string, Schema][] {
  const schemas: [string, Schema][] = [];
  for (const [route, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const where = `${method.toUpperCase()} ${route}`;
      for (const parameter of operation.parameters ?? []) schemas.push([`${where} ${parameter.in} ${parameter.name}`, parameter.schema]);
      for (const [mediaType, content] of Object.entries(operation.requestBody?.content ?? {})) {
        schemas.push([`${where} body (${mediaType})`, content.schema]);
      }
    }
  }
  return schemas;
}

describe('the boundary rule in the OpenAPI document', () => {
  it('bounds every string and array of every route, and keeps control characters out of all free text', async () => {
    await app.ready();
    const schemas = requestSchemas(app.swagger() as never);
    // The walk reaches the routes' inputs: parameters and bodies of every kind.
    expect(schemas.length).toBeGreaterThan(60);
    expect(schemas.some(([where]) => where.startsWith('POST /publicity/{caseId}/objections header'))).toBe(true);
    const found = schemas.flatMap(([where, schema]) => unboundedIn(schema, where, []));
    expect(found).toEqual([]);
  });

  it('would find a string without a bound, free text without the rule and an unbounded array', () => {
    const loose = {
      type: 'object',
      properties: {
        note: { type: 'string', maxLength: 10 },
        name: { type: 'string', pattern: '^.*$', maxLength: 10 },
        ref: { type: 'string', pattern: TEXT_PATTERN },
        refs: { type: 'array', items: { type: 'string', enum: ['a'] } },
      },
      allOf: [{ then: { properties: { more: { type: 'string', pattern: '^[0-9]+$' } } } }],
    };
    expect(unboundedIn(loose, 'x', [])).toEqual([
      'x.note: free text without the control-character rule',
      'x.name: free text without the control-character rule',
      'x.ref: a string without maxLength',
      'x.refs: an array without maxItems',
      'x/allOf0/then.more: a string without maxLength',
    ]);
  });
});

describe('a control character anywhere', () => {
  const household: Actor = { id: '92120104MA05N8Q4XQ', role: 'household', uscc: '92120104MA05N8Q4XQ' };
  const district: Actor = { id: 'district-120104', role: 'district', districtCode: '120104' };
  const city: Actor = { id: 'city-boundary', role: 'city' };
  const caseId = 'recognition-92120104MA05N8Q4XQ-2026';

  it.each([
    ['a publicity objection', { method: 'POST', url: `/publicity/${caseId}/objections`, payload: { reason: 'a\u0000b' } }, 'reason'],
    [
      'an objection to a tier',
      { method: 'POST', url: '/tiering/objections', headers: bearer(household), payload: { uscc: household.uscc!, reason: '数据\u0000有误' } },
      'reason',
    ],
    ['a review', { method: 'POST', url: `/cases/${caseId}/review`, headers: bearer(district), payload: { decision: 'reject', reason: '\u001b[2J' } }, 'reason'],
    [
      'an evidence reference',
      { method: 'POST', url: `/cases/${caseId}/information`, headers: bearer(household), payload: { evidenceRefs: ['ok.pdf', 'x\u0000.pdf'] } },
      'evidenceRefs.1',
    ],
    ['a public lookup query', { method: 'GET', url: '/public/households?name=%00%E6%B3%A5%E4%BA%BA' }, 'name'],
    ['a search of the registry', { method: 'GET', url: '/public/recognitions?name=ab%0D' }, 'name'],
    ['a file name', { method: 'POST', url: '/imports?feed=tax&fileName=tax%00.csv', headers: { ...bearer(city), 'content-type': 'text/csv' }, payload: 'x' }, 'fileName'],
  ] as const)('in %s answers 400 naming the field, in Chinese', async (_case, request, field) => {
    const response = await app.inject(request as never);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', details: { field } });
    expect(response.json().message).toMatch(/控制字符/);
  });

  it.each([
    ['a public lookup path', { method: 'GET', url: '/public/households/%00' }, 'uscc'],
    ['a case ID', { method: 'GET', url: '/cases/recognition-%00', headers: bearer(city) }, 'caseId'],
    [
      'an Idempotency-Key',
      { method: 'POST', url: `/publicity/${caseId}/objections`, headers: { 'idempotency-key': 'key\u0001' }, payload: { reason: '异议' } },
      'idempotency-key',
    ],
  ] as const)('in %s, a structured value, answers 400 naming the field', async (_case, request, field) => {
    const response = await app.inject(request as never);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ error: 'Bad Request', details: { field } });
  });

  it('lets tab and line feed through, as text may have them', async () => {
    const response = await app.inject({ method: 'GET', url: `/public/households?name=${encodeURIComponent('泥\t人\n')}` });
    expect(response.statusCode, response.body).toBe(200);
  });

  it('answers a blank where text is required with 400 naming the field', async () => {
    const response = await app.inject({ method: 'POST', url: `/publicity/${caseId}/objections`, payload: { reason: ' \u3000\n' } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ details: { field: 'reason' }, message: expect.stringMatching(/空白/) });
  });

  it('answers an over-long evidence reference with 400 (as every string has its bound)', async () => {
    const response = await app.inject({
      method: 'POST',
      url: `/cases/${caseId}/information`,
      headers: bearer(household),
      payload: { evidenceRefs: ['x'.repeat(100_000)] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().details).toMatchObject({ field: 'evidenceRefs.0', rule: 'maxLength' });
  });

  it('leaves the database serving after a NUL in a lookup', async () => {
    await app.inject({ method: 'GET', url: '/public/households?name=%00%00' });
    expect(await database.sql`select 1 as ok`).toEqual([{ ok: 1 }]);
  });
});
