import { readFileSync } from 'node:fs';
import { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { issueToken, tokenTimes } from '../../api/auth.js';
import { migrateDatabase } from '../../db/migrate.js';
import { recognitions } from '../../db/recognition-schema.js';
import { householdTiers, supportMeasures, tieringResults, tieringRuns } from '../../db/tiering-schema.js';
import type { Actor } from '../../policy/actors.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { DEFAULT_TIER_THRESHOLDS, TIER_RULES_VERSION, decideTier, explainTier } from '../../policy/tiering.js';
import { usccCheckCharacter } from '../../policy/uscc.js';
import { databaseApi } from '../support/api-stack.js';
import { districtOffice } from '../support/stack.js';
import { TIER_AS_OF, giveTier, survivalFacts, survivalHousehold, untieredHousehold } from '../support/tiers.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'public-test-secret-with-at-least-32-bytes';
const city: Actor = { id: 'city-exports', role: 'city' };
/** Names unique to this file and process, so that searches see only this file's households. */
const tag = `查${process.pid.toString(36)}`;
const { database, app } = await databaseApi(SECRET);

const bearer = bearerFor(SECRET);

describe('GET /public/households?name= (T-PUB)', () => {
  beforeAll(async () => {
    await survivalHousehold(database, '120101', `${tag}面馆`);
    await survivalHousehold(database, '120102', `${tag}茶庄`);
    await untieredHousehold(database, '120103', `${tag}书店`);
    await survivalHousehold(database, '120104', `老${tag}包子铺`);
    await survivalHousehold(database, '120116', `滨海${tag}`);
  });

  it('needs no token, puts names that start with the query first, and pages', async () => {
    const page1 = await app.inject({ method: 'GET', url: `/public/households?name=${encodeURIComponent(tag)}&pageSize=2` });
    expect(page1.statusCode).toBe(200);
    const first = page1.json();
    const prefixed = [`${tag}面馆`, `${tag}茶庄`, `${tag}书店`].sort();
    expect(first).toMatchObject({ page: 1, pageSize: 2, total: 5 });
    expect(first.items.map((item: { name: string }) => item.name)).toEqual(prefixed.slice(0, 2));

    const names: string[] = [];
    for (const page of [1, 2, 3]) {
      const response = await app.inject({ method: 'GET', url: `/public/households?name=${encodeURIComponent(tag)}&pageSize=2&page=${page}` });
      names.push(...response.json().items.map((item: { name: string }) => item.name));
    }
    expect(names).toEqual([...prefixed, ...[`滨海${tag}`, `老${tag}包子铺`].sort()]);

    const beyond = await app.inject({ method: 'GET', url: `/public/households?name=${encodeURIComponent(tag)}&pageSize=2&page=9` });
    expect(beyond.json()).toMatchObject({ total: 5, items: [] });
  });

  it('shows each match with its district and current tier, or none when not tiered yet', async () => {
    const response = await app.inject({ method: 'GET', url: `/public/households?name=${encodeURIComponent(`${tag}书`)}` });
    expect(response.json()).toEqual({
      page: 1,
      pageSize: 20,
      total: 1,
      items: [{ uscc: expect.any(String), name: `${tag}书店`, district: { code: '120103', name: '河西区' }, tier: null, tierLabel: null, year: null }],
    });
    const tiered = await app.inject({ method: 'GET', url: `/public/households?name=${encodeURIComponent(`${tag}茶`)}` });
    expect(tiered.json().items).toEqual([
      { uscc: expect.any(String), name: `${tag}茶庄`, district: { code: '120102', name: '河东区' }, tier: 'survival', tierLabel: '生存型', year: 2025 },
    ]);
  });

  it("narrows the search to one district's households on request", async () => {
    const response = await app.inject({ method: 'GET', url: `/public/households?name=${encodeURIComponent(tag)}&districtCode=120104` });
    expect(response.json()).toMatchObject({ total: 1, items: [{ name: `老${tag}包子铺`, district: { code: '120104' } }] });
    const beyond = await app.inject({ method: 'GET', url: `/public/households?name=${encodeURIComponent(tag)}&districtCode=120104&page=2` });
    expect(beyond.json()).toMatchObject({ total: 1, items: [] });
  });

  it('matches the query as text: % and _ are no wildcards', async () => {
    for (const query of [`${tag}_`, `${tag}%`]) {
      const response = await app.inject({ method: 'GET', url: `/public/households?name=${encodeURIComponent(query)}` });
      expect(response.json()).toMatchObject({ total: 0, items: [] });
    }
  });

  it.each([
    ['name=a', 'name'],
    ['name=%20%20x%20', 'name'],
    ['', 'name'],
    ['name=abc&pageSize=101', 'pageSize'],
    ['name=abc&page=0', 'page'],
    ['name=abc&page=100001', 'page'],
    ['name=abc&page=1000000000000000000', 'page'],
    ['name=abc&districtCode=320101', 'districtCode'],
  ])('answers 400 naming the field for ?%s', async (query, field) => {
    const response = await app.inject({ method: 'GET', url: `/public/households?${query}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().details.field).toBe(field);
  });
});

describe('GET /public/households/{uscc} (T-PUB)', () => {
  it('shows tier, year and the plain-language reasons re-derived from the stored trace, without a token', async () => {
    const household = await survivalHousehold(database, '120104', `${tag}公开`);
    const response = await app.inject({ method: 'GET', url: `/public/households/${household.uscc}` });
    expect(response.statusCode).toBe(200);
    const expectedReasons = explainTier(decideTier(household.facts, TIER_AS_OF, DEFAULT_TIER_THRESHOLDS));
    expect(response.json()).toEqual({
      uscc: household.uscc,
      name: `${tag}公开`,
      district: { code: '120104', name: '南开区' },
      tier: 'survival',
      tierLabel: '生存型',
      year: 2025,
      asOf: TIER_AS_OF,
      source: 'on_demand',
      ruleVersion: TIER_RULES_VERSION,
      clauses: household.trace.outcomes,
      reasons: expectedReasons,
      ruleVersionDrift: false,
    });
    expect(expectedReasons.length).toBeGreaterThan(0);
    // The registry's operator fields never reach the public.
    expect(response.body).not.toContain(`op-${household.uscc}`);
    expect(response.body).not.toContain('operator');
  });

  it('names an unclassified household with the configured label', async () => {
    const household = await untieredHousehold(database, '120104');
    await giveTier(database, survivalFacts(household.uscc, { status: 'revoked' }));
    const response = await app.inject({ method: 'GET', url: `/public/households/${household.uscc}` });
    expect(response.json()).toMatchObject({ tier: 'unclassified', tierLabel: '未分型' });
    expect(response.json().reasons).toEqual(['登记状态为已吊销，不属于登记在册的个体工商户。']);

    const relabelled = await buildApp({ database, temporal: new Client(), authSecret: SECRET, caseSettings: DEFAULT_CASE_SETTINGS, unclassifiedLabel: '不列入分型' });
    const answer = await relabelled.inject({ method: 'GET', url: `/public/households/${household.uscc}` });
    expect(answer.json()).toMatchObject({ tier: 'unclassified', tierLabel: '不列入分型' });
    await relabelled.close();
  });

  it('answers with the stored clauses and no reasons when the rules no longer reproduce them', async () => {
    const household = await survivalHousehold(database, '120104');
    const drifted = { ...household.trace, outcomes: household.trace.outcomes.replace('T-G2-', 'T-G2+') };
    await database.db.update(householdTiers).set({ trace: drifted }).where(eq(householdTiers.uscc, household.uscc));
    const response = await app.inject({ method: 'GET', url: `/public/households/${household.uscc}` });
    expect(response.json()).toMatchObject({ tier: 'survival', clauses: drifted.outcomes, reasons: [], ruleVersionDrift: true });
  });

  it('answers 400 naming GB 32100-2015 for a malformed USCC, 404 for an unknown or untiered household', async () => {
    const malformed = await app.inject({ method: 'GET', url: '/public/households/92120104MA05N8Q4X0' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().details).toMatchObject({ field: 'uscc', rule: 'GB 32100-2015' });

    const first17 = '92120104WY0000001';
    const unknown = await app.inject({ method: 'GET', url: `/public/households/${first17}${usccCheckCharacter(first17)}` });
    expect(unknown.statusCode).toBe(404);

    const untiered = await untieredHousehold(database, '120104');
    const noTier = await app.inject({ method: 'GET', url: `/public/households/${untiered.uscc}` });
    expect(noTier.statusCode).toBe(404);
    expect(noTier.json().message).toMatch(/not been tiered yet/);
  });
});

describe('routes that need no token', () => {
  const routes = [
    ['GET', '/public/households', '/public/households?name=abc'],
    ['GET', '/public/households/{uscc}', '/public/households/92120104MA05N8Q4X1'],
    ['GET', '/public/recognitions', '/public/recognitions'],
    ['GET', '/public/publicity', '/public/publicity'],
    ['GET', '/support-measures', '/support-measures'],
    ['GET', '/departments', '/departments'],
    ['GET', '/health', '/health'],
    ['POST', '/publicity/{caseId}/objections', '/publicity/some-case/objections'],
  ] as const;

  it.each(routes)('%s %s answers 401 to a token that does not verify, as its OpenAPI document says', async (method, path, url) => {
    const forged = issueToken('another-secret', city, tokenTimes(Date.now(), 3600));
    const response = await app.inject({ method, url, headers: { authorization: `Bearer ${forged}` }, ...(method === 'POST' ? { payload: { reason: 'x' } } : {}) });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: 'Unauthorized', details: { field: 'authorization' } });
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const operation = document.paths[path][method.toLowerCase()];
    expect(operation.security).toEqual([]);
    expect(Object.keys(operation.responses)).toContain('401');
  });
});

describe('GET /tiering/runs/{runId}/export.csv', () => {
  const EXPORT_YEAR = 2001;
  const SYNTHETIC_ROWS = 4500;
  let completedRun: number;
  let runningRun: number;
  let named: { uscc: string };

  beforeAll(async () => {
    const run = (version: number, status: string) => ({
      year: EXPORT_YEAR,
      version,
      asOf: `${EXPORT_YEAR}-08-01`,
      thresholds: DEFAULT_TIER_THRESHOLDS,
      ruleVersion: TIER_RULES_VERSION,
      status,
      workflowId: `test-export-run-${process.pid}-${version}`,
      requestedBy: 'test',
      startedAt: new Date(),
    });
    const inserted = await database.db
      .insert(tieringRuns)
      .values([run(1, 'completed'), run(2, 'running')])
      .returning({ id: tieringRuns.id, status: tieringRuns.status });
    completedRun = inserted.find((r) => r.status === 'completed')!.id;
    runningRun = inserted.find((r) => r.status === 'running')!.id;
    named = await untieredHousehold(database, '120101', '津门"老字号",酱园');
    await database.db.insert(tieringResults).values({
      runId: completedRun,
      uscc: named.uscc,
      districtCode: '120101',
      tier: 'growth',
      trace: { outcomes: 'T-B1+ T-B2+ T-G2+', facts: {}, thresholds: DEFAULT_TIER_THRESHOLDS },
    });
    // More rows than one cursor batch, for USCCs the registry does not hold (no name).
    await database.sql`
      insert into tiering_results (run_id, uscc, district_code, tier, trace)
      select ${completedRun}, '93' || lpad(n::text, 16, '0'), '120102', 'survival', '{"outcomes": "T-B1+"}'::jsonb
      from generate_series(1, ${SYNTHETIC_ROWS}) as n`;
  });

  it('streams the run as RFC 4180 CSV for the city office', async () => {
    const response = await app.inject({ method: 'GET', url: `/tiering/runs/${completedRun}/export.csv`, headers: bearer(city) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="tiering-${EXPORT_YEAR}-v1-run-${completedRun}.csv"`);
    expect(response.headers['content-length']).toBeUndefined();
    expect(response.headers['transfer-encoding']).toBe('chunked');
    const lines = response.body.split('\r\n');
    expect(lines[0]).toBe('uscc,name,district_code,tier,clauses');
    expect(lines).toContain(`${named.uscc},"津门""老字号"",酱园",120101,growth,T-B1+ T-B2+ T-G2+`);
    expect(lines).toContain(`93${'1'.padStart(16, '0')},,120102,survival,T-B1+`);
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(1 + 1 + SYNTHETIC_ROWS + 1);
    const usccs = lines.slice(1, -1).map((line) => line.slice(0, 18));
    expect(usccs).toEqual([...usccs].sort());
  });

  it('neutralises every cell a spreadsheet would run as a formula (OWASP): = + - @ tab and carriage return', async () => {
    const [formulaRun] = await database.db
      .insert(tieringRuns)
      .values({
        year: EXPORT_YEAR,
        version: 3,
        asOf: `${EXPORT_YEAR}-08-01`,
        thresholds: DEFAULT_TIER_THRESHOLDS,
        ruleVersion: TIER_RULES_VERSION,
        status: 'completed',
        workflowId: `test-export-run-${process.pid}-3`,
        requestedBy: 'test',
        startedAt: new Date(),
      })
      .returning({ id: tieringRuns.id });
    // Each name as stored, and its cell in the file: quoted (RFC 4180) where it holds a quote or a line break.
    const cellsByName: [string, string][] = [
      ['=HYPERLINK("http://x","点击")', `"'=HYPERLINK(""http://x"",""点击"")"`],
      ['+1+2', "'+1+2"],
      ['-2+3', "'-2+3"],
      ['@SUM(A1)', "'@SUM(A1)"],
      ['\t=1', "'\t=1"],
      ['\r=1', `"'\r=1"`],
      ['老字号=1', '老字号=1'],
    ];
    const expected: Record<string, string> = {};
    for (const [name, cell] of cellsByName) {
      const household = await untieredHousehold(database, '120101', name);
      await database.db.insert(tieringResults).values({
        runId: formulaRun!.id,
        uscc: household.uscc,
        districtCode: '120101',
        tier: 'survival',
        trace: { outcomes: 'T-B1+', facts: {}, thresholds: DEFAULT_TIER_THRESHOLDS },
      });
      expected[household.uscc] = cell;
    }
    const response = await app.inject({ method: 'GET', url: `/tiering/runs/${formulaRun!.id}/export.csv`, headers: bearer(city) });
    expect(response.statusCode).toBe(200);
    const rows = response.body.split('\r\n').slice(1, -1);
    const cells = Object.fromEntries(rows.map((line) => [line.slice(0, 18), line.slice(19, line.lastIndexOf(',120101,survival,'))]));
    expect(cells).toEqual(expected);
  });

  it('adds a byte-order mark on request, for spreadsheets', async () => {
    const response = await app.inject({ method: 'GET', url: `/tiering/runs/${completedRun}/export.csv?bom=true`, headers: bearer(city) });
    expect(response.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const plain = await app.inject({ method: 'GET', url: `/tiering/runs/${completedRun}/export.csv`, headers: bearer(city) });
    expect(plain.rawPayload.subarray(0, 4).toString()).toBe('uscc');
  });

  it('answers 404 for an unknown run, 409 for a run not completed, 401/403 for anyone but the city office', async () => {
    const unknown = await app.inject({ method: 'GET', url: '/tiering/runs/2147483000/export.csv', headers: bearer(city) });
    expect(unknown.statusCode).toBe(404);
    const running = await app.inject({ method: 'GET', url: `/tiering/runs/${runningRun}/export.csv`, headers: bearer(city) });
    expect(running.statusCode).toBe(409);
    expect(running.json().details).toMatchObject({ clause: 'T-RUN', status: 'running' });
    const anonymous = await app.inject({ method: 'GET', url: `/tiering/runs/${completedRun}/export.csv` });
    expect(anonymous.statusCode).toBe(401);
    const district = await app.inject({ method: 'GET', url: `/tiering/runs/${completedRun}/export.csv`, headers: bearer(districtOffice('120101')) });
    expect(district.statusCode).toBe(403);
    const notANumber = await app.inject({ method: 'GET', url: '/tiering/runs/latest/export.csv', headers: bearer(city) });
    expect(notANumber.statusCode).toBe(400);
  });
});

describe('support measures (T-AID, C-AID)', () => {
  type MeasureJson = { id: string; appliesTo: string; clause: string; departments: string[]; withoutApplication: boolean };

  it('seeds measures for every tier and every category, each with its departments', async () => {
    const response = await app.inject({ method: 'GET', url: '/support-measures' });
    expect(response.statusCode).toBe(200);
    const measures = response.json() as MeasureJson[];
    const seed = JSON.parse(readFileSync(new URL('../../db/seed/support-measures.json', import.meta.url), 'utf8')) as MeasureJson[];
    expect(measures.map((m) => m.id).sort()).toEqual(seed.map((m) => m.id).sort());
    for (const group of ['survival', 'growth', 'development', 'renowned', 'distinctive', 'quality', 'emerging']) {
      expect(measures.filter((m) => m.appliesTo === group).length, group).toBeGreaterThan(0);
    }
    for (const measure of measures) {
      expect(measure.departments.length, measure.id).toBeGreaterThan(0);
      expect(measure.clause, measure.id).toBe(['tiered', 'survival', 'growth', 'development'].includes(measure.appliesTo) ? 'T-AID' : 'C-AID');
    }
    expect(measures.some((m) => m.withoutApplication)).toBe(true);
  });

  it('lets a corrected seed reach an existing database', async () => {
    await database.db.update(supportMeasures).set({ measure: 'stale', departments: [] }).where(eq(supportMeasures.id, 'growth-2'));
    await migrateDatabase(database);
    const [measure] = await database.db.select().from(supportMeasures).where(eq(supportMeasures.id, 'growth-2'));
    expect(measure).toMatchObject({ departments: ['市人社局'], withoutApplication: true });
    expect(measure!.measure).toMatch(/^推动依法参保/);
  });

  it("lists the measures of the household's tier to the household, its district office and the city office", async () => {
    const household = await survivalHousehold(database, '120113');
    const url = `/households/${household.uscc}/support-measures`;
    const own = await app.inject({ method: 'GET', url, headers: bearer(household.actor) });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ uscc: household.uscc, tier: 'survival', tierLabel: '生存型', year: 2025, recognition: null });
    const groups = new Set((own.json().measures as MeasureJson[]).map((m) => m.appliesTo));
    expect([...groups]).toEqual(['tiered', 'survival']);

    expect((await app.inject({ method: 'GET', url, headers: bearer(districtOffice('120113')) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url, headers: bearer(city) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url, headers: bearer(districtOffice('120101')) })).statusCode).toBe(403);
    const other = await survivalHousehold(database, '120113');
    expect((await app.inject({ method: 'GET', url, headers: bearer(other.actor) })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
  });

  it('gives an unclassified household no tier measures, and an untiered one a 404', async () => {
    const unclassified = await untieredHousehold(database, '120113');
    await giveTier(database, survivalFacts(unclassified.uscc, { status: 'deregistered' }));
    const none = await app.inject({ method: 'GET', url: `/households/${unclassified.uscc}/support-measures`, headers: bearer(city) });
    expect(none.json()).toMatchObject({ tier: 'unclassified', tierLabel: '未分型', measures: [] });

    const untiered = await untieredHousehold(database, '120113');
    const missing = await app.inject({ method: 'GET', url: `/households/${untiered.uscc}/support-measures`, headers: bearer(city) });
    expect(missing.statusCode).toBe(404);
  });

  it("gives a household whose recognition is in force every growth and development measure and its category's (C-AID)", async () => {
    const household = await survivalHousehold(database, '120113');
    await database.db.insert(recognitions).values({
      caseId: `recognition-${household.uscc}-2024`,
      uscc: household.uscc,
      name: '测试个体户',
      districtCode: '120113',
      category: 'quality',
      recognisedOn: '2024-11-20',
      validUntil: '2027-11-19',
      benefitsFrom: '2025-01-01',
      status: 'recognised',
      updatedAt: new Date(),
      version: 1,
    });
    const response = await app.inject({ method: 'GET', url: `/households/${household.uscc}/support-measures`, headers: bearer(household.actor) });
    expect(response.json().recognition).toEqual({ category: 'quality', benefitsFrom: '2025-01-01', validUntil: '2027-11-19' });
    const groups = new Set((response.json().measures as MeasureJson[]).map((m) => m.appliesTo));
    expect([...groups]).toEqual(['tiered', 'survival', 'growth', 'development', 'recognised', 'quality']);
  });
});
