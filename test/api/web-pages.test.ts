import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { testDatabase } from '../support/stack.js';
import { bearerFor } from '../support/tokens.js';
import type { DemoActor } from '../../api/deps.js';

const SECRET = 'web-pages-test-secret-of-at-least-32-bytes';
const DEMO: DemoActor[] = [
  { actor: { id: 'demo-household', role: 'household', uscc: '92120101MA05T3K21X' }, label: '演示户', description: '试用' },
  { actor: { id: 'demo-city', role: 'city' }, label: '市市场监管委', description: '试用' },
];
const HTML = { accept: 'text/html,application/xhtml+xml' };
let webRoot: string;
let database: Database;
let pages: FastifyInstance;
let deployed: FastifyInstance;

beforeAll(async () => {
  webRoot = mkdtempSync(join(tmpdir(), 'web-pages-'));
  mkdirSync(join(webRoot, 'assets'));
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>培育平台</title>');
  writeFileSync(join(webRoot, 'assets', 'index-abc123.js'), 'console.log(1)');
  database = testDatabase();
  const common = { database, temporal: new Client(), authSecret: SECRET, caseSettings: DEFAULT_CASE_SETTINGS };
  pages = await buildApp({ ...common, webRoot, demoActors: DEMO });
  deployed = await buildApp({ ...common, webRoot });
});
afterAll(async () => {
  await pages?.close();
  await deployed?.close();
  await database?.close();
  rmSync(webRoot, { recursive: true, force: true });
});

describe('the API serves the built pages', () => {
  it('serves the first page at / and the hashed assets for a year', async () => {
    const root = await pages.inject({ url: '/', headers: HTML });
    expect(root.statusCode).toBe(200);
    expect(root.body).toContain('培育平台');
    const asset = await pages.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    // A rebuild while the API runs is served without a restart.
    writeFileSync(join(webRoot, 'assets', 'index-def456.js'), 'console.log(2)');
    expect((await pages.inject({ url: '/assets/index-def456.js' })).body).toBe('console.log(2)');
  });

  it("counts no page or asset against a browser's anonymous limit, while the API's reads stay limited", async () => {
    const limited = await buildApp({
      database,
      temporal: new Client(),
      authSecret: SECRET,
      caseSettings: DEFAULT_CASE_SETTINGS,
      webRoot,
      rateLimits: { perActorPerMinute: 600, anonymousReadsPerMinute: 3, anonymousWritesPerMinute: 3 },
    });
    try {
      for (let i = 0; i < 10; i += 1) {
        expect((await limited.inject({ url: '/assets/index-abc123.js' })).statusCode).toBe(200);
        expect((await limited.inject({ url: '/household/cases', headers: HTML })).statusCode).toBe(200);
      }
      const reads = [];
      for (let i = 0; i < 4; i += 1) reads.push((await limited.inject({ url: '/support-measures' })).statusCode);
      expect(reads).toEqual([200, 200, 200, 429]);
    } finally {
      await limited.close();
    }
  });

  it("answers a page address with index.html, so a reload lands on the pages' own route", async () => {
    for (const url of ['/login', '/public/lookup?q=1', '/household/cases/abc', '/district/worklist', '/city']) {
      const response = await pages.inject({ url, headers: HTML });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toContain('text/html');
      expect(response.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it("keeps the API's 404 for unknown API paths, for calls that do not ask for a page, and for other methods", async () => {
    for (const [url, headers, method] of [
      ['/cases/x/unknown', HTML, 'GET'],
      ['/nowhere', HTML, 'GET'],
      ['/public/unknown', { accept: 'application/json' }, 'GET'],
      ['/assets/missing.js', {}, 'GET'],
    ] as const) {
      const response = await pages.inject({ url, headers, method });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ error: 'Not Found', details: {} });
    }
  });

  it('leaves the API routes where they are', async () => {
    const response = await pages.inject({ url: '/support-measures', headers: { accept: 'application/json' } });
    expect(response.statusCode).toBe(200);
    expect(Array.isArray(response.json())).toBe(true);
  });

  it('answers the page for an address that is also an API route when a browser opens it, and the API to a call for JSON', async () => {
    const url = '/public/households/92120105MA09E1U74P';
    const opened = await pages.inject({ url, headers: HTML });
    expect(opened.statusCode).toBe(200);
    expect(opened.headers['content-type']).toContain('text/html');
    const called = await pages.inject({ url, headers: { accept: 'application/json' } });
    expect(called.headers['content-type']).toContain('application/json');
    expect(called.json()).toHaveProperty(called.statusCode === 200 ? 'tier' : 'error');
  });
});

describe('development sign-in (demo actors only when buildApp is given them)', () => {
  it('lists the demo actors and signs in as one with a token the API accepts', async () => {
    expect((await pages.inject({ url: '/demo/actors' })).json()).toEqual(DEMO);
    const signIn = await pages.inject({ method: 'POST', url: '/demo/sessions', payload: { actorId: 'demo-household' } });
    expect(signIn.statusCode).toBe(200);
    const { token, actor } = signIn.json();
    expect(actor).toEqual(DEMO[0]!.actor);
    const session = await pages.inject({ url: '/session', headers: { authorization: `Bearer ${token}` } });
    expect(session.json()).toEqual(DEMO[0]!.actor);
  });

  it('signs in on a training system whose clock has moved ahead with a token the API accepts (tokens live in real time)', async () => {
    const yearAhead = Date.now() + 365 * 24 * 3600 * 1000;
    const training = await buildApp({
      database,
      temporal: new Client(),
      authSecret: SECRET,
      caseSettings: DEFAULT_CASE_SETTINGS,
      webRoot,
      demoActors: DEMO,
      training: { now: () => yearAhead, advance: async () => {} },
    });
    try {
      const signIn = await training.inject({ method: 'POST', url: '/demo/sessions', payload: { actorId: 'demo-household' } });
      expect(signIn.statusCode).toBe(200);
      expect(Date.parse(signIn.json().expiresAt)).toBeLessThan(yearAhead);
      const session = await training.inject({ url: '/session', headers: { authorization: `Bearer ${signIn.json().token}` } });
      expect(session.statusCode).toBe(200);
      expect(session.json()).toEqual(DEMO[0]!.actor);
    } finally {
      await training.close();
    }
  });

  it('refuses an actor not on the list, naming the field', async () => {
    const response = await pages.inject({ method: 'POST', url: '/demo/sessions', payload: { actorId: 'city-supervisor' } });
    expect(response.statusCode).toBe(404);
    expect(response.json().details).toEqual({ field: 'actorId' });
    expect(response.json().message).toBe('没有这个演示账号：请从登录页的演示账号中选择');
  });

  it('has no demo routes in a deployment', async () => {
    expect((await deployed.inject({ url: '/demo/actors' })).statusCode).toBe(404);
    expect((await deployed.inject({ method: 'POST', url: '/demo/sessions', payload: { actorId: 'demo-city' } })).statusCode).toBe(404);
  });
});

describe('GET /session and GET /calendar/holiday-notices', () => {
  it('answers who a token speaks for, and 401 without one', async () => {
    const district = { id: 'reviewer-120104', role: 'district' as const, districtCode: '120104' };
    expect((await deployed.inject({ url: '/session', headers: bearerFor(SECRET, Date.now, 60)(district) })).json()).toEqual(district);
    expect((await deployed.inject({ url: '/session' })).statusCode).toBe(401);
  });

  it('lists the holiday notices to anyone', async () => {
    const response = await deployed.inject({ url: '/calendar/holiday-notices' });
    expect(response.statusCode).toBe(200);
    const notices = response.json() as { year: number; daysOff: string[] }[];
    expect(notices.map((n) => n.year)).toEqual(expect.arrayContaining([2025, 2026]));
    expect(notices.find((n) => n.year === 2026)!.daysOff.length).toBeGreaterThan(0);
  });
});
