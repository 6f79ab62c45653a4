import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ImportRefusedError, importFeed } from '../../activities/feed-import/importer.js';
import { connectDatabase, type Database } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { FEEDS, FEED_NAMES, type FeedName } from '../../policy/feeds.js';
import { usccCheckCharacter } from '../../policy/uscc.js';
import { writeCity } from '../../scripts/generate-city.js';

const TODAY = '2026-11-26';
const REGISTRATIONS_HEADER = FEEDS.registrations.columns.map((c) => c.name).join(',');
const REPORTS_HEADER = FEEDS.annual_reports.columns.map((c) => c.name).join(',');

// A database of this file's own: the import refuses while any tiering run is running, and the
// tiering tests start runs in the shared one.
let database: Database;
let databaseName: string;
let scratch: string;

beforeAll(async () => {
  const url = new URL(inject('databaseUrl'));
  databaseName = `${url.pathname.slice(1)}_importer`;
  const admin = postgres(url.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${databaseName}`);
  await admin.end();
  url.pathname = `/${databaseName}`;
  database = connectDatabase(url.toString(), { max: 4 });
  await migrateDatabase(database);
  scratch = mkdtempSync(join(tmpdir(), 'importer-test-'));
});

afterAll(async () => {
  await database?.close();
  const admin = postgres(inject('databaseUrl'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${databaseName} with (force)`);
  await admin.end();
  rmSync(scratch, { recursive: true, force: true });
});

let serial = 0;
function uscc(district = '120104'): string {
  serial += 1;
  const first17 = `92${district}MA${String(serial).padStart(7, '0')}`;
  return first17 + usccCheckCharacter(first17);
}

function importText(feed: FeedName, text: string, fileName = FEEDS[feed].fileName) {
  return importFeed({ database, feed, input: Readable.from([text]), fileName, importedBy: 'city-admin-1', today: TODAY });
}

const registration = (code: string, name: string, overrides: Partial<Record<string, string>> = {}) => {
  const row: Record<string, string> = {
    uscc: code,
    name,
    operator_id: `op-${code}`,
    operator_name: '张某',
    district_code: '120104',
    industry_code: 'H6291',
    established_on: '2018-05-01',
    status: 'active',
    seasonal: 'false',
    suspended_on: '',
    special_group: '',
    ...overrides,
  };
  return FEEDS.registrations.columns.map((c) => row[c.name]).join(',');
};

async function importCount(): Promise<number> {
  const [row] = await database.sql<{ n: number }[]>`select count(*)::integer as n from imports`;
  return row?.n ?? 0;
}

describe('importing a file with good and bad rows', () => {
  const good = [uscc(), uscc()];
  const bad = uscc();
  const text = [
    REGISTRATIONS_HEADER,
    registration(good[0] as string, '南开区老胡同煎饼果子铺'),
    registration(`${bad.slice(0, 17)}${bad.endsWith('0') ? '1' : '0'}`, '坏校验码'),
    registration(uscc(), '北京的店', { district_code: '110101' }),
    registration(uscc(), '未来的店', { established_on: '2099-01-01' }),
    registration(uscc(), '季节', { seasonal: 'maybe', status: 'closed' }),
    registration(good[1] as string, '"泥人张""老字号"", 工艺坊"'),
    'a,"b"c,d',
  ].join('\n');
  let report: Awaited<ReturnType<typeof importFeed>>;

  beforeAll(async () => {
    report = await importText('registrations', text);
  });

  it('counts the rows read, accepted, rejected and changed', () => {
    expect(report).toMatchObject({ feed: 'registrations', rowsRead: 7, rowsAccepted: 2, rowsRejected: 5, rowsChanged: 2 });
  });

  it('rejects each bad row with its line, column and reason', () => {
    expect(report.rejections).toEqual([
      { line: 3, column: 'uscc', reason: expect.stringMatching(/check character/) },
      { line: 4, column: 'district_code', reason: expect.stringMatching(/Tianjin's 16 districts/) },
      { line: 5, column: 'established_on', reason: '2099-01-01 is in the future (today is 2026-11-26)' },
      { line: 6, column: 'seasonal', reason: '"maybe" is not true or false' },
      { line: 6, column: 'status', reason: expect.stringMatching(/not one of active/) },
      { line: 8, column: '(row)', reason: expect.stringMatching(/malformed CSV/) },
    ]);
  });

  it('lands the good rows as they were written', async () => {
    const rows = await database.sql`select uscc, name, district_code, established_on::text, seasonal from households where uscc in ${database.sql(good)} order by name`;
    expect(rows).toEqual([
      { uscc: good[0], name: '南开区老胡同煎饼果子铺', district_code: '120104', established_on: '2018-05-01', seasonal: false },
      { uscc: good[1], name: '泥人张"老字号", 工艺坊', district_code: '120104', established_on: '2018-05-01', seasonal: false },
    ]);
  });

  it('keeps a record of the import: who, when, which file, the counts', async () => {
    const [record] = await database.sql`select * from imports where id = ${report.importId}`;
    expect(record).toMatchObject({
      feed: 'registrations',
      file_name: 'registrations.csv',
      file_sha256: createHash('sha256').update(text).digest('hex'),
      imported_by: 'city-admin-1',
      status: 'completed',
      rows_read: 7,
      rows_accepted: 2,
      rows_rejected: 5,
      rows_changed: 2,
    });
    const [timing] = await database.sql`select finished_at >= started_at as ordered from imports where id = ${report.importId}`;
    expect(timing?.ordered).toBe(true);
    const rejections = await database.sql`select line, "column" from import_rejections where import_id = ${report.importId} order by line, "column"`;
    expect(rejections).toHaveLength(6);
    expect(report.fileSha256).toBe(record?.file_sha256);
  });

  it('changes nothing when the same file comes again', async () => {
    const before = await database.sql`select uscc, updated_at from households where uscc in ${database.sql(good)} order by uscc`;
    const again = await importText('registrations', text);
    expect(again).toMatchObject({ rowsRead: 7, rowsAccepted: 2, rowsRejected: 5, rowsChanged: 0 });
    expect(again.importId).not.toBe(report.importId);
    const after = await database.sql`select uscc, updated_at from households where uscc in ${database.sql(good)} order by uscc`;
    expect(after).toEqual(before);
  });

  it('changes exactly the row that changed, and stamps it', async () => {
    const changed = text.replace('南开区老胡同煎饼果子铺', '南开区新胡同煎饼果子铺');
    const [before] = await database.sql`select updated_at from households where uscc = ${good[1] as string}`;
    const result = await importText('registrations', changed);
    expect(result.rowsChanged).toBe(1);
    const rows = await database.sql`select uscc, name, updated_at from households where uscc in ${database.sql(good)} order by uscc`;
    const byUscc = new Map(rows.map((row) => [row.uscc, row]));
    expect(byUscc.get(good[0])?.name).toBe('南开区新胡同煎饼果子铺');
    expect(byUscc.get(good[1])?.updated_at).toEqual(before?.updated_at);
  });
});

describe('per-year feeds', () => {
  const code = uscc();
  it('rejects negative revenue, a malformed USCC and future dates, and lets the later of two lines win', async () => {
    const text = [
      REPORTS_HEADER,
      `${code},2023,2024-03-01,1000.00`,
      `${code},2024,2025-03-01,-1200.00`,
      `12345,2024,2025-03-01,100`,
      `${code},2025,2027-03-01,100`,
      `${code},2023,2024-04-01,2000.50`,
      `${code},2022,,`,
    ].join('\r\n');
    const report = await importText('annual_reports', text);
    expect(report).toMatchObject({ rowsRead: 6, rowsAccepted: 2, rowsRejected: 4, rowsChanged: 2 });
    expect(report.rejections).toEqual([
      { line: 2, column: 'uscc+year', reason: 'the same uscc, year as line 6, which replaces this line' },
      { line: 3, column: 'revenue', reason: '"-1200.00" is negative: amounts in yuan are ≥ 0' },
      { line: 4, column: 'uscc', reason: expect.stringMatching(/not a valid USCC/) },
      { line: 5, column: 'filed_on', reason: '2027-03-01 is in the future (today is 2026-11-26)' },
    ]);
    const rows = await database.sql`select year, filed_on::text, revenue from annual_reports where uscc = ${code} order by year`;
    expect(rows).toEqual([
      { year: 2022, filed_on: null, revenue: null },
      { year: 2023, filed_on: '2024-04-01', revenue: '2000.50' },
    ]);
  });

  it('treats the same amount written differently as unchanged', async () => {
    const text = [REPORTS_HEADER, `${code},2023,2024-04-01,2000.5`, `${code},2022,,`].join('\n');
    expect((await importText('annual_reports', text)).rowsChanged).toBe(0);
  });
});

describe('refusals, which write nothing', () => {
  it('refuses while a tiering run is running (T-RUN), and imports once it has finished', async () => {
    const [run] = await database.sql<{ id: number }[]>`
      insert into tiering_runs (year, version, as_of, thresholds, rule_version, status, workflow_id, requested_by, started_at)
      values (2026, 1, '2026-08-01', '{}'::jsonb, 'test', 'running', ${`import-test-${process.pid}`}, 'tester', now())
      returning id`;
    const before = await importCount();
    const text = [REPORTS_HEADER, `${uscc()},2025,2026-03-01,1.00`].join('\n');
    const refusal = await importText('annual_reports', text).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ImportRefusedError);
    expect(refusal).toMatchObject({ statusCode: 409, details: { clause: 'T-RUN', field: 'feed' } });
    expect((refusal as Error).message).toMatch(/^T-RUN: the tiering run \d+ for 2026 is running/);
    expect(await importCount()).toBe(before);

    await database.sql`update tiering_runs set status = 'completed' where id = ${run?.id as number}`;
    expect((await importText('annual_reports', text)).rowsChanged).toBe(1);
  });

  it.each([
    ['an unknown column', `${REPORTS_HEADER},remarks\n`, 'remarks', /unknown column "remarks"/],
    ['a missing column', 'uscc,year,filed_on\n', 'revenue', /lacks column "revenue"/],
    ['an empty file', '', undefined, /is empty/],
  ])('refuses a file with %s, naming it', async (_case, text, column, message) => {
    const before = await importCount();
    const refusal = await importText('annual_reports', text).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ImportRefusedError);
    expect(refusal).toMatchObject({ statusCode: 422, details: { field: 'file', ...(column ? { column } : {}) } });
    expect((refusal as Error).message).toMatch(message);
    expect(await importCount()).toBe(before);
  });

  it('writes nothing when the file breaks off halfway', async () => {
    const code = uscc();
    async function* brokenUpload() {
      yield `${REPORTS_HEADER}\n${code},2025,2026-03-01,1.00\n`;
      throw new Error('connection reset');
    }
    const before = await importCount();
    await expect(
      importFeed({ database, feed: 'annual_reports', input: brokenUpload(), fileName: 'x.csv', importedBy: 'tester', today: TODAY }),
    ).rejects.toThrow('connection reset');
    expect(await importCount()).toBe(before);
    expect(await database.sql`select 1 from annual_reports where uscc = ${code}`).toHaveLength(0);
    // The connection went back to the pool in working order.
    expect((await importText('annual_reports', `${REPORTS_HEADER}\n${code},2025,2026-03-01,1.00\n`)).rowsChanged).toBe(1);
  });
});

describe('a generated city', () => {
  it('imports all seven feeds without a rejection, and a second time without a change', async () => {
    const out = join(scratch, 'city');
    const city = await writeCity({ households: 300, seed: 11, asOf: '2026-08-01', out });
    const importAll = async () => {
      const reports = [];
      for (const feed of FEED_NAMES) {
        const input = createReadStream(city.files[feed]);
        reports.push(await importFeed({ database, feed, input, fileName: FEEDS[feed].fileName, importedBy: 'tester', today: TODAY }));
        input.destroy();
      }
      return reports;
    };
    const first = await importAll();
    for (const report of first) {
      expect(report).toMatchObject({ rowsRejected: 0, rowsAccepted: city.rows[report.feed], rowsChanged: city.rows[report.feed] });
    }
    const second = await importAll();
    expect(second.map((report) => report.rowsChanged)).toEqual(FEED_NAMES.map(() => 0));
  });
});

describe('the first import into an empty table, its indexes built afterwards', () => {
  // A database of its own, so that its feed tables are empty when each case begins.
  let fresh: Database;
  let freshName: string;

  beforeAll(async () => {
    const url = new URL(inject('databaseUrl'));
    freshName = `${url.pathname.slice(1)}_first_import`;
    const admin = postgres(url.toString(), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${freshName}`);
    await admin.end();
    url.pathname = `/${freshName}`;
    fresh = connectDatabase(url.toString(), { max: 2 });
    await migrateDatabase(fresh);
  });

  afterAll(async () => {
    await fresh?.close();
    const admin = postgres(inject('databaseUrl'), { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${freshName} with (force)`);
    await admin.end();
  });

  const importInto = (feed: FeedName, text: string) =>
    importFeed({ database: fresh, feed, input: Readable.from([text]), fileName: FEEDS[feed].fileName, importedBy: 'tester', today: TODAY });

  const indexes = (table: string) =>
    fresh.sql<{ name: string; oid: number; definition: string }[]>`
      select indexrelid::regclass::text as name, indexrelid::integer as oid, pg_get_indexdef(indexrelid) as definition
      from pg_index where indrelid = ${table}::regclass order by 1`;

  const rowsOf = (feed: FeedName, table: string) => {
    const columns = FEEDS[feed].columns.map((c) => `"${c.name}"::text`).join(', ');
    return fresh.sql.unsafe(`select ${columns} from ${table} order by ${FEEDS[feed].key.map((k) => `"${k}"`).join(', ')}`);
  };

  const [first, second, third, other] = [uscc('120103'), uscc('120103'), uscc('120103'), uscc('120103')];
  const cases: { feed: FeedName; table: string; text: string; unrelated: string }[] = [
    {
      feed: 'registrations',
      table: 'households',
      text: [
        REGISTRATIONS_HEADER,
        registration(first, '河西区甲记面馆'),
        registration(second, '河西区乙记面馆'),
        registration(first, '河西区甲记面馆（新址）'),
        registration(third, '天津以外的店', { district_code: '110101' }),
        registration(second, '河西区乙记面馆（二）'),
        'x,"y"z',
        registration(second, '河西区乙记面馆（三）'),
        registration(third, '河西区丙记面馆'),
      ].join('\n'),
      unrelated: [REGISTRATIONS_HEADER, registration(other, '河西区丁记面馆')].join('\n'),
    },
    {
      feed: 'annual_reports',
      table: 'annual_reports',
      text: [
        REPORTS_HEADER,
        `${first},2024,2025-03-01,100.00`,
        `${first},2025,2026-03-01,200.00`,
        `${first},2024,2025-04-01,150.00`,
        `${second},2025,2026-03-01,-1.00`,
        `${second},2025,,`,
        `${first},2024,2025-05-01,175.00`,
      ].join('\n'),
      unrelated: [REPORTS_HEADER, `${other},2025,2026-03-01,1.00`].join('\n'),
    },
  ];

  it.each(cases)('answers for $feed as the merge into a table with rows does, and builds the same indexes', async ({ feed, table, text, unrelated }) => {
    const before = await indexes(table);
    const intoEmpty = await importInto(feed, text);
    const after = await indexes(table);
    // Built again: the same indexes under the same names, each a new one.
    expect(after.map(({ name, definition }) => ({ name, definition }))).toEqual(before.map(({ name, definition }) => ({ name, definition })));
    for (const index of after) expect(before.find((b) => b.name === index.name)?.oid).not.toBe(index.oid);
    const rowsIntoEmpty = await rowsOf(feed, table);

    await fresh.sql.unsafe(`truncate ${table}`);
    await importInto(feed, unrelated);
    const indexesBeforeMerge = await indexes(table);
    const merged = await importInto(feed, text);
    // The merge keeps the indexes it found.
    expect(await indexes(table)).toEqual(indexesBeforeMerge);
    await fresh.sql.unsafe(`delete from ${table} where uscc = '${other}'`);

    const { importId: _first, ...emptyAnswer } = intoEmpty;
    const { importId: _second, ...mergedAnswer } = merged;
    expect(emptyAnswer).toEqual(mergedAnswer);
    expect(emptyAnswer.rejections.some((r) => /which replaces this line/.test(r.reason))).toBe(true);
    expect(await rowsOf(feed, table)).toEqual(rowsIntoEmpty);
    const stored = await fresh.sql`
      select import_id, line, "column", reason from import_rejections
      where import_id in (${intoEmpty.importId}, ${merged.importId}) order by line, "column", import_id`;
    const byImport = (id: number) => stored.filter((r) => r.import_id === id).map(({ line, column, reason }) => ({ line, column, reason }));
    expect(byImport(intoEmpty.importId)).toEqual(byImport(merged.importId));
    expect(byImport(intoEmpty.importId)).toEqual(intoEmpty.rejections);
  });

  it('merges into an empty table when its role may write rows but does not own the table', async () => {
    const role = `import_writer_${process.pid}`;
    await fresh.sql.unsafe(`create role ${role} login password 'writer'`);
    await fresh.sql.unsafe(`grant select, insert, update, delete on all tables in schema public to ${role}`);
    await fresh.sql.unsafe(`grant usage on all sequences in schema public to ${role}`);
    const url = new URL(inject('databaseUrl'));
    url.pathname = `/${freshName}`;
    url.username = role;
    url.password = 'writer';
    const writer = connectDatabase(url.toString(), { max: 1 });
    try {
      await fresh.sql`truncate social_insurance`;
      const before = await indexes('social_insurance');
      const code = uscc('120103');
      const text = [FEEDS.social_insurance.columns.map((c) => c.name).join(','), `${code},2025,3`, `${code},2025,4`].join('\n');
      const report = await importFeed({ database: writer, feed: 'social_insurance', input: Readable.from([text]), fileName: 'si.csv', importedBy: 'tester', today: TODAY });
      expect(report).toMatchObject({ rowsRead: 2, rowsAccepted: 1, rowsRejected: 1, rowsChanged: 1 });
      expect(await indexes('social_insurance')).toEqual(before);
      expect(await fresh.sql`select insured_count from social_insurance where uscc = ${code}`).toEqual([{ insured_count: 4 }]);
    } finally {
      await writer.close();
      await fresh.sql.unsafe(`drop owned by ${role}`);
      await fresh.sql.unsafe(`drop role ${role}`);
    }
  });

  it('lands the registrations with their names searchable through the rebuilt trigram index', async () => {
    await fresh.sql`truncate households`;
    await importInto('registrations', [REGISTRATIONS_HEADER, registration(uscc('120103'), '河西区戊记煎饼铺')].join('\n'));
    await fresh.sql.begin(async (tx) => {
      await tx`set local enable_seqscan = off`;
      const found = await tx`select name from households where name like ${'%戊记%'}`;
      expect(found.map((row) => row.name)).toEqual(['河西区戊记煎饼铺']);
      const plan = await tx.unsafe(`explain select name from households where name like '%戊记%'`);
      expect(plan.map((row) => Object.values(row)[0]).join('\n')).toMatch(/households_name_trgm_idx/);
    });
  });
});
