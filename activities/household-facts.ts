/**
 * Loads the HouseholdFacts of policy/tiering.ts from the feed tables (data contract), set-based:
 * one query per feed for a whole USCC range, merged in memory in USCC order — never a query per
 * household.
 *
 * Only the rows that can matter on the as-of date are loaded, so that the facts stored in each
 * trace stay small and show what the decision was taken on: last year's annual report and
 * social insurance, the tax rows the rules read (last year's and the as-of year's, or else the
 * latest before them), credit listings of the two lists the base standard names made on or
 * before the as-of date, trademarks in use and patents. `decideTier` gives the same result on
 * these as on everything the feeds hold. The courts' list (dishonest_debtors) is not a tiering fact.
 *
 * Speed and memory, for the yearly run over a million households: the registration and the
 * per-year feeds the rules read one row of (last year's annual report and social insurance, last
 * year's and the as-of year's tax rows) come back joined, as ONE tab-separated line per household
 * in one text, which PostgreSQL builds and the worker splits once per household, rather than as
 * rows the driver decodes value by value (three times slower, measured) or as a text per feed
 * walked side by side (the walking cost the worker as much as deciding). Each household's facts
 * are built only when the caller iterates to it, so that a chunk holds its text, never all its
 * facts: short-lived objects are what the garbage collector handles cheaply. The columns are
 * dates, numbers, flags and codes the imports validated; a line that does not have its columns
 * stops the load instead of being misread. The two small feeds (IP rights, credit listings) come
 * back as ordinary rows.
 */
import type { ISql, PendingQuery, Row } from 'postgres';
import { yearOf, type IsoDate } from '../policy/dates.js';
import type { CreditEventFacts, HouseholdFacts, IpRightFacts, RegistrationStatus } from '../policy/tiering.js';

/** USCCs from `from` (inclusive) to `to` (exclusive); null leaves that end open. */
export interface UsccRange {
  from: string | null;
  to: string | null;
}

export interface HouseholdForTiering {
  districtCode: string;
  facts: HouseholdFacts;
}

/** The households of a range, in USCC byte order; iterating builds each one's facts in turn. */
export interface HouseholdsInRange extends Iterable<HouseholdForTiering> {
  readonly count: number;
}

/**
 * Every household of the range established by `asOf`, with its facts as of that date: the
 * yearly run's (T-RUN: a household established later is tiered on demand).
 */
export function loadHouseholdsInRange(sql: ISql, range: UsccRange, asOf: IsoDate): Promise<HouseholdsInRange> {
  const inRange = (column: string) => usccRangeFilter(sql, range, column);
  return loadHouseholds(sql, inRange, asOf, sql`and household.established_on <= ${asOf}`);
}

/** One household with its facts as of `asOf`, or null when the registry does not know it. */
export async function loadHousehold(sql: ISql, uscc: string, asOf: IsoDate): Promise<HouseholdForTiering | null> {
  const [household] = await loadHouseholds(sql, (column) => sql`${sql(column)} = ${uscc}`, asOf, sql``);
  return household ?? null;
}

/** The SQL condition `column` in `range`, for a query on any table keyed by USCC. */
export function usccRangeFilter(sql: ISql, range: UsccRange, column = 'uscc'): PendingQuery<Row[]> {
  const { from, to } = range;
  const uscc = sql(column);
  if (from !== null && to !== null) return sql`${uscc} >= ${from} and ${uscc} < ${to}`;
  if (from !== null) return sql`${uscc} >= ${from}`;
  if (to !== null) return sql`${uscc} < ${to}`;
  return sql`true`;
}

/**
 * Reads a text of lines `uscc \t …` in USCC byte order, alongside a caller that walks USCCs in
 * the same order. Lines for USCCs the caller skips (rows the registry does not hold) are passed over.
 */
export class LineCursor {
  private position = 0;

  constructor(
    private readonly text: string | null,
    private readonly columns: number,
    private readonly feed: string,
  ) {}

  /** Hands every line of `uscc`, split into its columns, to `take`. */
  forEach(uscc: string, take: (values: string[]) => void): void {
    const text = this.text;
    if (text === null) return;
    while (this.position < text.length) {
      const tab = text.indexOf(FIELD, this.position);
      const lineUscc = text.slice(this.position, tab);
      if (lineUscc > uscc) break;
      let end = text.indexOf(LINE, tab);
      if (end === -1) end = text.length;
      if (lineUscc === uscc) take(fields(text.slice(this.position, end), this.columns, this.feed));
      this.position = end + 1;
    }
  }
}

const LINE = '\n';
const FIELD = '\t';
const TAX_COLUMNS = 7;
/** A household's line: registration (6), last year's annual report (3), social insurance (1), tax of last year and of the as-of year (6 each). */
const HOUSEHOLD_COLUMNS = 22;
/** Where each fact sits in a household's line, in the order loadHouseholds selects them. */
const AT = {
  uscc: 0,
  districtCode: 1,
  establishedOn: 2,
  status: 3,
  seasonal: 4,
  suspendedOn: 5,
  reportYear: 6,
  reportFiledOn: 7,
  reportRevenue: 8,
  insuredCount: 9,
  /** A tax row's six columns follow these (taxRow's `before`); the first is its year, empty without a row. */
  beforeLastTax: 9,
  beforeThisTax: 15,
} as const;

/**
 * The households `registered` selects among those `inRange` holds, with their facts from the feed
 * rows `inRange` selects (`inRange(column)`: the condition on a table's USCC column).
 */
async function loadHouseholds(
  sql: ISql,
  inRange: (column: string) => PendingQuery<Row[]>,
  asOf: IsoDate,
  registered: PendingQuery<Row[]>,
): Promise<HouseholdsInRange> {
  const asOfYear = yearOf(asOf);
  const lastYear = asOfYear - 1;
  // Byte order (collate "C") for every list, so that the rows of the small feeds are walked alongside.
  // Each joined feed carries the range too, so that each reads the range of its primary key.
  const [[[households, count, withoutRecentTax]], ipRows, creditRows] = await Promise.all([
    sql`
      select string_agg(concat_ws(${FIELD},
               household.uscc, household.district_code, household.established_on, household.status, household.seasonal,
               coalesce(household.suspended_on::text, ''),
               coalesce(report.year::text, ''), coalesce(report.filed_on::text, ''), coalesce(report.revenue::float8::text, ''),
               coalesce(insured.insured_count::text, ''),
               ${taxFields(sql, 'last_tax')}, ${taxFields(sql, 'this_tax')}), ${LINE} order by household.uscc collate "C"),
             count(*)::int,
             -- Without a tax row for either year: their latest older row, if any, carries the flags.
             coalesce(array_agg(household.uscc) filter (where last_tax.uscc is null and this_tax.uscc is null), '{}')
      from households household
      left join annual_reports report
        on report.uscc = household.uscc and report.year = ${lastYear} and ${inRange('report.uscc')}
      left join social_insurance insured
        on insured.uscc = household.uscc and insured.year = ${lastYear} and ${inRange('insured.uscc')}
      -- T-G2 reads last year's tax row; the current flags live on the latest row up to the as-of year.
      left join tax_records last_tax
        on last_tax.uscc = household.uscc and last_tax.year = ${lastYear} and ${inRange('last_tax.uscc')}
      left join tax_records this_tax
        on this_tax.uscc = household.uscc and this_tax.year = ${asOfYear} and ${inRange('this_tax.uscc')}
      where ${inRange('household.uscc')} ${registered}`.values() as unknown as Promise<[[string | null, number, string[]]]>,
    sql`
      select uscc, kind, registration_no, holder, in_use
      from ip_rights where ${inRange('uscc')} and (kind = 'patent' or in_use)
      order by uscc collate "C", kind, registration_no`.values() as Promise<unknown[][]>,
    sql`
      select uscc, kind, listed_on::text as listed_on, cleared_on::text as cleared_on
      from credit_events
      where ${inRange('uscc')} and kind in ('abnormal_operation', 'serious_dishonesty') and listed_on <= ${asOf}
      order by uscc collate "C", listed_on, kind`.values() as Promise<unknown[][]>,
  ]);

  const olderTax =
    withoutRecentTax.length === 0
      ? null
      : await feedText(sql`
          select string_agg(${taxColumns(sql)}, ${LINE} order by uscc collate "C")
          from (
            select distinct on (uscc) * from tax_records
            where uscc = any(${withoutRecentTax}) and year < ${lastYear}
            order by uscc, year desc
          ) latest`);

  return {
    count,
    *[Symbol.iterator]() {
      const olderTaxLines = new LineCursor(olderTax, TAX_COLUMNS, 'tax_records');
      let ip = 0;
      let credit = 0;
      for (const line of linesOf(households)) {
        const values = fields(line, HOUSEHOLD_COLUMNS, 'households');
        const uscc = values[AT.uscc]!;
        const facts: HouseholdFacts = {
          uscc,
          establishedOn: values[AT.establishedOn]!,
          status: values[AT.status] as RegistrationStatus,
          seasonal: values[AT.seasonal] === 't',
          suspendedOn: orNull(values[AT.suspendedOn]!),
          annualReports: [],
          tax: [],
          socialInsurance: [],
          ipRights: [],
          creditEvents: [],
        };
        if (values[AT.reportYear] !== '') {
          facts.annualReports.push({ year: Number(values[AT.reportYear]), filedOn: orNull(values[AT.reportFiledOn]!), revenue: numberOrNull(values[AT.reportRevenue]!) });
        }
        if (values[AT.insuredCount] !== '') facts.socialInsurance.push({ year: lastYear, insuredCount: Number(values[AT.insuredCount]) });
        olderTaxLines.forEach(uscc, (older) => facts.tax.push(taxRow(older, 0)));
        if (values[AT.beforeLastTax + 1] !== '') facts.tax.push(taxRow(values, AT.beforeLastTax));
        if (values[AT.beforeThisTax + 1] !== '') facts.tax.push(taxRow(values, AT.beforeThisTax));
        for (; ip < ipRows.length && (ipRows[ip]![0] as string) <= uscc; ip++) {
          const [rowUscc, kind, registrationNo, holder, inUse] = ipRows[ip]!;
          if (rowUscc !== uscc) continue;
          facts.ipRights.push({
            kind: kind as IpRightFacts['kind'],
            registrationNo: registrationNo as string,
            holder: holder as IpRightFacts['holder'],
            inUse: inUse as boolean,
          });
        }
        for (; credit < creditRows.length && (creditRows[credit]![0] as string) <= uscc; credit++) {
          const [rowUscc, kind, listedOn, clearedOn] = creditRows[credit]!;
          if (rowUscc !== uscc) continue;
          facts.creditEvents.push({
            kind: kind as CreditEventFacts['kind'],
            listedOn: listedOn as IsoDate,
            clearedOn: clearedOn as IsoDate | null,
          });
        }
        yield { districtCode: values[AT.districtCode]!, facts };
      }
    },
  };
}

/** A tax row's six columns after its USCC (flags `t`/`f`, as in taxColumns), empty when the household has no such row. */
function taxFields(sql: ISql, table: string): PendingQuery<Row[]> {
  const column = (name: string) => sql(`${table}.${name}`);
  return sql`coalesce(${column('year')}::text, ''), coalesce(${column('tax_registered_on')}::text, ''),
             coalesce(left(${column('general_taxpayer')}::text, 1), ''), coalesce(${column('vat_paid')}::float8::text, ''),
             coalesce(${column('iit_paid')}::float8::text, ''), coalesce(left(${column('abnormal')}::text, 1), '')`;
}

function taxColumns(sql: ISql): PendingQuery<Row[]> {
  return sql`concat_ws(${FIELD}, uscc, year, coalesce(tax_registered_on::text, ''), general_taxpayer,
                       coalesce(vat_paid::float8::text, ''), coalesce(iit_paid::float8::text, ''), abnormal)`;
}

/** The tax row whose six columns follow `values[before]` (its USCC in a tax line). */
function taxRow(values: string[], before: number): HouseholdFacts['tax'][number] {
  return {
    year: Number(values[before + 1]),
    taxRegisteredOn: orNull(values[before + 2]!),
    generalTaxpayer: values[before + 3] === 't',
    vatPaid: numberOrNull(values[before + 4]!),
    iitPaid: numberOrNull(values[before + 5]!),
    abnormal: values[before + 6] === 't',
  };
}

async function feedText(query: PendingQuery<Row[]>): Promise<string | null> {
  const [[text]] = (await query.values()) as unknown as [[string | null]];
  return text;
}

function* linesOf(text: string | null): Generator<string> {
  if (text === null) return;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf(LINE, start);
    if (end === -1) end = text.length;
    yield text.slice(start, end);
    start = end + 1;
  }
}

function fields(line: string, count: number, feed: string): string[] {
  const values = line.split(FIELD);
  if (values.length !== count) {
    throw new Error(`${feed}: a row of ${values[0]} has ${values.length} columns instead of ${count} (a tab or line break in a value)`);
  }
  return values;
}

function orNull(value: string): string | null {
  return value === '' ? null : value;
}

function numberOrNull(value: string): number | null {
  return value === '' ? null : Number(value);
}
