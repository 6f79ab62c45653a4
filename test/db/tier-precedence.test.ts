import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPLACES_CURRENT_TIER } from '../../activities/tiering-internals.js';
import { replacesCurrentTier, type TierDecisionStanding, type TierSource } from '../../policy/tiering-run.js';
import { PRECEDENCE_TABLE, standing } from '../support/tier-precedence.js';

/**
 * The precedence of tier decisions is a pure function (policy/tiering-run.ts) and, for the
 * set-based applying of a million tiers, SQL text (REPLACES_CURRENT_TIER). Both decide the same
 * rows here: the current tiers in a table made like household_tiers, the new decisions as the
 * activities write them (year int, as_of date, source text), joined as on-demand tiering joins them.
 */
let sql: postgres.Sql;

beforeAll(() => {
  sql = postgres(inject('databaseUrl'), { max: 1, onnotice: () => {} });
});
afterAll(() => sql?.end());

type Row = { decision: TierDecisionStanding; held: TierDecisionStanding | null };

async function decidedBySql(rows: readonly Row[]): Promise<boolean[]> {
  return sql.begin(async (tx) => {
    await tx`create temp table held_tiers (like household_tiers) on commit drop`;
    const held = rows.flatMap((row, i) =>
      row.held
        ? [{ uscc: `case-${i}`, year: row.held.year, tier: 'survival', source: row.held.source, as_of: row.held.asOf, rule_version: 'test', trace: {}, decided_at: '2025-01-01T00:00:00Z' }]
        : [],
    );
    if (held.length > 0) await tx`insert into held_tiers ${tx(held)}`;
    const decisions = rows.map((row, i) => ({ uscc: `case-${i}`, i, year: row.decision.year, as_of: row.decision.asOf, source: row.decision.source }));
    const answers = await tx`
      select c.i, ${tx.unsafe(REPLACES_CURRENT_TIER)} as replaced
      from jsonb_to_recordset(${JSON.stringify(decisions)}::text::jsonb) as c(uscc text, i int, year int, as_of date, source text)
      cross join lateral (select c.year::int as year, c.as_of::date as as_of, c.source::text as source) decision
      left join held_tiers held on held.uscc = c.uscc
      order by c.i`;
    return answers.map((answer) => answer.replaced as boolean);
  });
}

describe('REPLACES_CURRENT_TIER decides as replacesCurrentTier', () => {
  it('on the table of rules', async () => {
    const rows = PRECEDENCE_TABLE.map(([, decision, held]) => ({ decision, held }));
    expect(await decidedBySql(rows)).toEqual(PRECEDENCE_TABLE.map(([, , , replaces]) => replaces));
  });

  it('on every combination of year, as-of date and source, with and without a current tier', async () => {
    const sources: TierSource[] = ['run', 'on_demand', 'objection'];
    const decisions = [2024, 2025, 2026].flatMap((year) =>
      [`${year}-01-01`, `${year}-08-01`, `${year}-12-31`].flatMap((asOf) => sources.map((source) => standing(year, asOf, source))),
    );
    const rows: Row[] = decisions.flatMap((decision) => [{ decision, held: null }, ...decisions.map((held) => ({ decision, held }))]);
    const bySql = await decidedBySql(rows);
    const byFunction = rows.map((row) => replacesCurrentTier(row.decision, row.held));
    expect(rows.length).toBe(27 * 28);
    expect(bySql).toEqual(byFunction);
    // Both answers occur, so neither side can pass by answering one of them throughout.
    expect(new Set(byFunction)).toEqual(new Set([true, false]));
  });
});
