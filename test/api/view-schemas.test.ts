/**
 * Responses are serialised by their schema, which drops every property it does not list: a
 * field a view gains and its response schema lacks would vanish from the answer without a
 * trace. Each view is built for real through the API and held against the response schema of
 * the route that answers it (as the OpenAPI document gives it), and against the answer itself.
 */
import '@fastify/swagger';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../policy/actors.js';
import { YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { liveCaseViewQuery, type LiveCaseView } from '../../workflows/recognition-case/contract.js';
import { objectionViewQuery } from '../../workflows/tier-objection/contract.js';
import { caseApiStack } from '../support/api-stack.js';
import { setQuota, sleepUntilRecognised } from '../support/recognition.js';
import { districtOffice, registerHousehold } from '../support/stack.js';
import { TIER_YEAR, survivalHousehold } from '../support/tiers.js';
import { bearerFor } from '../support/tokens.js';
import { DEFAULT_RECOGNITION_TERM_SETTINGS } from '../../policy/vocabulary.js';

const SECRET = 'view-schemas-test-secret-with-at-least-32-bytes';
const CITY: Actor = { id: 'city-view-schemas', role: 'city' };
let clock: number;

const { env, database, app } = await caseApiStack({
  authSecret: SECRET,
  eligibilitySettings: YEAR_ROUND_ELIGIBILITY_SETTINGS,
  // Every recognition sampled, so that its view carries a spot check.
  recognitionTermSettings: { ...DEFAULT_RECOGNITION_TERM_SETTINGS, spotCheckRate: 1 },
  now: () => clock,
});
clock = await env.currentTimeMs();
const bearer = bearerFor(SECRET, () => clock);

const send = async (method: 'GET' | 'POST', url: string, actor: Actor, payload?: Record<string, unknown>) => {
  const response = await app.inject({ method, url, headers: bearer(actor), ...(payload ? { payload } : {}) });
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
  return response.json();
};

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
}

/** The 200 or 201 schema of a route in the API's OpenAPI document. */
function responseSchema(method: 'get' | 'post', path: string): JsonSchema {
  const document = app.swagger() as unknown as {
    paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: JsonSchema }> }> }>>;
  };
  const responses = document.paths[path]![method]!.responses;
  return (responses['200'] ?? responses['201'])!.content['application/json']!.schema;
}

/** The paths of `value` (`recognition.validUntil`, `opinions[].department`) that `schema` does not list. */
function unlisted(value: unknown, schema: JsonSchema, path = ''): string[] {
  if (Array.isArray(value)) return schema.items ? value.flatMap((item) => unlisted(item, schema.items!, `${path}[]`)) : [`${path}[]`];
  if (value === null || typeof value !== 'object') return [];
  if (schema.additionalProperties === true && schema.properties === undefined) return [];
  return [
    ...new Set(
      Object.entries(value).flatMap(([key, field]) => {
        const at = path === '' ? key : `${path}.${key}`;
        const listed = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
        return listed ? unlisted(field, listed, at) : [at];
      }),
    ),
  ];
}

/** Every path of a value, objects and arrays walked into. */
function pathsOf(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => pathsOf(item, `${path}[]`));
  if (value === null || typeof value !== 'object') return [];
  return [...new Set(Object.entries(value).flatMap(([key, field]) => [path === '' ? key : `${path}.${key}`, ...pathsOf(field, path === '' ? key : `${path}.${key}`)]))];
}

/** The view is wholly listed by the route's schema, and the answer carries every one of its fields. */
function expectServedWhole(view: unknown, answer: unknown, schema: JsonSchema): void {
  expect(unlisted(view, schema)).toEqual([]);
  const answered = new Set(pathsOf(answer));
  expect(pathsOf(view).filter((path) => !answered.has(path))).toEqual([]);
}

describe('every field of a view is in its response schema', () => {
  it('a case in publicity, then recognised and sampled for the spot check (GET /cases/{caseId}, decisions on it)', async () => {
    const district = '120103';
    const year = Number(new Date(clock).toISOString().slice(0, 4));
    await setQuota(database, year, district, 50);
    const { uscc, actor: household } = await registerHousehold(database, district);
    const office = districtOffice(district);
    const started = await send('POST', '/applications', household, {
      uscc,
      category: 'quality',
      claimedCriteria: ['Q2'],
      evidenceRefs: ['time-honoured-brand-certificate'],
    });
    const caseId: string = started.caseId;
    const handle = env.client.workflow.getHandle(caseId);
    await send('POST', `/cases/${caseId}/review`, office, { decision: 'accept' });
    const verified = await send('POST', `/cases/${caseId}/review`, office, { decision: 'verified', findings: '实地核查属实', departments: [] });
    const caseView = responseSchema('get', '/cases/{caseId}');
    expectServedWhole(await handle.query(liveCaseViewQuery), verified, caseView);

    await send('POST', `/publicity/${caseId}/objections`, CITY, { reason: '该户店面已停业' });
    const objected = await send('GET', `/cases/${caseId}`, office);
    const inPublicity: LiveCaseView = await handle.query(liveCaseViewQuery);
    expect(objected.objections).toHaveLength(1);
    expectServedWhole(inPublicity, objected, caseView);

    const resolved = await send('POST', `/cases/${caseId}/review`, office, { decision: 'resolve_objection', objectionNo: 1, upheld: false, reason: '经核实仍在经营' });
    expectServedWhole(await handle.query(liveCaseViewQuery), resolved, responseSchema('post', '/cases/{caseId}/review'));

    const recognised = await sleepUntilRecognised(env, handle);
    expect(recognised.spotCheck).not.toBeNull();
    clock = await env.currentTimeMs();
    const dueOn = new Date(clock + 20 * 86_400_000).toISOString().slice(0, 10);
    const checked = await send('POST', `/cases/${caseId}/spot-check`, CITY, { decision: 'request_supplement', reason: '请补充老字号证书原件照片', dueOn });
    expect(checked.spotCheck.status).toBe('awaiting_supplement');
    // The supplement's deadline is set a step after the decision: compare once record and workflow agree on it.
    let recognition = await handle.query(liveCaseViewQuery);
    let read = await send('GET', `/cases/${caseId}`, office);
    while (read.seq !== recognition.seq || read.spotCheck.deadline === null) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      recognition = await handle.query(liveCaseViewQuery);
      read = await send('GET', `/cases/${caseId}`, office);
    }
    expect(recognition.status).toBe('recognised');
    expect(unlisted(recognition, responseSchema('post', '/cases/{caseId}/spot-check'))).toEqual([]);
    expectServedWhole(recognition, read, caseView);
  });

  it('an objection to a tier, open and decided (GET /tiering/objections/{objectionId}, its decision)', async () => {
    const household = await survivalHousehold(database, '120105');
    const filed = await send('POST', '/tiering/objections', household.actor, {
      uscc: household.uscc,
      reason: '2024年营业收入填报有误',
      correctedFacts: { annualReports: [{ year: 2024, filedOn: '2025-03-10', revenue: 150_000 }] },
    });
    const objectionId: string = filed.objectionId;
    expect(objectionId).toBe(`tier-objection-${household.uscc}-${TIER_YEAR}`);
    const handle = env.client.workflow.getHandle(objectionId);
    let open = await send('GET', `/tiering/objections/${objectionId}`, CITY);
    while (open.deadline === null) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      open = await send('GET', `/tiering/objections/${objectionId}`, CITY);
    }
    expectServedWhole(await handle.query(objectionViewQuery), open, responseSchema('get', '/tiering/objections/{objectionId}'));

    const decided = await send('POST', `/tiering/objections/${objectionId}/decision`, CITY, { decision: 'dismissed', reason: '数据核对无误' });
    expect(decided.status).toBe('dismissed');
    expectServedWhole(await handle.query(objectionViewQuery), decided, responseSchema('post', '/tiering/objections/{objectionId}/decision'));
  });
});
