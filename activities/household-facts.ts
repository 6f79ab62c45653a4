/**
 * Loads the HouseholdFacts of policy/tiering.ts from the feed tables (data contract), set-based:
 * one query per feed for a whole USCC range, merged in memory, never a query per household.
 *
 * Only the rows that can matter on the as-of date are loaded, so that the facts stored in each
 * trace stay small and show what the decision was taken on: last year's annual report and
 * social insurance, the tax rows the rules read (the latest up to the as-of year, and last
 * year's), credit listings of the two lists the base standard names made on or before the as-of
 * date, trademarks in use and patents. `decideTier` gives the same result on these as on
 * everything the feeds hold. The courts' list (dishonest_debtors) is not a tiering fact.
 */
import type { ISql, PendingQuery, Row, Sql } from 'postgres';
import { yearOf, type IsoDate } from '../policy/dates.js';
import type {
  AnnualReportFacts,
  CreditEventFacts,
  HouseholdFacts,
  IpRightFacts,
  RegistrationStatus,
  SocialInsuranceFacts,
  TaxFacts,
} from '../policy/tiering.js';

/** USCCs from `from` (inclusive) to `to` (exclusive); null leaves that end open. */
export interface UsccRange {
  from: string | null;
  to: string | null;
}

export interface HouseholdForTiering {
  districtCode: string;
  facts: HouseholdFacts;
}

type Filter = { kind: 'range'; range: UsccRange } | { kind: 'one'; uscc: string };

/** Every household of the range, in USCC order, with its facts as of `asOf`. */
export function loadHouseholdsInRange(sql: Sql, range: UsccRange, asOf: IsoDate): Promise<HouseholdForTiering[]> {
  return loadHouseholds(sql, { kind: 'range', range }, asOf);
}

/** One household with its facts as of `asOf`, or null when the registry does not know it. */
export async function loadHousehold(sql: Sql, uscc: string, asOf: IsoDate): Promise<HouseholdForTiering | null> {
  const [household] = await loadHouseholds(sql, { kind: 'one', uscc }, asOf);
  return household ?? null;
}

/** The SQL condition `uscc` in `range`, for a query on any table keyed by USCC. */
export function usccRangeFilter(sql: ISql, range: UsccRange): PendingQuery<Row[]> {
  const { from, to } = range;
  if (from !== null && to !== null) return sql`uscc >= ${from} and uscc < ${to}`;
  if (from !== null) return sql`uscc >= ${from}`;
  if (to !== null) return sql`uscc < ${to}`;
  return sql`true`;
}

async function loadHouseholds(sql: Sql, filter: Filter, asOf: IsoDate): Promise<HouseholdForTiering[]> {
  const asOfYear = yearOf(asOf);
  const lastYear = asOfYear - 1;
  const where = (): PendingQuery<Row[]> =>
    filter.kind === 'one' ? sql`uscc = ${filter.uscc}` : usccRangeFilter(sql, filter.range);

  const [registrations, reports, taxRows, insuranceRows, ipRows, creditRows] = await Promise.all([
    sql`
      select uscc, district_code, established_on::text as established_on, status, seasonal,
             suspended_on::text as suspended_on
      from households where ${where()} order by uscc`.values(),
    sql`
      select uscc, year, filed_on::text as filed_on, revenue::float8 as revenue
      from annual_reports where ${where()} and year = ${lastYear}`.values(),
    // The current flags live on the latest row up to the as-of year; T-G2 reads last year's row.
    sql`
      select uscc, year, tax_registered_on, general_taxpayer, vat_paid, iit_paid, abnormal
      from (
        select uscc, year, tax_registered_on::text as tax_registered_on, general_taxpayer,
               vat_paid::float8 as vat_paid, iit_paid::float8 as iit_paid, abnormal,
               row_number() over (partition by uscc order by year desc) as recency
        from tax_records where ${where()} and year <= ${asOfYear}
      ) ranked
      where recency = 1 or year = ${lastYear}
      order by uscc, year`.values(),
    sql`
      select uscc, year, insured_count
      from social_insurance where ${where()} and year = ${lastYear}`.values(),
    sql`
      select uscc, kind, registration_no, holder, in_use
      from ip_rights where ${where()} and (kind = 'patent' or in_use)
      order by uscc, kind, registration_no`.values(),
    sql`
      select uscc, kind, listed_on::text as listed_on, cleared_on::text as cleared_on
      from credit_events
      where ${where()} and kind in ('abnormal_operation', 'serious_dishonesty') and listed_on <= ${asOf}
      order by uscc, listed_on, kind`.values(),
  ]);

  const households: HouseholdForTiering[] = new Array(registrations.length);
  const byUscc = new Map<string, HouseholdFacts>();
  for (let i = 0; i < registrations.length; i++) {
    const [uscc, districtCode, establishedOn, status, seasonal, suspendedOn] = registrations[i] as [
      string,
      string,
      IsoDate,
      RegistrationStatus,
      boolean,
      IsoDate | null,
    ];
    const facts: HouseholdFacts = {
      uscc,
      establishedOn,
      status,
      seasonal,
      suspendedOn,
      annualReports: [],
      tax: [],
      socialInsurance: [],
      ipRights: [],
      creditEvents: [],
    };
    byUscc.set(uscc, facts);
    households[i] = { districtCode, facts };
  }
  for (const [uscc, year, filedOn, revenue] of reports as Iterable<[string, number, IsoDate | null, number | null]>) {
    byUscc.get(uscc)?.annualReports.push({ year, filedOn, revenue } satisfies AnnualReportFacts);
  }
  for (const [uscc, year, taxRegisteredOn, generalTaxpayer, vatPaid, iitPaid, abnormal] of taxRows as Iterable<
    [string, number, IsoDate | null, boolean, number | null, number | null, boolean]
  >) {
    byUscc.get(uscc)?.tax.push({ year, taxRegisteredOn, generalTaxpayer, vatPaid, iitPaid, abnormal } satisfies TaxFacts);
  }
  for (const [uscc, year, insuredCount] of insuranceRows as Iterable<[string, number, number]>) {
    byUscc.get(uscc)?.socialInsurance.push({ year, insuredCount } satisfies SocialInsuranceFacts);
  }
  for (const [uscc, kind, registrationNo, holder, inUse] of ipRows as Iterable<
    [string, IpRightFacts['kind'], string, IpRightFacts['holder'], boolean]
  >) {
    byUscc.get(uscc)?.ipRights.push({ kind, registrationNo, holder, inUse } satisfies IpRightFacts);
  }
  for (const [uscc, kind, listedOn, clearedOn] of creditRows as Iterable<
    [string, CreditEventFacts['kind'], IsoDate, IsoDate | null]
  >) {
    byUscc.get(uscc)?.creditEvents.push({ kind, listedOn, clearedOn } satisfies CreditEventFacts);
  }
  return households;
}
