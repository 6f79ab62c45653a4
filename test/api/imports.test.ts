import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import type { Actor } from '../../policy/actors.js';
import { FEEDS } from '../../policy/feeds.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { usccCheckCharacter } from '../../policy/uscc.js';
import { TIERING_RUN_WORKFLOW_TYPE } from '../../workflows/tiering-run/contract.js';
import { ownDatabase } from '../support/own-database.js';
import { timeSkippingStack } from '../support/stack.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'imports-test-secret-with-at-least-32-bytes';
const admin: Actor = { id: 'city-admin', role: 'city' };
const REPORTS_HEADER = FEEDS.annual_reports.columns.map((c) => c.name).join(',');
/** The API's clock: today is 2026-11-26 (CST) for the date rules. */
const NOW = Date.parse('2026-11-26T04:00:00Z');
const LAST_YEAR = 2025;

// A database of this file's own: an import is refused while any tiering run is running, and the
// tiering tests start runs in the shared one.
const { env, database } = await timeSkippingStack({
  ownDatabase: () => ownDatabase('imports_api').then((own) => ({ database: own, drop: own.drop })),
});
let app: FastifyInstance;
let scratch: string;
let importDir: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'imports-api-test-'));
  importDir = join(scratch, 'imports');
  mkdirSync(join(importDir, 'agency'), { recursive: true });
  app = await buildApp({
    database,
    // Temporal answers whether a run marked running still has its workflow.
    temporal: env.client,
    authSecret: SECRET,
    caseSettings: DEFAULT_CASE_SETTINGS,
    importDir,
    now: () => NOW,
  });
});

afterAll(async () => {
  await app?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const bearer = bearerFor(SECRET, () => NOW);

let serial = 0;
function uscc(): string {
  serial += 1;
  const first17 = `92120103MB${String(serial).padStart(7, '0')}`;
  return first17 + usccCheckCharacter(first17);
}

function reportsCsv(...rows: string[]): string {
  return [REPORTS_HEADER, ...rows].join('\n');
}

function upload(csv: string, query: string, actor: Actor = admin) {
  return app.inject({
    method: 'POST',
    url: `/imports?${query}`,
    headers: { ...bearer(actor), 'content-type': 'text/csv; charset=utf-8' },
    payload: csv,
  });
}

function importServerFile(body: Record<string, unknown>, actor: Actor = admin) {
  return app.inject({ method: 'POST', url: '/imports', headers: bearer(actor), payload: body });
}

describe('who may import', () => {
  it('answers 401 without a token', async () => {
    const response = await app.inject({ method: 'GET', url: '/imports' });
    expect(response.statusCode).toBe(401);
  });

  it.each<[string, Actor]>([
    ['a district office', { id: 'reviewer-120103', role: 'district', districtCode: '120103' }],
    ['a household', { id: 'h', role: 'household', uscc: '92120103MA05T3K21X' }],
    ['a department', { id: 'dept', role: 'department', department: 'tax' }],
  ])('answers 403 to %s, importing or reading', async (_who, actor) => {
    const csv = reportsCsv(`${uscc()},${LAST_YEAR},${LAST_YEAR + 1}-03-01,1.00`);
    const uploaded = await upload(csv, 'feed=annual_reports', actor);
    expect(uploaded.statusCode).toBe(403);
    expect(uploaded.json().details).toMatchObject({ field: 'role' });
    expect((await importServerFile({ feed: 'annual_reports', path: 'x.csv' }, actor)).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/imports', headers: bearer(actor) })).statusCode).toBe(403);
  });
});

describe('POST /imports with a CSV upload', () => {
  it('imports the good rows, reports the bad ones, and keeps the record', async () => {
    const good = uscc();
    const csv = reportsCsv(`${good},${LAST_YEAR},${LAST_YEAR + 1}-03-01,1200.00`, `${uscc()},${LAST_YEAR},${LAST_YEAR + 1}-03-01,-5`);
    const response = await upload(csv, 'feed=annual_reports&fileName=annual_reports-2026.csv');
    expect(response.statusCode).toBe(201);
    const report = response.json();
    expect(report).toMatchObject({
      feed: 'annual_reports',
      fileName: 'annual_reports-2026.csv',
      rowsRead: 2,
      rowsAccepted: 1,
      rowsRejected: 1,
      rowsChanged: 1,
      rejections: [{ line: 3, column: 'revenue', reason: expect.stringMatching(/negative/) }],
    });
    expect(report.fileSha256).toMatch(/^[0-9a-f]{64}$/);

    const record = await app.inject({ method: 'GET', url: `/imports/${report.importId}`, headers: bearer(admin) });
    expect(record.statusCode).toBe(200);
    expect(record.json()).toMatchObject({
      id: report.importId,
      feed: 'annual_reports',
      fileName: 'annual_reports-2026.csv',
      importedBy: 'city-admin',
      status: 'completed',
      rowsRead: 2,
      rowsAccepted: 1,
      rowsRejected: 1,
      rowsChanged: 1,
    });
    expect(Date.parse(record.json().startedAt)).not.toBeNaN();

    const again = await upload(csv, 'feed=annual_reports&fileName=annual_reports-2026.csv');
    expect(again.json()).toMatchObject({ rowsRead: 2, rowsChanged: 0 });
  });

  it('rejects a row with a control character for its line and column, ten times over, and the pool still serves', async () => {
    const header = FEEDS.registrations.columns.map((c) => c.name).join(',');
    for (let attempt = 0; attempt < 10; attempt++) {
      const code = uscc();
      const csv = `${header}\n${code},泥人\u0000张,op-${code},张某,120103,,2018-05-01,active,false,,\n`;
      const response = await upload(csv, 'feed=registrations');
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({
        rowsRead: 1,
        rowsRejected: 1,
        rejections: [{ line: 2, column: 'name', reason: expect.stringMatching(/control character U\+0000 at character 3/) }],
      });
    }
    // The pool (4 connections) serves, and no connection was left inside a transaction.
    expect(await database.sql`select 1 as ok`).toEqual([{ ok: 1 }]);
    const stuck = await database.sql`
      select state from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`;
    expect(stuck).toEqual([]);
  });

  it('streams an upload larger than a JSON body may be', async () => {
    const rows = Array.from({ length: 30_000 }, () => `${uscc()},${LAST_YEAR},${LAST_YEAR + 1}-03-01,1.00`);
    const csv = reportsCsv(...rows);
    expect(csv.length).toBeGreaterThan(1_048_576);
    const response = await upload(csv, 'feed=annual_reports');
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ rowsRead: 30_000, rowsAccepted: 30_000, rowsChanged: 30_000 });
  });

  it('pages through the rejections of an import', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => `${uscc()},${LAST_YEAR},${LAST_YEAR + 1}-03-01,-${i + 1}`);
    const { importId } = (await upload(reportsCsv(...rows), 'feed=annual_reports')).json();
    const page2 = await app.inject({ method: 'GET', url: `/imports/${importId}/rejections?page=2&pageSize=2`, headers: bearer(admin) });
    expect(page2.statusCode).toBe(200);
    expect(page2.json()).toEqual({
      importId,
      fileName: 'annual_reports.csv',
      page: 2,
      pageSize: 2,
      total: 5,
      items: [
        { line: 4, column: 'revenue', reason: '"-3" is negative: amounts in yuan are ≥ 0' },
        { line: 5, column: 'revenue', reason: '"-4" is negative: amounts in yuan are ≥ 0' },
      ],
    });
  });

  it('answers 400 naming the field for an unknown feed or none', async () => {
    const unknown = await upload(reportsCsv(), 'feed=weather');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().details).toMatchObject({ field: 'feed' });
    const missing = await upload(reportsCsv(), 'fileName=x.csv');
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details).toMatchObject({ field: 'feed' });
  });

  it('answers 422 naming the column for a file whose header is wrong', async () => {
    const response = await upload(`${REPORTS_HEADER},remarks\n`, 'feed=annual_reports');
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ message: expect.stringMatching(/unknown column "remarks"/), details: { field: 'file', column: 'remarks' } });
  });

  it('answers 409 (T-RUN) while a tiering run is running, and fails a run whose workflow was terminated', async () => {
    const workflowId = `imports-api-test-${process.pid}`;
    // A run's workflow with no worker to move it: running for as long as the test wants.
    const handle = await env.client.workflow.start(TIERING_RUN_WORKFLOW_TYPE, {
      taskQueue: `imports-api-test-no-worker-${process.pid}`,
      workflowId,
      args: [{ year: 2026, asOf: '2026-08-01', requestedBy: { id: 'tester', role: 'city' } }],
    });
    const [run] = await database.sql<{ id: number }[]>`
      insert into tiering_runs (year, version, as_of, thresholds, rule_version, status, workflow_id, requested_by, started_at)
      values (2026, 1, '2026-08-01', '{}'::jsonb, 'test', 'running', ${workflowId}, 'tester', now())
      returning id`;
    const csv = () => reportsCsv(`${uscc()},${LAST_YEAR},${LAST_YEAR + 1}-03-01,1.00`);
    const refused = await upload(csv(), 'feed=annual_reports');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().details).toMatchObject({ clause: 'T-RUN', field: 'feed', runId: run!.id });

    await handle.terminate('stopped by an operator');
    const imported = await upload(csv(), 'feed=annual_reports');
    expect(imported.statusCode, imported.body).toBe(201);
    const [after] = await database.sql<{ status: string }[]>`select status from tiering_runs where id = ${run!.id}`;
    expect(after).toEqual({ status: 'failed' });
    const [event] = await database.sql<{ action: string; reason: string; actor_role: string }[]>`
      select action, reason, actor_role from case_events where case_id = ${workflowId} order by seq desc limit 1`;
    expect(event).toMatchObject({ action: 'tiering_run_failed', actor_role: 'system', reason: expect.stringMatching(/^T-RUN: its workflow .* ended \(TERMINATED\)/) });
  });
});

describe('POST /imports with a server-side file', () => {
  beforeAll(() => {
    writeFileSync(join(importDir, 'agency', 'reports.csv'), reportsCsv(`${uscc()},${LAST_YEAR},${LAST_YEAR + 1}-03-01,88.00`));
    writeFileSync(join(scratch, 'outside.csv'), reportsCsv());
    symlinkSync(join(scratch, 'outside.csv'), join(importDir, 'link-out.csv'));
  });

  it('imports a file under the import directory', async () => {
    const response = await importServerFile({ feed: 'annual_reports', path: 'agency/reports.csv' });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ fileName: join('agency', 'reports.csv'), rowsRead: 1, rowsAccepted: 1 });
  });

  it.each([
    ['a path climbing out', '../outside.csv'],
    ['an absolute path elsewhere', '/etc/passwd'],
    ['a link leading out', 'link-out.csv'],
  ])('answers 403 naming the field for %s', async (_case, path) => {
    const response = await importServerFile({ feed: 'annual_reports', path });
    expect(response.statusCode).toBe(403);
    expect(response.json().details).toMatchObject({ field: 'path' });
  });

  it('answers 404 for a file that is not there, and 422 for a directory', async () => {
    const missing = await importServerFile({ feed: 'annual_reports', path: 'agency/none.csv' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().details).toMatchObject({ field: 'path' });
    const directory = await importServerFile({ feed: 'annual_reports', path: 'agency' });
    expect(directory.statusCode).toBe(422);
    expect(directory.json().details).toMatchObject({ field: 'path' });
  });

  it('answers 404 naming the field when the API was given no import directory', async () => {
    const uploadsOnly = await buildApp({ database, temporal: env.client, authSecret: SECRET, caseSettings: DEFAULT_CASE_SETTINGS, now: () => NOW });
    try {
      const response = await uploadsOnly.inject({ method: 'POST', url: '/imports', headers: bearer(admin), payload: { feed: 'annual_reports', path: 'agency/reports.csv' } });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ message: expect.stringContaining('IMPORT_DIR'), details: { field: 'path' } });
    } finally {
      await uploadsOnly.close();
    }
  });

  it('answers 400 naming the field for an unknown feed', async () => {
    const response = await importServerFile({ feed: 'weather', path: 'agency/reports.csv' });
    expect(response.statusCode).toBe(400);
    expect(response.json().details).toMatchObject({ field: 'feed' });
  });
});

describe('POST /imports with neither a CSV upload nor a JSON body', () => {
  it.each<[string, Record<string, string>, string | undefined]>([
    ['no body', {}, undefined],
  ])('answers 400 for %s, naming the body and what it may be, and imports nothing', async (_case, headers, payload) => {
    const [before] = await database.sql<[{ count: number }]>`select count(*)::int as count from imports`;
    const response = await app.inject({ method: 'POST', url: '/imports', headers: { ...bearer(admin), ...headers }, ...(payload === undefined ? {} : { payload }) });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: 'Bad Request',
      message: expect.stringMatching(/text\/csv.*JSON body \{ feed, path \}/),
      details: { field: 'body' },
    });
    expect(await database.sql`select count(*)::int as count from imports`).toEqual([before]);
  });

  it('answers 415 for a text/plain body, a media type it does not read, naming the two it does, and imports nothing', async () => {
    const [before] = await database.sql<[{ count: number }]>`select count(*)::int as count from imports`;
    const response = await app.inject({ method: 'POST', url: '/imports', headers: { ...bearer(admin), 'content-type': 'text/plain' }, payload: 'agency/reports.csv' });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({
      error: 'Unsupported Media Type',
      message: expect.stringMatching(/application\/json.*text\/csv/),
      details: { field: 'body' },
    });
    expect(await database.sql`select count(*)::int as count from imports`).toEqual([before]);
  });
});

describe('GET /imports', () => {
  it('documents the routes in the OpenAPI document', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(Object.keys(response.json().paths)).toEqual(expect.arrayContaining(['/imports', '/imports/{id}', '/imports/{id}/rejections']));
  });

  it('lists the imports newest first, by page and by feed', async () => {
    const all = await app.inject({ method: 'GET', url: '/imports?pageSize=2', headers: bearer(admin) });
    expect(all.statusCode).toBe(200);
    const body = all.json();
    expect(body).toMatchObject({ page: 1, pageSize: 2 });
    expect(body.total).toBeGreaterThanOrEqual(4);
    expect(body.items).toHaveLength(2);
    expect(body.items[0].id).toBeGreaterThan(body.items[1].id);
    const none = await app.inject({ method: 'GET', url: '/imports?feed=ip_rights', headers: bearer(admin) });
    expect(none.json()).toMatchObject({ total: 0, items: [] });
  });

  it('answers 404 for an unknown import', async () => {
    const response = await app.inject({ method: 'GET', url: '/imports/999999', headers: bearer(admin) });
    expect(response.statusCode).toBe(404);
    expect(response.json().details).toMatchObject({ field: 'id' });
  });

  it.each([
    ['an import ID beyond the database integer', '/imports/2147483648', 'id'],
    ['the rejections of an import ID beyond the database integer', '/imports/2147483648/rejections', 'id'],
    ['a page past the deepest', '/imports?page=100001', 'page'],
    ['a page of rejections past the deepest', '/imports/1/rejections?page=100001', 'page'],
    ['a page whose offset overflows', '/imports?page=1000000000000000000', 'page'],
  ])('answers 400 naming the field for %s', async (_case, url, field) => {
    const response = await app.inject({ method: 'GET', url, headers: bearer(admin) });
    expect(response.statusCode).toBe(400);
    expect(response.json().details).toMatchObject({ field });
  });
});
