/**
 * The yearly run's anchor (issue 14): the same households tiered by ONE set-based SQL statement
 * on the same server and as-of date, written from RULES.md part 1 on its own, not from the
 * project's rules (policy/tiering.ts). It stores only a tier per household (no trace, no current
 * tiers, no history): the floor a run is measured against. Its counts by tier must equal the
 * run's; if they differ, one of the two misreads the policy.
 *
 * Read as the clauses say, with the dates of the data contract:
 *   T-B1 status active; T-B2 last year's annual report filed by the as-of date, or established in
 *   the as-of year; T-B3/T-B4 no listing of that list made by the as-of date and not cleared by it;
 *   T-B5 the latest tax row up to the as-of year not abnormal; T-B6 no suspension filed within the
 *   3 years up to the as-of date (a filing exactly 3 years back has run its course) unless seasonal;
 *   T-AGE established and under tax management (the latest tax row's date) 2 years by the as-of date;
 *   T-D1/T-G1 last year's reported revenue against the run's thresholds; T-D2 general taxpayer on the
 *   latest tax row; T-D3/T-G3 last year's insured people ≥ 4 / 1–3; T-D4 a trademark in use; T-D5 a
 *   patent; T-G2 VAT or IIT actually paid last year. Only households established by the as-of date
 *   are tiered (T-RUN).
 */
import type { Sql } from 'postgres';
import { yearOf, type IsoDate } from '../../policy/dates.js';
import type { TierThresholds } from '../../policy/tiering.js';

const TIERING_TARGET_RATIO = 2.5;

export type AnchorCounts = Record<'unclassified' | 'survival' | 'growth' | 'development', number>;

export interface AnchorResult {
  seconds: number;
  counts: AnchorCounts;
}

/** Tiers the households established by `asOf` in one statement into an unlogged table; answers its time and counts. */
export async function tieringAnchor(sql: Sql, asOf: IsoDate, thresholds: TierThresholds): Promise<AnchorResult> {
  const asOfYear = yearOf(asOf);
  const lastYear = asOfYear - 1;
  const table = 'bench_tiering_anchor';
  await sql.unsafe(`drop table if exists ${table}`);
  const started = performance.now();
  await sql.unsafe(
    `
    create unlogged table ${table} as
    with latest_tax as (
      select distinct on (uscc) uscc, abnormal, general_taxpayer, tax_registered_on
      from tax_records where year <= $2
      order by uscc, year desc
    ), listed as (
      select distinct uscc from credit_events
      where kind in ('abnormal_operation', 'serious_dishonesty')
        and listed_on <= $1::date and (cleared_on is null or cleared_on > $1::date)
    ), ip as (
      select uscc, bool_or(kind = 'trademark' and in_use) as trademark, bool_or(kind = 'patent') as patent
      from ip_rights group by uscc
    ), facts as (
      select h.uscc,
             h.status = 'active'
               and (extract(year from h.established_on) = $2
                    or (report.filed_on is not null and report.filed_on <= $1::date))
               and listed.uscc is null
               and not coalesce(latest_tax.abnormal, false)
               and (h.suspended_on is null or h.suspended_on > $1::date
                    or h.suspended_on <= ($1::date - interval '3 years') or h.seasonal) as base,
             h.established_on <= ($1::date - interval '2 years')
               and latest_tax.tax_registered_on <= ($1::date - interval '2 years') as aged,
             coalesce(report.revenue >= $4, false)
               or coalesce(latest_tax.general_taxpayer, false)
               or coalesce(insured.insured_count >= 4, false)
               or coalesce(ip.trademark, false) or coalesce(ip.patent, false) as development,
             coalesce(report.revenue >= $5, false)
               or coalesce(last_tax.vat_paid > 0, false) or coalesce(last_tax.iit_paid > 0, false)
               or coalesce(insured.insured_count between 1 and 3, false) as growth
      from households h
      left join annual_reports report on report.uscc = h.uscc and report.year = $3
      left join social_insurance insured on insured.uscc = h.uscc and insured.year = $3
      left join tax_records last_tax on last_tax.uscc = h.uscc and last_tax.year = $3
      left join latest_tax on latest_tax.uscc = h.uscc
      left join listed on listed.uscc = h.uscc
      left join ip on ip.uscc = h.uscc
      where h.established_on <= $1::date
    )
    select uscc,
           case when not base then 'unclassified'
                when coalesce(aged, false) and development then 'development'
                when coalesce(aged, false) and growth then 'growth'
                else 'survival' end as tier
    from facts`,
    [asOf, asOfYear, lastYear, thresholds.developmentRevenueYuan, thresholds.growthRevenueYuan],
  );
  const seconds = (performance.now() - started) / 1000;
  const counts: AnchorCounts = { unclassified: 0, survival: 0, growth: 0, development: 0 };
  for (const row of await sql.unsafe(`select tier, count(*)::int as households from ${table} group by tier`)) {
    counts[row.tier as keyof AnchorCounts] = row.households as number;
  }
  await sql.unsafe(`drop table ${table}`);
  return { seconds, counts };
}

/** The figures line and the check: the run's counts by tier must be the anchor's. */
export function compareWithAnchor(run: { seconds: number; countsByTier: Record<string, number> | null }, anchor: AnchorResult): string[] {
  const ratio = run.seconds / anchor.seconds;
  const lines = [
    `  run ${run.seconds.toFixed(1)} s = ${ratio.toFixed(2)}× the one-statement tiering ${anchor.seconds.toFixed(1)} s (target ≤ ${TIERING_TARGET_RATIO}×)`,
    `  anchor tiers ${JSON.stringify(anchor.counts)}`,
  ];
  const differing = (Object.keys(anchor.counts) as Array<keyof AnchorCounts>).filter(
    (tier) => (run.countsByTier?.[tier] ?? 0) !== anchor.counts[tier],
  );
  if (differing.length > 0) {
    throw new Error(
      `the run's counts by tier ${JSON.stringify(run.countsByTier)} differ from the one-statement tiering's ` +
        `${JSON.stringify(anchor.counts)} in ${differing.join(', ')}: one of the two misreads RULES.md part 1`,
    );
  }
  lines.push('  counts by tier: the run and the one statement agree');
  return lines;
}
