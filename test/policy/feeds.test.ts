import { describe, expect, it } from 'vitest';
import { FEEDS, FEED_NAMES, ROW_COLUMN, rowParserFor, type FeedName, type RowParser } from '../../policy/feeds.js';
import { usccCheckCharacter } from '../../policy/uscc.js';

const TODAY = '2026-11-26';
const household = (organisation = 'MA05T3K21', district = '120101') => {
  const first17 = `92${district}${organisation}`;
  return first17 + usccCheckCharacter(first17);
};
const USCC = household();
const COMPANY_USCC = (() => {
  const first17 = '91120101MA05T3K21';
  return first17 + usccCheckCharacter(first17);
})();

/** A valid record of each feed, by column name. */
const VALID: Record<FeedName, Record<string, string>> = {
  registrations: {
    uscc: USCC,
    name: '和平区老胡同煎饼果子铺',
    operator_id: 'op-1',
    operator_name: '胡某',
    district_code: '120101',
    industry_code: 'H6291',
    established_on: '2015-03-18',
    status: 'active',
    seasonal: 'false',
    suspended_on: '',
    special_group: '',
  },
  annual_reports: { uscc: USCC, year: '2025', filed_on: '2026-03-01', revenue: '12345.50' },
  tax: { uscc: USCC, year: '2025', tax_registered_on: '2015-04-01', general_taxpayer: 'true', vat_paid: '100', iit_paid: '', abnormal: 'false' },
  social_insurance: { uscc: USCC, year: '2025', insured_count: '3' },
  ip_rights: { uscc: USCC, kind: 'trademark', registration_no: '20000008', holder: 'operator', in_use: 'true' },
  credit_events: { uscc: USCC, kind: 'penalty_fine', listed_on: '2024-05-01', cleared_on: '2025-05-01', detail: '罚款2000元, 没收违法所得' },
  dishonest_debtors: { operator_id: 'op-1', listed_on: '2023-01-01', cleared_on: '' },
};

function parserFor(feed: FeedName, header = FEEDS[feed].columns.map((c) => c.name)): RowParser<unknown> {
  const result = rowParserFor(feed, header, TODAY);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.parser as RowParser<unknown>;
}

function parseWith(feed: FeedName, overrides: Record<string, string>) {
  const record = { ...VALID[feed], ...overrides };
  return parserFor(feed).parse(FEEDS[feed].columns.map((c) => record[c.name] as string));
}

describe('the feeds of the data contract', () => {
  it('names seven files with their keys', () => {
    expect(FEED_NAMES.map((feed) => FEEDS[feed].fileName)).toEqual([
      'registrations.csv',
      'annual_reports.csv',
      'tax.csv',
      'social_insurance.csv',
      'ip_rights.csv',
      'credit_events.csv',
      'dishonest_debtors.csv',
    ]);
    expect(FEEDS.ip_rights.key).toEqual(['kind', 'registration_no']);
    expect(FEEDS.dishonest_debtors.key).toEqual(['operator_id', 'listed_on']);
  });

  it.each(FEED_NAMES)('parses a valid %s row into a typed row', (feed) => {
    expect(parseWith(feed, {}).ok).toBe(true);
  });

  it('types every cell', () => {
    expect(parseWith('registrations', {})).toEqual({
      ok: true,
      row: {
        uscc: USCC,
        name: '和平区老胡同煎饼果子铺',
        operatorId: 'op-1',
        operatorName: '胡某',
        districtCode: '120101',
        industryCode: 'H6291',
        establishedOn: '2015-03-18',
        status: 'active',
        seasonal: false,
        suspendedOn: null,
        specialGroup: null,
      },
    });
    expect(parseWith('tax', {})).toEqual({
      ok: true,
      row: { uscc: USCC, year: 2025, taxRegisteredOn: '2015-04-01', generalTaxpayer: true, vatPaid: 100, iitPaid: null, abnormal: false },
    });
  });
});

describe('the header', () => {
  it('takes the columns in any order', () => {
    const header = [...FEEDS.annual_reports.columns.map((c) => c.name)].reverse();
    const parser = parserFor('annual_reports', header);
    expect(parser.parse(['12.00', '2026-03-01', '2025', USCC])).toEqual({
      ok: true,
      row: { uscc: USCC, year: 2025, filedOn: '2026-03-01', revenue: 12 },
    });
  });

  it.each([
    ['an unknown column', ['uscc', 'year', 'filed_on', 'revenue', 'remarks'], 'remarks', /unknown column "remarks"/],
    ['a missing column', ['uscc', 'year', 'filed_on'], 'revenue', /lacks column "revenue"/],
    ['a column named twice', ['uscc', 'year', 'filed_on', 'revenue', 'year'], 'year', /more than once/],
    ['a column in the wrong case', ['USCC', 'year', 'filed_on', 'revenue'], 'USCC', /unknown column "USCC"/],
  ])('refuses %s, naming it', (_case, header, column, reason) => {
    const result = rowParserFor('annual_reports', header, TODAY);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContainEqual({ column, reason: expect.stringMatching(reason) });
  });
});

type Case = [feed: FeedName, column: string, value: string, outcome: RegExp | unknown];

/** Valid cells give the typed value; invalid ones a reason matching the pattern. */
const CELL_CASES: Case[] = [
  // USCC: GB 32100-2015 with the check character, and an individual business (92…)
  ['annual_reports', 'uscc', USCC, USCC],
  ['annual_reports', 'uscc', `${USCC.slice(0, 17)}${USCC.endsWith('0') ? '1' : '0'}`, /check character/],
  ['annual_reports', 'uscc', USCC.slice(0, 17), /18 characters/],
  ['annual_reports', 'uscc', USCC.toLowerCase(), /not allowed/],
  ['annual_reports', 'uscc', COMPANY_USCC, /start with 92/],
  ['annual_reports', 'uscc', '', /requires a value/],
  // district: one of Tianjin's 16
  ['registrations', 'district_code', '120116', '120116'],
  ['registrations', 'district_code', '120107', /Tianjin's 16 districts/],
  ['registrations', 'district_code', '110101', /Tianjin's 16 districts/],
  ['registrations', 'district_code', '', /requires a value/],
  // dates: YYYY-MM-DD, real, not after today
  ['registrations', 'established_on', '2024-02-29', '2024-02-29'],
  ['registrations', 'established_on', TODAY, TODAY],
  ['registrations', 'established_on', '2026-11-27', /in the future/],
  ['registrations', 'established_on', '2025-02-29', /not a date/],
  ['registrations', 'established_on', '2025-1-01', /not a date/],
  ['registrations', 'established_on', '2025/01/01', /not a date/],
  ['registrations', 'established_on', ' 2025-01-01', /not a date/],
  ['registrations', 'suspended_on', '', null],
  ['credit_events', 'cleared_on', '2099-01-01', /in the future/],
  // booleans: true/false, empty is false
  ['registrations', 'seasonal', 'true', true],
  ['registrations', 'seasonal', '', false],
  ['registrations', 'seasonal', 'TRUE', /not true or false/],
  ['registrations', 'seasonal', '1', /not true or false/],
  ['tax', 'abnormal', 'yes', /not true or false/],
  // money: yuan ≥ 0, at most 2 decimals, at most 13 integer digits
  ['annual_reports', 'revenue', '0', 0],
  ['annual_reports', 'revenue', '12345.5', 12345.5],
  ['annual_reports', 'revenue', '12345.50', 12345.5],
  ['annual_reports', 'revenue', '9999999999999.99', 9999999999999.99],
  ['annual_reports', 'revenue', '', null],
  ['annual_reports', 'revenue', '-1200.00', /negative/],
  ['annual_reports', 'revenue', '-0.01', /negative/],
  ['annual_reports', 'revenue', '1.234', /more than 2 decimals/],
  ['annual_reports', 'revenue', '10000000000000', /too large/],
  ['annual_reports', 'revenue', '1,000', /not an amount/],
  ['annual_reports', 'revenue', '1.', /not an amount/],
  ['annual_reports', 'revenue', '.5', /not an amount/],
  ['annual_reports', 'revenue', '-abc', /not an amount/],
  ['annual_reports', 'revenue', '1e5', /not an amount/],
  ['tax', 'vat_paid', '-5', /negative/],
  // year: 4 digits, not after the current year
  ['social_insurance', 'year', '2026', 2026],
  ['social_insurance', 'year', '2027', /after the current year/],
  ['social_insurance', 'year', '25', /4-digit year/],
  ['social_insurance', 'year', '0999', /4-digit year/],
  ['social_insurance', 'year', '20a5', /4-digit year/],
  ['social_insurance', 'year', '', /requires a value/],
  // insured_count: a whole number ≥ 0
  ['social_insurance', 'insured_count', '0', 0],
  ['social_insurance', 'insured_count', '4', 4],
  ['social_insurance', 'insured_count', '-2', /negative/],
  ['social_insurance', 'insured_count', '1.5', /whole number/],
  ['social_insurance', 'insured_count', '1234567890', /too large/],
  // enums
  ['registrations', 'status', 'revoked', 'revoked'],
  ['registrations', 'status', 'closed', /not one of active, revoked, deregistered, cancelled/],
  ['registrations', 'status', '', /requires a value/],
  ['registrations', 'special_group', 'returning_migrant', 'returning_migrant'],
  ['registrations', 'special_group', 'student', /not one of/],
  ['ip_rights', 'kind', 'copyright', /not one of trademark, patent/],
  ['ip_rights', 'holder', 'spouse', /not one of household, operator/],
  ['credit_events', 'kind', 'warning', /not one of abnormal_operation, serious_dishonesty, penalty_fine/],
  // text: required ones must not be blank, optional ones may be empty
  ['registrations', 'name', '   ', /blank/],
  ['registrations', 'name', '', /requires a value/],
  ['registrations', 'industry_code', '', null],
  ['dishonest_debtors', 'operator_id', '', /requires a value/],
  ['credit_events', 'detail', '', null],
  ['ip_rights', 'registration_no', '', /requires a value/],
];

describe('cells', () => {
  it.each(CELL_CASES)('%s.%s = %j', (feed, column, value, outcome) => {
    const result = parseWith(feed, { [column]: value });
    if (outcome instanceof RegExp) {
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors).toEqual([{ column, reason: expect.stringMatching(outcome) }]);
    } else {
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const property = FEEDS[feed].columns.find((c) => c.name === column)?.property as string;
      expect((result.row as Record<string, unknown>)[property]).toEqual(outcome);
    }
  });

  it('quotes a long cell only in part', () => {
    const result = parseWith('annual_reports', { revenue: 'x'.repeat(500) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]?.reason.length).toBeLessThan(100);
  });
});

describe('rows', () => {
  it('reports every broken cell of a row at once', () => {
    const result = parseWith('tax', { uscc: 'X', year: '3000', general_taxpayer: 'maybe', vat_paid: '-1' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.column)).toEqual(['uscc', 'year', 'general_taxpayer', 'vat_paid']);
  });

  it.each([
    ['fewer', 3],
    ['more', 5],
  ])('rejects a row with %s fields than the header, as a whole', (_case, width) => {
    const cells = Array.from({ length: width }, () => '');
    expect(parserFor('annual_reports').parse(cells)).toEqual({
      ok: false,
      errors: [{ column: ROW_COLUMN, reason: `has ${width} fields, the header has 4` }],
    });
  });

  it.each<[FeedName, Record<string, string>, string, RegExp]>([
    ['registrations', { established_on: '2020-05-01', suspended_on: '2020-04-30' }, 'suspended_on', /before the household was established/],
    ['annual_reports', { year: '2025', filed_on: '2025-12-31' }, 'filed_on', /only be filed after that year ends/],
    ['credit_events', { listed_on: '2024-05-01', cleared_on: '2024-04-30' }, 'cleared_on', /before it was listed/],
    ['dishonest_debtors', { listed_on: '2024-05-01', cleared_on: '2024-04-30' }, 'cleared_on', /before it was listed/],
  ])('checks the dates of a %s row against each other', (feed, overrides, column, reason) => {
    expect(parseWith(feed, overrides)).toEqual({ ok: false, errors: [{ column, reason: expect.stringMatching(reason) }] });
  });

  it.each<[FeedName, Record<string, string>]>([
    ['registrations', { established_on: '2020-05-01', suspended_on: '2020-05-01' }],
    ['annual_reports', { year: '2025', filed_on: '2026-01-01' }],
    ['credit_events', { listed_on: '2024-05-01', cleared_on: '2024-05-01' }],
  ])('accepts the boundary of those rules in %s', (feed, overrides) => {
    expect(parseWith(feed, overrides).ok).toBe(true);
  });
});

describe('text cells', () => {
  it.each([
    ['registrations', 'name', '老胡同\rnext', 'U+000D at character 4'],
    ['registrations', 'operator_name', '\u0000', 'U+0000 at character 1'],
    ['credit_events', 'detail', '罚款\u001b[31m', 'U+001B at character 3'],
    ['ip_rights', 'registration_no', '2000\u0085', 'U+0085 at character 5'],
    ['dishonest_debtors', 'operator_id', 'op\u007f', 'U+007F at character 3'],
  ] as const)('reject a control character in %s.%s, naming it and where it is', (feed, column, cell, where) => {
    expect(parseWith(feed, { [column]: cell })).toEqual({
      ok: false,
      errors: [{ column, reason: `holds the control character ${where}: text may hold no control character but tab and line feed` }],
    });
  });

  it('take tab and line feed, and refuse a cell longer than the limit', () => {
    expect(parseWith('credit_events', { detail: '第一条\t罚款\n第二条' })).toMatchObject({ ok: true });
    const long = parseWith('credit_events', { detail: '款'.repeat(2001) });
    expect(long).toMatchObject({ ok: false, errors: [{ column: 'detail', reason: expect.stringMatching(/longer than 2000 characters$/) }] });
  });

  it('quote a cell with a control character visibly in a reason, never the character itself', () => {
    const result = parseWith('registrations', { district_code: '12\u00000101' });
    expect(result).toEqual({ ok: false, errors: [{ column: 'district_code', reason: expect.stringContaining('"12<U+0000>0101"') }] });
  });
});
