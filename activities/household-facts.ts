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
 * Speed and memory, for the yearly run over a million households: the large feeds
 * (registrations, annual reports, tax, social insurance) come back as one tab-separated text per
 * feed, which PostgreSQL builds and the worker reads with cursors, rather than as rows the driver
 * decodes value by value (three times slower, measured). Each household's facts are built only
 * when the caller iterates to it, so that a chunk holds its feeds' texts, never all its facts:
 * short-lived objects are what the garbage collector handles cheaply. The columns of those feeds
 * are dates, numbers, flags and codes the imports validated; a line that does not have its
 * columns stops the load instead of being misread. The two small feeds (IP rights, credit
 * listings) come back as ordinary rows.
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
  const inRange = () => usccRangeFilter(sql, range);
  return loadHouseholds(sql, inRange, asOf, () => sql`${inRange()} and established_on <= ${asOf}`);
}

/** One household with its facts as of `asOf`, or null when the registry does not know it. */
export async function loadHousehold(sql: ISql, uscc: string, asOf: IsoDate): Promise<HouseholdForTiering | null> {
  const where = () => sql`uscc = ${uscc}`;
  const [household] = await loadHouseholds(sql, where, asOf, where);
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

  /** Hands every line of `uscc`, split into its columns, to `take`; says whether there was one. */
  forEach(uscc: string, take?: (values: string[]) => void): boolean {
    const text = this.text;
    let found = false;
    if (text === null) return found;
    while (this.position < text.length) {
      const tab = text.indexOf(FIELD, this.position);
      const lineUscc = text.slice(this.position, tab);
      if (lineUscc > uscc) break;
      let end = text.indexOf(LINE, tab);
      if (end === -1) end = text.length;
      if (lineUscc === uscc) {
        found = true;
        take?.(fields(text.slice(this.position, end), this.columns, this.feed));
      }
      this.position = end + 1;
    }
    return found;
  }
}

const LINE = '\n';
const FIELD = '\t';
const TAX_COLUMNS = 7;

/**
 * The households `registered` selects, with their facts from the feed rows `feedRows` selects (the
 * feeds' lines of other households are passed over).
 */
async function loadHouseholds(
  sql: ISql,
  feedRows: () => PendingQuery<Row[]>,
  asOf: IsoDate,
  registered: () => PendingQuery<Row[]>,
): Promise<HouseholdsInRange> {
  const asOfYear = yearOf(asOf);
  const lastYear = asOfYear - 1;
  // Byte order (collate "C") for every list, so that the cursors can walk them side by side.
  const [[[registrations, count]], reports, recentTax, insurance, ipRows, creditRows] = await Promise.all([
    sql`
      select string_agg(concat_ws(${FIELD}, uscc, district_code, established_on, status, seasonal,
                                  coalesce(suspended_on::text, '')), ${LINE} order by uscc collate "C"),
             count(*)::int
      from households where ${registered()}`.values() as unknown as Promise<[[string | null, number]]>,
    feedText(sql`
      select string_agg(concat_ws(${FIELD}, uscc, year, coalesce(filed_on::text, ''), coalesce(revenue::float8::text, '')),
                        ${LINE} order by uscc collate "C")
      from annual_reports where ${feedRows()} and year = ${lastYear}`),
    // T-G2 reads last year's tax row; the current flags live on the latest row up to the as-of
    // year, which is nearly always last year's or the as-of year's (older ones: below).
    feedText(sql`
      select string_agg(${taxColumns(sql)}, ${LINE} order by uscc collate "C", year)
      from tax_records where ${feedRows()} and year between ${lastYear} and ${asOfYear}`),
    feedText(sql`
      select string_agg(concat_ws(${FIELD}, uscc, year, insured_count), ${LINE} order by uscc collate "C")
      from social_insurance where ${feedRows()} and year = ${lastYear}`),
    sql`
      select uscc, kind, registration_no, holder, in_use
      from ip_rights where ${feedRows()} and (kind = 'patent' or in_use)
      order by uscc collate "C", kind, registration_no`.values() as Promise<unknown[][]>,
    sql`
      select uscc, kind, listed_on::text as listed_on, cleared_on::text as cleared_on
      from credit_events
      where ${feedRows()} and kind in ('abnormal_operation', 'serious_dishonesty') and listed_on <= ${asOf}
      order by uscc collate "C", listed_on, kind`.values() as Promise<unknown[][]>,
  ]);

  // Households without a tax row for either year: their latest older row, if any, carries the flags.
  const withoutRecentTax = usccsMissingFrom(registrations, recentTax);
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
      const reportLines = new LineCursor(reports, 4, 'annual_reports');
      const recentTaxLines = new LineCursor(recentTax, TAX_COLUMNS, 'tax_records');
      const olderTaxLines = new LineCursor(olderTax, TAX_COLUMNS, 'tax_records');
      const insuranceLines = new LineCursor(insurance, 3, 'social_insurance');
      let ip = 0;
      let credit = 0;
      for (const line of linesOf(registrations)) {
        const [uscc, districtCode, establishedOn, status, seasonal, suspendedOn] = fields(line, 6, 'households') as [
          string,
          string,
          string,
          string,
          string,
          string,
        ];
        const facts: HouseholdFacts = {
          uscc,
          establishedOn,
          status: status as RegistrationStatus,
          seasonal: seasonal === 't',
          suspendedOn: orNull(suspendedOn),
          annualReports: [],
          tax: [],
          socialInsurance: [],
          ipRights: [],
          creditEvents: [],
        };
        reportLines.forEach(uscc, ([, year, filedOn, revenue]) => {
          facts.annualReports.push({ year: Number(year), filedOn: orNull(filedOn!), revenue: numberOrNull(revenue!) });
        });
        olderTaxLines.forEach(uscc, (values) => facts.tax.push(taxRow(values)));
        recentTaxLines.forEach(uscc, (values) => facts.tax.push(taxRow(values)));
        insuranceLines.forEach(uscc, ([, year, insuredCount]) => {
          facts.socialInsurance.push({ year: Number(year), insuredCount: Number(insuredCount) });
        });
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
        yield { districtCode, facts };
      }
    },
  };
}

function taxColumns(sql: ISql): PendingQuery<Row[]> {
  return sql`concat_ws(${FIELD}, uscc, year, coalesce(tax_registered_on::text, ''), general_taxpayer,
                       coalesce(vat_paid::float8::text, ''), coalesce(iit_paid::float8::text, ''), abnormal)`;
}

function taxRow([, year, registeredOn, general, vat, iit, abnormal]: string[]): HouseholdFacts['tax'][number] {
  return {
    year: Number(year),
    taxRegisteredOn: orNull(registeredOn!),
    generalTaxpayer: general === 't',
    vatPaid: numberOrNull(vat!),
    iitPaid: numberOrNull(iit!),
    abnormal: abnormal === 't',
  };
}

/** The USCCs of the registrations text that have no line in `feed` (both in USCC byte order). */
function usccsMissingFrom(registrations: string | null, feed: string | null): string[] {
  const missing: string[] = [];
  const cursor = new LineCursor(feed, TAX_COLUMNS, 'tax_records');
  for (const line of linesOf(registrations)) {
    const uscc = line.slice(0, line.indexOf(FIELD));
    if (!cursor.forEach(uscc)) missing.push(uscc);
  }
  return missing;
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
