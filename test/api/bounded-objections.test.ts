// What the public can add to a case is bounded (C-SELF; README "Bounded cases"): a thousand
// objections on one notice, through the API, on the time-skipping server and PostgreSQL, leave
// the case's history bounded per run and the case decidable.
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { and, eq, isNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { publicityObjections } from '../../db/recognition-schema.js';
import type { Actor } from '../../policy/actors.js';
import { cstDateOf, yearOf } from '../../policy/dates.js';
import { YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { MAX_OBJECTIONS_PER_CASE, MAX_OBJECTIONS_PER_SENDER } from '../../policy/recognition-case.js';
import { caseApiStack } from '../support/api-stack.js';
import { acceptAndVerify, auditTrail, runsOf, startApplication } from '../support/recognition.js';
import { districtOffice } from '../support/stack.js';
import { bearerFor } from '../support/tokens.js';

const SECRET = 'bounded-objections-secret-with-at-least-32-bytes';
const DISTRICT = '120104';
let now: number;

const stack = await caseApiStack({ authSecret: SECRET, eligibilitySettings: YEAR_ROUND_ELIGIBILITY_SETTINGS, now: () => now });
const { env, database, app } = stack;
now = await env.currentTimeMs();

const bearer = bearerFor(SECRET, () => now);

/** An objection as a member of the public sends it, from `address`. */
function object(caseId: string, address: string, reason: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: `/publicity/${caseId}/objections`, remoteAddress: address, headers, payload: { reason } });
}

/** Distinct addresses, one per sender, as a crowd sends them. */
const addressOf = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

async function caseUnderPublicity() {
  const year = yearOf(cstDateOf(now));
  const started = await startApplication(env, database, { taskQueue: stack.taskQueue, district: DISTRICT, year });
  await acceptAndVerify(started.handle, DISTRICT);
  return started;
}

describe('objections to a publicity notice (C-SELF)', () => {
  it('bounds one sender, keeps an Idempotency-Key to one objection, and rate-limits an address', async () => {
    const { caseId } = await caseUnderPublicity();
    const numbers: number[] = [];
    for (let i = 1; i <= MAX_OBJECTIONS_PER_SENDER; i++) {
      const filed = await object(caseId, '192.0.2.10', `第${i}条：该店铺并非老字号`);
      expect(filed.statusCode).toBe(201);
      numbers.push(filed.json().objectionNo);
    }
    expect(numbers).toEqual([1, 2, 3]);
    const beyond = await object(caseId, '192.0.2.10', '第四条');
    expect(beyond.statusCode).toBe(409);
    expect(beyond.json()).toMatchObject({ details: { field: 'caseId', clause: 'C-SELF', limit: MAX_OBJECTIONS_PER_SENDER } });
    // A named objector is its own sender, wherever it sends from.
    const neighbour: Actor = { id: 'neighbour-1', role: 'public' };
    const once = { 'idempotency-key': 'neighbour-objection-1', ...bearer(neighbour) };
    const named = await object(caseId, '192.0.2.10', '招牌上的创立年份与登记不符', once);
    expect(named.json()).toEqual({ caseId, objectionNo: 4 });
    expect((await object(caseId, '192.0.2.11', '招牌上的创立年份与登记不符', once)).json()).toEqual({ caseId, objectionNo: 4 });
    const otherText = await object(caseId, '192.0.2.11', '另一件事', once);
    expect(otherText.statusCode).toBe(422);
    expect(otherText.json().details).toMatchObject({ field: 'idempotency-key', clause: 'C-SELF' });

    // Ten requests a minute from one address (five sent above): the eleventh is refused before anything is read.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await object(caseId, '192.0.2.10', `flood ${i}`)).statusCode);
    expect(statuses).toEqual([409, 409, 409, 409, 409, 429, 429]);
    const limited = await object(caseId, '192.0.2.10', 'flood');
    expect(limited.json()).toMatchObject({ error: 'Too Many Requests', details: { field: 'rateLimit' } });
    // Only what was filed is kept: nothing of the refused requests.
    const kept = await database.db.select().from(publicityObjections).where(eq(publicityObjections.caseId, caseId));
    expect(kept.map((row) => row.objectionNo).sort()).toEqual([1, 2, 3, 4]);
  });

  it(
    'takes a thousand objections on one case with the history bounded per run, refuses the next, and the case is still decided',
    async () => {
      const { caseId, handle, firstRunId } = await caseUnderPublicity();
      const text = (n: number) => `异议${n}：${'该户并非本地经营三十年以上的老店，'.repeat(80)}`.slice(0, 2000);
      // Numbered as they reach the case, not as they were sent: which text got which number.
      const textOf = new Map<number, string>();
      // A few at a time, so that the case saves them in small batches and its history reaches
      // the length at which Temporal suggests continuing as new.
      const batch = 4;
      for (let from = 1; from <= MAX_OBJECTIONS_PER_CASE; from += batch) {
        const answers = await Promise.all(
          Array.from({ length: Math.min(batch, MAX_OBJECTIONS_PER_CASE - from + 1) }, (_, i) => object(caseId, addressOf(from + i), text(from + i))),
        );
        answers.forEach((answer, i) => {
          expect(answer.statusCode, answer.body).toBe(201);
          textOf.set(answer.json().objectionNo, text(from + i));
        });
      }
      expect([...textOf.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: MAX_OBJECTIONS_PER_CASE }, (_, i) => i + 1));

      const full = await object(caseId, addressOf(MAX_OBJECTIONS_PER_CASE + 1), '还有一条');
      expect(full.statusCode).toBe(409);
      expect(full.json().details).toMatchObject({ field: 'caseId', clause: 'C-SELF' });
      expect(full.json().message).toMatch(/南开区市场监管局/);
      const unfiled = await database.db
        .select()
        .from(publicityObjections)
        .where(and(eq(publicityObjections.caseId, caseId), isNull(publicityObjections.objectionNo)));
      expect(unfiled).toEqual([]);

      // The case continued as new while it took them; no run's history, and no event in it, grows with the objections.
      const runs = await runsOf(env, caseId, firstRunId);
      expect(runs.length).toBeGreaterThan(1);
      for (const runId of runs) {
        const history = await env.client.workflow.getHandle(caseId, runId).fetchHistory();
        const events = history.events ?? [];
        expect(events.length).toBeLessThan(8_000);
        expect(historyToJSON(history).length).toBeLessThan(8_000_000);
        const largest = Math.max(...events.map((event) => JSON.stringify(event).length));
        expect(largest).toBeLessThan(64_000);
      }

      const office = districtOffice(DISTRICT);
      const view = await app.inject({ method: 'GET', url: `/cases/${caseId}`, headers: bearer(office) });
      expect(view.json()).toMatchObject({ status: 'publicity', objectionsFiled: MAX_OBJECTIONS_PER_CASE });
      expect(view.json().objections).toHaveLength(MAX_OBJECTIONS_PER_CASE);
      expect(view.json().objections[41]).toMatchObject({ objectionNo: 42, reason: textOf.get(42), resolution: null });

      const review = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: `/cases/${caseId}/review`, headers: bearer(office), payload });
      const dismissed = await review({ decision: 'resolve_objection', objectionNo: 1000, upheld: false, reason: '经核实，所述情况不属实' });
      expect(dismissed.statusCode).toBe(200);
      expect(dismissed.json().objections[999]).toMatchObject({ objectionNo: 1000, resolution: 'dismissed', resolvedBy: office.id });
      const upheld = await review({ decision: 'resolve_objection', objectionNo: 7, upheld: true, reason: '经核实，该户经营年限不足三十年' });
      expect(upheld.statusCode).toBe(200);
      expect(upheld.json()).toMatchObject({ status: 'rejected' });
      await handle.result();

      const trail = await auditTrail(database, caseId);
      const filings = trail.filter((event) => event.action === 'objection_filed');
      expect(filings).toHaveLength(MAX_OBJECTIONS_PER_CASE);
      // The text never passed through the workflow, yet each filing's audit record carries it.
      const filing42 = filings.find((event) => (event.details as { objectionNo: number }).objectionNo === 42)!;
      expect(filing42).toMatchObject({ actorId: 'anonymous', reason: textOf.get(42), clauses: ['C-SELF'] });
      expect(trail.at(-1)).toMatchObject({ action: 'objection_resolved', toStatus: 'rejected', clauses: ['C-SELF'] });
      const [row7] = await database.db
        .select()
        .from(publicityObjections)
        .where(and(eq(publicityObjections.caseId, caseId), eq(publicityObjections.objectionNo, 7)));
      expect(row7).toMatchObject({ resolution: 'upheld', resolvedBy: office.id, resolutionReason: '经核实，该户经营年限不足三十年' });
    },
    600_000,
  );
});
