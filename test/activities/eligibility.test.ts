import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEligibilityActivities, readEligibilityFacts } from '../../activities/eligibility.js';
import { buildApp } from '../../api/app.js';
import type { Database } from '../../db/client.js';
import { recognitionBans, recognitions } from '../../db/recognition-schema.js';
import { cases, households } from '../../db/schema.js';
import { creditEvents, dishonestDebtors, householdTiers, tieringRuns } from '../../db/tiering-schema.js';
import type { Actor } from '../../policy/actors.js';
import { DEFAULT_CASE_SETTINGS } from '../../policy/recognition-case.js';
import { DEFAULT_ELIGIBILITY_SETTINGS, checkEligibility } from '../../policy/eligibility.js';
import { usccCheckCharacter } from '../../policy/uscc.js';
import { testDatabase } from '../support/stack.js';
import { bearerFor } from '../support/tokens.js';

// Years no other test file uses, so runs and cases here meet nobody else's.
const YEAR = 2071;
const NO_RUN_YEAR = 2072;
const APPLIED_ON = `${YEAR}-09-01`;

let database: Database;

const uscc = (district: string, serial: number) => {
  const first17 = `92${district}EL${String(serial).padStart(7, '0')}`;
  return first17 + usccCheckCharacter(first17);
};

const ELIGIBLE = uscc('120104', 1);
const BLOCKED = uscc('120104', 2);
const SIBLING_RECOGNISED = uscc('120104', 3);
const SIBLING_OPEN = uscc('120104', 4);
const SIBLING_IDLE = uscc('120104', 5);
const OTHER_DISTRICT = uscc('120101', 6);
const UNTIERED = uscc('120104', 7);

function household(code: string, operatorId: string, overrides: Partial<typeof households.$inferInsert> = {}) {
  return {
    uscc: code,
    name: `资格测试${code.slice(-4)}`,
    operatorId,
    operatorName: '测试',
    districtCode: code.slice(2, 8),
    establishedOn: '2080-05-01',
    status: 'active',
    ...overrides,
  };
}

function tierRow(code: string, tier: string) {
  return { uscc: code, year: YEAR, tier, source: 'run', asOf: `${YEAR}-08-01`, ruleVersion: 'test', trace: {}, decidedAt: new Date() };
}

function caseRow(code: string, year: number, status: string) {
  const at = new Date(`${year}-09-01T02:00:00Z`);
  return {
    caseId: `recognition-${code}-${year}`,
    uscc: code,
    year,
    category: 'quality',
    route: 'self',
    districtCode: code.slice(2, 8),
    status,
    version: 1,
    view: {},
    createdAt: at,
    updatedAt: at,
  };
}

function recognitionRow(code: string, caseYear: number, status: string) {
  return {
    caseId: `recognition-${code}-${caseYear}`,
    uscc: code,
    name: `资格测试${code.slice(-4)}`,
    districtCode: code.slice(2, 8),
    category: 'distinctive',
    recognisedOn: `${caseYear}-11-20`,
    validUntil: `${caseYear + 3}-11-19`,
    benefitsFrom: `${caseYear + 1}-01-01`,
    status,
    updatedAt: new Date(),
    version: 1,
  };
}

function run(version: number, inForce: boolean, completedAt: Date | null) {
  return {
    year: YEAR,
    version,
    asOf: `${YEAR}-08-01`,
    thresholds: {},
    ruleVersion: 'test',
    status: completedAt ? 'completed' : 'running',
    workflowId: `eligibility-test-run-${YEAR}-${version}`,
    requestedBy: 'test',
    startedAt: new Date(`${YEAR}-08-10T00:00:00Z`),
    completedAt,
    inForce,
  };
}

beforeAll(async () => {
  database = testDatabase();
  const { db } = database;
  await db.insert(households).values([
    household(ELIGIBLE, 'op-el-a'),
    household(BLOCKED, 'op-el-b', { specialGroup: 'veteran' }),
    household(SIBLING_RECOGNISED, 'op-el-b'),
    household(SIBLING_OPEN, 'op-el-b'),
    household(SIBLING_IDLE, 'op-el-b'),
    household(OTHER_DISTRICT, 'op-el-b'),
    household(UNTIERED, 'op-el-c', { status: 'deregistered' }),
  ]);
  await db.insert(householdTiers).values([tierRow(ELIGIBLE, 'growth'), tierRow(BLOCKED, 'survival')]);
  await db.insert(creditEvents).values([
    { uscc: BLOCKED, kind: 'penalty_fine', listedOn: `${YEAR - 2}-09-01`, clearedOn: null },
    { uscc: BLOCKED, kind: 'penalty_fine', listedOn: `${YEAR - 1}-03-01`, clearedOn: `${YEAR - 1}-06-01` },
    { uscc: BLOCKED, kind: 'abnormal_operation', listedOn: `${YEAR - 1}-01-01`, clearedOn: null },
    { uscc: ELIGIBLE, kind: 'penalty_fine', listedOn: `${YEAR - 2}-08-31`, clearedOn: null },
  ]);
  await db.insert(dishonestDebtors).values([
    { operatorId: 'op-el-b', listedOn: `${YEAR - 1}-05-01`, clearedOn: null },
    { operatorId: 'op-el-a', listedOn: `${YEAR - 3}-05-01`, clearedOn: APPLIED_ON },
  ]);
  await db.insert(recognitionBans).values([
    { caseId: `recognition-${BLOCKED}-${YEAR - 4}`, uscc: BLOCKED, revokedOn: `${YEAR - 4}-12-01`, bannedUntil: `${YEAR + 1}-12-01`, reason: '虚假材料', decidedBy: 'city' },
    { caseId: `recognition-${ELIGIBLE}-${YEAR - 5}`, uscc: ELIGIBLE, revokedOn: `${YEAR - 5}-09-01`, bannedUntil: APPLIED_ON, reason: '虚假材料', decidedBy: 'city' },
  ]);
  await db.insert(recognitions).values([
    recognitionRow(BLOCKED, YEAR - 2, 'recognised'),
    recognitionRow(BLOCKED, YEAR - 6, 'expired'),
    recognitionRow(SIBLING_RECOGNISED, YEAR - 1, 'recognised'),
    recognitionRow(OTHER_DISTRICT, YEAR - 1, 'recognised'),
  ]);
  await db.insert(cases).values([
    caseRow(BLOCKED, YEAR - 1, 'under_review'),
    caseRow(BLOCKED, YEAR - 3, 'rejected'),
    caseRow(BLOCKED, YEAR, 'under_review'),
    caseRow(SIBLING_OPEN, YEAR, 'publicity'),
    caseRow(SIBLING_IDLE, YEAR - 1, 'lapsed'),
  ]);
  await db.insert(tieringRuns).values([
    run(1, false, new Date(`${YEAR}-08-11T08:00:00Z`)),
    // 00:30 on 14 August in Beijing is still 13 August in UTC.
    run(2, true, new Date(`${YEAR}-08-13T16:30:00Z`)),
  ]);
});

afterAll(async () => {
  await database?.close();
});

const query = (code: string, overrides: Partial<Parameters<typeof readEligibilityFacts>[1]> = {}) => ({
  uscc: code,
  route: 'self' as const,
  applicationDate: APPLIED_ON,
  year: YEAR,
  ...overrides,
});

describe('readEligibilityFacts', () => {
  it('reads an eligible household: tier in force, the year\'s run in force since its CST completion date', async () => {
    const facts = await readEligibilityFacts(database.db, query(ELIGIBLE));
    expect(facts).toMatchObject({
      uscc: ELIGIBLE,
      route: 'self',
      applicationDate: APPLIED_ON,
      household: { status: 'active', districtCode: '120104', operatorId: 'op-el-a', specialGroup: null },
      tier: { tier: 'growth', year: YEAR },
      penaltyFines: [{ listedOn: `${YEAR - 2}-08-31`, clearedOn: null }],
      dishonestListings: [{ listedOn: `${YEAR - 3}-05-01`, clearedOn: APPLIED_ON }],
      bans: [{ bannedUntil: APPLIED_ON }],
      recognition: null,
      openCases: [],
      sameOperatorHouseholds: [],
      window: { year: YEAR, tieringRun: { version: 2, inForceSince: `${YEAR}-08-14` } },
    });
    const verdict = checkEligibility(facts, DEFAULT_ELIGIBILITY_SETTINGS);
    expect(verdict.results.filter((r) => !r.passed)).toEqual([]);
    expect(verdict.eligible).toBe(true);
  });

  it('reads every obstacle of a blocked household and of its operator\'s other households in the district', async () => {
    const facts = await readEligibilityFacts(database.db, query(BLOCKED));
    expect(facts.household).toMatchObject({ operatorId: 'op-el-b', specialGroup: 'veteran' });
    expect(facts.tier).toEqual({ tier: 'survival', year: YEAR });
    expect(facts.penaltyFines).toEqual([
      { listedOn: `${YEAR - 2}-09-01`, clearedOn: null },
      { listedOn: `${YEAR - 1}-03-01`, clearedOn: `${YEAR - 1}-06-01` },
    ]);
    expect(facts.dishonestListings).toEqual([{ listedOn: `${YEAR - 1}-05-01`, clearedOn: null }]);
    expect(facts.bans).toHaveLength(1);
    expect(facts.recognition).toMatchObject({ caseId: `recognition-${BLOCKED}-${YEAR - 2}`, category: 'distinctive' });
    // The rejected case is closed, and this year's case is the one the application would open.
    expect(facts.openCases).toEqual([
      { caseId: `recognition-${BLOCKED}-${YEAR - 1}`, year: YEAR - 1, status: 'under_review', route: 'self' },
    ]);
    expect(facts.yearCase).toEqual({ caseId: `recognition-${BLOCKED}-${YEAR}`, status: expect.any(String) });
    expect(facts.sameOperatorHouseholds.map((h) => [h.uscc, h.recognition?.caseId ?? null, h.openCases.map((c) => c.caseId)])).toEqual([
      [SIBLING_RECOGNISED, `recognition-${SIBLING_RECOGNISED}-${YEAR - 1}`, []],
      [SIBLING_OPEN, null, [`recognition-${SIBLING_OPEN}-${YEAR}`]],
    ]);

    const verdict = checkEligibility(facts, DEFAULT_ELIGIBILITY_SETTINGS);
    expect(verdict.eligible).toBe(false);
    expect(Object.fromEntries(verdict.results.map((r) => [r.clause, r.passed]))).toEqual({
      'C-CYCLE': true,
      'T-B1': true,
      'C-SRC': true,
      'C-EX1': false,
      'C-EX2': false,
      'C-BAN': false,
      'C-ONE-TYPE': false,
      'C-ONE-PERSON': false,
    });
  });

  it('finds no tier and no run in force for a year without one', async () => {
    const facts = await readEligibilityFacts(database.db, query(UNTIERED, { year: NO_RUN_YEAR, applicationDate: `${NO_RUN_YEAR}-09-01` }));
    expect(facts).toMatchObject({ tier: null, household: { status: 'deregistered' }, window: { year: NO_RUN_YEAR, tieringRun: null } });
    const failed = checkEligibility(facts, DEFAULT_ELIGIBILITY_SETTINGS).results.filter((r) => !r.passed).map((r) => r.clause);
    expect(failed).toEqual(['C-CYCLE', 'T-B1', 'C-SRC']);
  });

  it('is the activity the worker registers, and refuses a household missing from the registry without retrying', async () => {
    const { gatherEligibilityFacts } = createEligibilityActivities({ db: database.db });
    await expect(gatherEligibilityFacts(query(uscc('120104', 99)))).rejects.toMatchObject({
      type: 'HouseholdNotFound',
      nonRetryable: true,
    });
    expect((await gatherEligibilityFacts(query(ELIGIBLE))).tier).toEqual({ tier: 'growth', year: YEAR });
  });
});

describe('POST /applications refuses an ineligible household', () => {
  // Nothing may reach Temporal: the connection points nowhere, so a started workflow would be a 500.
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:9' }) });
  let now = Date.parse(`${APPLIED_ON}T02:00:00Z`);

  async function apply(code: string) {
    const app = await buildApp({ database, temporal, authSecret: 'eligibility-secret-with-at-least-32-bytes', caseSettings: DEFAULT_CASE_SETTINGS, now: () => now });
    try {
      const actor: Actor = { id: code, role: 'household', uscc: code };
      return await app.inject({
        method: 'POST',
        url: '/applications',
        headers: bearerFor('eligibility-secret-with-at-least-32-bytes', () => now, 600)(actor),
        payload: { uscc: code, category: 'quality', claimedCriteria: ['Q1'] },
      });
    } finally {
      await app.close();
    }
  }

  it('answers 422 naming the first failed clause, with every clause evaluated, and starts nothing', async () => {
    const response = await apply(UNTIERED);
    expect(response.statusCode).toBe(422);
    const body = response.json();
    expect(body).toMatchObject({ error: 'Unprocessable Entity', details: { field: 'uscc', clause: 'T-B1' } });
    expect(body.message).toMatch(/T-B1 .*C-SRC /);
    expect(body.details.eligibility.map((r: { clause: string; passed: boolean }) => [r.clause, r.passed])).toEqual([
      ['C-CYCLE', true],
      ['T-B1', false],
      ['C-SRC', false],
      ['C-EX1', true],
      ['C-EX2', true],
      ['C-BAN', true],
      ['C-ONE-TYPE', true],
      ['C-ONE-PERSON', true],
    ]);
    expect(body.details.eligibility[1]).toMatchObject({ facts: { status: 'deregistered' }, reason: expect.stringContaining('注销') });
  });

  it('answers 422 C-CYCLE from 16 October, CST, with the default window', async () => {
    now = Date.parse(`${YEAR}-10-15T16:00:00Z`);
    const closed = await apply(ELIGIBLE);
    expect(closed.statusCode).toBe(422);
    expect(closed.json().details).toMatchObject({ clause: 'C-CYCLE' });
    expect(closed.json().message).toContain(`${YEAR}年10月15日`);
  });
});
