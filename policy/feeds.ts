/**
 * The seven feeds of the source data contract (data-contract.md): their files, keys and columns,
 * and the rules every cell must meet before a row may enter the database.
 *
 * A parser is made once per file from its header (exact column set, order free) and then
 * checks each row, returning the typed row or every `{ column, reason }` the row breaks, so a
 * rejected row is reported in full at once. It runs for every row of a city-wide import, so it
 * avoids regular expressions and Date objects: dates are validated by `isValidIsoDate` and
 * compared as ISO strings.
 *
 * `today` is the import's CST date: a date after it, or a year after its year, cannot be a fact
 * yet and is rejected.
 */
import { isValidIsoDate, yearOf, type IsoDate } from './dates.js';
import { isTianjinDistrict } from './districts.js';
import { codePointName, controlCharacterIndex, visible } from './text.js';
import { validateUscc } from './uscc.js';

export const FEED_NAMES = [
  'registrations',
  'annual_reports',
  'tax',
  'social_insurance',
  'ip_rights',
  'credit_events',
  'dishonest_debtors',
] as const;
export type FeedName = (typeof FEED_NAMES)[number];

export function isFeedName(name: string): name is FeedName {
  return (FEED_NAMES as readonly string[]).includes(name);
}

export const REGISTRATION_STATUSES = ['active', 'revoked', 'deregistered', 'cancelled'] as const;
export const SPECIAL_GROUPS = ['veteran', 'graduate', 'disabled', 'returning_migrant'] as const;
export const IP_KINDS = ['trademark', 'patent'] as const;
export const IP_HOLDERS = ['household', 'operator'] as const;
export const CREDIT_EVENT_KINDS = ['abnormal_operation', 'serious_dishonesty', 'penalty_fine'] as const;

export interface RegistrationRow {
  uscc: string;
  name: string;
  operatorId: string;
  operatorName: string;
  districtCode: string;
  industryCode: string | null;
  establishedOn: IsoDate;
  status: (typeof REGISTRATION_STATUSES)[number];
  seasonal: boolean;
  suspendedOn: IsoDate | null;
  specialGroup: (typeof SPECIAL_GROUPS)[number] | null;
}

export interface AnnualReportRow {
  uscc: string;
  year: number;
  filedOn: IsoDate | null;
  revenue: number | null;
}

export interface TaxRow {
  uscc: string;
  year: number;
  taxRegisteredOn: IsoDate | null;
  generalTaxpayer: boolean;
  vatPaid: number | null;
  iitPaid: number | null;
  abnormal: boolean;
}

export interface SocialInsuranceRow {
  uscc: string;
  year: number;
  insuredCount: number;
}

export interface IpRightRow {
  uscc: string;
  kind: (typeof IP_KINDS)[number];
  registrationNo: string;
  holder: (typeof IP_HOLDERS)[number];
  inUse: boolean;
}

export interface CreditEventRow {
  uscc: string;
  kind: (typeof CREDIT_EVENT_KINDS)[number];
  listedOn: IsoDate;
  clearedOn: IsoDate | null;
  detail: string | null;
}

export interface DishonestDebtorRow {
  operatorId: string;
  listedOn: IsoDate;
  clearedOn: IsoDate | null;
}

export interface FeedRows {
  registrations: RegistrationRow;
  annual_reports: AnnualReportRow;
  tax: TaxRow;
  social_insurance: SocialInsuranceRow;
  ip_rights: IpRightRow;
  credit_events: CreditEventRow;
  dishonest_debtors: DishonestDebtorRow;
}

/**
 * How a cell is read. `text`, `uscc`, `district` and `enum` stay strings; `date` an IsoDate;
 * `boolean` true/false; `money` yuan as a number (≥ 0, at most 2 decimals); `year` and `count`
 * integers.
 */
export type ColumnType = 'uscc' | 'district' | 'text' | 'enum' | 'date' | 'boolean' | 'money' | 'year' | 'count';

export interface ColumnSpec {
  /** The column's name in the file, and in the database table. */
  name: string;
  /** The typed row's property. */
  property: string;
  type: ColumnType;
  /** Whether an empty cell is allowed, meaning "none" (null; false for a boolean). */
  optional: boolean;
  values?: readonly string[];
}

export interface FeedSpec {
  name: FeedName;
  fileName: string;
  /** The columns that identify a row: a re-import updates the row with the same key. */
  key: readonly string[];
  columns: readonly ColumnSpec[];
}

export interface CellError {
  column: string;
  reason: string;
}

export type RowResult<Row> = { ok: true; row: Row } | { ok: false; errors: CellError[] };

/** Largest amount kept exact through a double: 13 integer digits and 2 decimals. */
const MONEY_MAX_INTEGER_DIGITS = 13;
const COUNT_MAX_DIGITS = 9;
const SHOWN_CELL_CHARS = 40;
/** Longest text cell: a name or a credit listing's detail is far shorter; more is a broken file. */
export const MAX_TEXT_CELL_CHARS = 2000;
const HOUSEHOLD_USCC_PREFIX = '92';

const DIGIT_0 = 48;
const DIGIT_9 = 57;
const DOT = 46;
const MINUS = 45;

function column(name: string, property: string, type: ColumnType, optional = false, values?: readonly string[]): ColumnSpec {
  return values === undefined ? { name, property, type, optional } : { name, property, type, optional, values };
}

export const FEEDS: Readonly<Record<FeedName, FeedSpec>> = {
  registrations: {
    name: 'registrations',
    fileName: 'registrations.csv',
    key: ['uscc'],
    columns: [
      column('uscc', 'uscc', 'uscc'),
      column('name', 'name', 'text'),
      column('operator_id', 'operatorId', 'text'),
      column('operator_name', 'operatorName', 'text'),
      column('district_code', 'districtCode', 'district'),
      column('industry_code', 'industryCode', 'text', true),
      column('established_on', 'establishedOn', 'date'),
      column('status', 'status', 'enum', false, REGISTRATION_STATUSES),
      column('seasonal', 'seasonal', 'boolean', true),
      column('suspended_on', 'suspendedOn', 'date', true),
      column('special_group', 'specialGroup', 'enum', true, SPECIAL_GROUPS),
    ],
  },
  annual_reports: {
    name: 'annual_reports',
    fileName: 'annual_reports.csv',
    key: ['uscc', 'year'],
    columns: [
      column('uscc', 'uscc', 'uscc'),
      column('year', 'year', 'year'),
      column('filed_on', 'filedOn', 'date', true),
      column('revenue', 'revenue', 'money', true),
    ],
  },
  tax: {
    name: 'tax',
    fileName: 'tax.csv',
    key: ['uscc', 'year'],
    columns: [
      column('uscc', 'uscc', 'uscc'),
      column('year', 'year', 'year'),
      column('tax_registered_on', 'taxRegisteredOn', 'date', true),
      column('general_taxpayer', 'generalTaxpayer', 'boolean', true),
      column('vat_paid', 'vatPaid', 'money', true),
      column('iit_paid', 'iitPaid', 'money', true),
      column('abnormal', 'abnormal', 'boolean', true),
    ],
  },
  social_insurance: {
    name: 'social_insurance',
    fileName: 'social_insurance.csv',
    key: ['uscc', 'year'],
    columns: [column('uscc', 'uscc', 'uscc'), column('year', 'year', 'year'), column('insured_count', 'insuredCount', 'count')],
  },
  ip_rights: {
    name: 'ip_rights',
    fileName: 'ip_rights.csv',
    key: ['kind', 'registration_no'],
    columns: [
      column('uscc', 'uscc', 'uscc'),
      column('kind', 'kind', 'enum', false, IP_KINDS),
      column('registration_no', 'registrationNo', 'text'),
      column('holder', 'holder', 'enum', false, IP_HOLDERS),
      column('in_use', 'inUse', 'boolean', true),
    ],
  },
  credit_events: {
    name: 'credit_events',
    fileName: 'credit_events.csv',
    key: ['uscc', 'kind', 'listed_on'],
    columns: [
      column('uscc', 'uscc', 'uscc'),
      column('kind', 'kind', 'enum', false, CREDIT_EVENT_KINDS),
      column('listed_on', 'listedOn', 'date'),
      column('cleared_on', 'clearedOn', 'date', true),
      column('detail', 'detail', 'text', true),
    ],
  },
  dishonest_debtors: {
    name: 'dishonest_debtors',
    fileName: 'dishonest_debtors.csv',
    key: ['operator_id', 'listed_on'],
    columns: [column('operator_id', 'operatorId', 'text'), column('listed_on', 'listedOn', 'date'), column('cleared_on', 'clearedOn', 'date', true)],
  },
};

/** Rules between cells of one row, checked once every cell is valid on its own. */
const ROW_RULES: { [F in FeedName]?: (row: FeedRows[F]) => CellError | null } = {
  registrations: (row) =>
    row.suspendedOn !== null && row.suspendedOn < row.establishedOn
      ? { column: 'suspended_on', reason: `suspension filed on ${row.suspendedOn}, before the household was established (${row.establishedOn})` }
      : null,
  annual_reports: (row) =>
    row.filedOn !== null && yearOf(row.filedOn) <= row.year
      ? { column: 'filed_on', reason: `the report for ${row.year} can only be filed after that year ends, not on ${row.filedOn}` }
      : null,
  credit_events: (row) => clearedBeforeListed(row),
  dishonest_debtors: (row) => clearedBeforeListed(row),
};

function clearedBeforeListed(row: { listedOn: IsoDate; clearedOn: IsoDate | null }): CellError | null {
  return row.clearedOn !== null && row.clearedOn < row.listedOn
    ? { column: 'cleared_on', reason: `cleared on ${row.clearedOn}, before it was listed (${row.listedOn})` }
    : null;
}

export interface RowParser<Row> {
  feed: FeedSpec;
  /** Where each of the feed's columns (in the spec's order) stands in the file's records. */
  cellIndexes: readonly number[];
  /** Checks one record (its cells in the file's column order). */
  parse(cells: readonly string[]): RowResult<Row>;
}

export type HeaderResult<Row> = { ok: true; parser: RowParser<Row> } | { ok: false; errors: CellError[] };

/**
 * A row parser for a file of `feed` whose first record is `header`, or every header problem:
 * an unknown column, a missing column, a column named twice.
 */
export function rowParserFor<F extends FeedName>(feed: F, header: readonly string[], today: IsoDate): HeaderResult<FeedRows[F]> {
  const spec = FEEDS[feed];
  const errors: CellError[] = [];
  const positions = new Map<string, number>();
  header.forEach((name, index) => {
    if (positions.has(name)) {
      errors.push({ column: name, reason: `column "${name}" appears more than once in the header` });
    } else if (!spec.columns.some((c) => c.name === name)) {
      errors.push({
        column: name,
        reason: `unknown column "${name}" for ${spec.fileName} (its columns are ${spec.columns.map((c) => c.name).join(', ')})`,
      });
    }
    positions.set(name, index);
  });
  for (const c of spec.columns) {
    if (!positions.has(c.name)) errors.push({ column: c.name, reason: `the header lacks column "${c.name}"` });
  }
  if (errors.length > 0) return { ok: false, errors };

  const cellIndexes = spec.columns.map((c) => positions.get(c.name) as number);
  const readers = spec.columns.map((c) => cellReader(c, today));
  const rowRule = ROW_RULES[feed] as ((row: FeedRows[F]) => CellError | null) | undefined;
  const width = header.length;
  const parser: RowParser<FeedRows[F]> = {
    feed: spec,
    cellIndexes,
    parse(cells) {
      if (cells.length !== width) {
        return { ok: false, errors: [{ column: ROW_COLUMN, reason: `has ${cells.length} fields, the header has ${width}` }] };
      }
      const row: Record<string, unknown> = {};
      let cellErrors: CellError[] | null = null;
      for (let i = 0; i < readers.length; i++) {
        const result = (readers[i] as CellReader)(cells[cellIndexes[i] as number] as string);
        if (result instanceof CellProblem) {
          (cellErrors ??= []).push({ column: (spec.columns[i] as ColumnSpec).name, reason: result.reason });
        } else {
          row[(spec.columns[i] as ColumnSpec).property] = result;
        }
      }
      if (cellErrors !== null) return { ok: false, errors: cellErrors };
      const typed = row as unknown as FeedRows[F];
      const broken = rowRule?.(typed) ?? null;
      return broken === null ? { ok: true, row: typed } : { ok: false, errors: [broken] };
    },
  };
  return { ok: true, parser };
}

/** The column named in a rejection that concerns the whole row (field count, CSV syntax). */
export const ROW_COLUMN = '(row)';

class CellProblem {
  constructor(readonly reason: string) {}
}

type CellValue = string | number | boolean | null;
type CellReader = (cell: string) => CellValue | CellProblem;

const EMPTY_REQUIRED = new CellProblem('is empty, and this column requires a value');

function cellReader(spec: ColumnSpec, today: IsoDate): CellReader {
  const read = typedReader(spec, today);
  const empty: CellValue | CellProblem = !spec.optional ? EMPTY_REQUIRED : spec.type === 'boolean' ? false : null;
  return (cell) => (cell === '' ? empty : read(cell));
}

function typedReader(spec: ColumnSpec, today: IsoDate): CellReader {
  switch (spec.type) {
    case 'uscc':
      return readHouseholdUscc;
    case 'district':
      return readDistrict;
    case 'text':
      return spec.optional ? readText : readRequiredText;
    case 'enum':
      return enumReader(spec.values ?? []);
    case 'date':
      return dateReader(today);
    case 'boolean':
      return readBoolean;
    case 'money':
      return readMoney;
    case 'year':
      return yearReader(yearOf(today));
    case 'count':
      return readCount;
  }
}

function readHouseholdUscc(cell: string): string | CellProblem {
  const validation = validateUscc(cell);
  if (!validation.ok) return new CellProblem(`${shown(cell)} is not a valid USCC (GB 32100-2015): ${validation.reason}`);
  if (!cell.startsWith(HOUSEHOLD_USCC_PREFIX)) {
    return new CellProblem(`${shown(cell)} is not the USCC of an individual business (those start with ${HOUSEHOLD_USCC_PREFIX})`);
  }
  return cell;
}

function readDistrict(cell: string): string | CellProblem {
  return isTianjinDistrict(cell)
    ? cell
    : new CellProblem(`${shown(cell)} is not the division code of one of Tianjin's 16 districts (1201xx)`);
}

function readRequiredText(cell: string): string | CellProblem {
  return cell.trim() === '' ? new CellProblem('is blank, and this column requires a value') : readText(cell);
}

/** Text as the API takes it too (policy/text.ts): bounded, and no control character but tab and line feed. */
function readText(cell: string): string | CellProblem {
  if (cell.length > MAX_TEXT_CELL_CHARS) return new CellProblem(`${shown(cell)} is longer than ${MAX_TEXT_CELL_CHARS} characters`);
  const control = controlCharacterIndex(cell);
  if (control >= 0) {
    return new CellProblem(
      `holds the control character ${codePointName(cell.charAt(control))} at character ${control + 1}: text may hold no control character but tab and line feed`,
    );
  }
  return cell;
}

function enumReader(values: readonly string[]): CellReader {
  const allowed = new Set(values);
  return (cell) => (allowed.has(cell) ? cell : new CellProblem(`${shown(cell)} is not one of ${values.join(', ')}`));
}

function dateReader(today: IsoDate): CellReader {
  return (cell) => {
    if (!isValidIsoDate(cell)) return new CellProblem(`${shown(cell)} is not a date (YYYY-MM-DD)`);
    if (cell > today) return new CellProblem(`${cell} is in the future (today is ${today})`);
    return cell;
  };
}

function readBoolean(cell: string): boolean | CellProblem {
  if (cell === 'true') return true;
  if (cell === 'false') return false;
  return new CellProblem(`${shown(cell)} is not true or false`);
}

function readMoney(cell: string): number | CellProblem {
  if (cell.charCodeAt(0) === MINUS && !(readUnsignedMoney(cell.slice(1)) instanceof CellProblem)) {
    return new CellProblem(`${shown(cell)} is negative: amounts in yuan are ≥ 0`);
  }
  return readUnsignedMoney(cell);
}

function readUnsignedMoney(cell: string): number | CellProblem {
  let integerDigits = 0;
  let decimals = -1;
  for (let i = 0; i < cell.length; i++) {
    const c = cell.charCodeAt(i);
    if (c === DOT && decimals < 0 && integerDigits > 0) {
      decimals = 0;
    } else if (c >= DIGIT_0 && c <= DIGIT_9) {
      if (decimals < 0) integerDigits++;
      else decimals++;
    } else {
      return new CellProblem(`${shown(cell)} is not an amount in yuan (like 12345.50)`);
    }
  }
  if (decimals === 0) return new CellProblem(`${shown(cell)} is not an amount in yuan (like 12345.50)`);
  if (decimals > 2) return new CellProblem(`${shown(cell)} has more than 2 decimals`);
  if (integerDigits > MONEY_MAX_INTEGER_DIGITS) return new CellProblem(`${shown(cell)} is too large (at most ${MONEY_MAX_INTEGER_DIGITS} digits before the point)`);
  return Number(cell);
}

function yearReader(currentYear: number): CellReader {
  return (cell) => {
    if (cell.length !== 4 || !allDigits(cell) || cell.charCodeAt(0) === DIGIT_0) {
      return new CellProblem(`${shown(cell)} is not a 4-digit year`);
    }
    const year = Number(cell);
    return year > currentYear ? new CellProblem(`${year} is after the current year (${currentYear})`) : year;
  };
}

function readCount(cell: string): number | CellProblem {
  if (cell.charCodeAt(0) === MINUS && allDigits(cell.slice(1))) {
    return new CellProblem(`${shown(cell)} is negative: a count is ≥ 0`);
  }
  if (!allDigits(cell)) return new CellProblem(`${shown(cell)} is not a whole number`);
  if (cell.length > COUNT_MAX_DIGITS) return new CellProblem(`${shown(cell)} is too large`);
  return Number(cell);
}

/** A cell as quoted in a reason: long enough to find it, short enough for a report line. */
function shown(cell: string): string {
  return cell.length > SHOWN_CELL_CHARS ? `"${visible(cell.slice(0, SHOWN_CELL_CHARS))}…"` : `"${visible(cell)}"`;
}

function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return false;
  }
  return s.length > 0;
}
