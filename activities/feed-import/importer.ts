/**
 * Imports one feed file of the data contract into its table.
 *
 * The file streams through the CSV reader and the feed's row parser into a COPY to a temporary
 * staging table, good rows and rejections alike (a rejection is a staging row with its line,
 * column and reason), so neither the file nor its rejections are ever held in memory. One
 * set-based statement then merges the staging table into the feed's table, and the import
 * record, its rejections and the merge commit together: an import lands whole or not at all.
 * Into a feed's empty table (its first import) the latest line of each key is inserted instead,
 * with the table's indexes built afterwards rather than kept up to date row by row.
 *
 * Idempotence: the merge updates a row only when a value differs (`IS DISTINCT FROM`), so a
 * re-import of the same file changes no row (`rowsChanged` 0). Rows are merged, never deleted:
 * a file may be a full extract or only the changes, and an ended listing arrives as a clearance
 * date rather than as a missing row.
 *
 * Duplicate keys within one file: the later line wins, as it would if the lines had come in two
 * files; each earlier line is rejected, naming the line that replaced it, so the agency sees it.
 *
 * Consistency with tiering runs (T-RUN): a run reads the feeds as they stand, so an import is
 * refused (409) while a run is `running`, checked once before reading the file and again inside
 * the merge's transaction under a SHARE lock on `tiering_runs`. That lock also makes a run that
 * starts during the merge wait until the import has committed, so a run sees a feed either
 * entirely before or entirely after an import.
 */
import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Sql, TransactionSql } from 'postgres';
import type { Database } from '../../db/client.js';
import { copyIn } from '../../db/copy-in.js';
import type { IsoDate } from '../../policy/dates.js';
import { FEEDS, FEED_NAMES, ROW_COLUMN, rowParserFor, type ColumnSpec, type FeedName, type FeedSpec, type RowParser } from '../../policy/feeds.js';
import { csvBatches, type CsvRecord } from './csv.js';

export interface ImportProgress {
  phase: 'reading' | 'writing';
  rowsRead: number;
  rowsRejected: number;
  bytesRead: number;
}

export interface ImportFeedOptions {
  database: Database;
  feed: FeedName;
  /** The file's bytes; the caller owns it (a stream is read but not destroyed). */
  input: Readable | AsyncIterable<Buffer | Uint8Array | string>;
  fileName: string;
  importedBy: string;
  /** The CST date of the import: dates after it are rejected. */
  today: IsoDate;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportRejection {
  line: number;
  column: string;
  reason: string;
}

export interface ImportReport {
  importId: number;
  feed: FeedName;
  fileName: string;
  fileSha256: string;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsChanged: number;
  /** The first rejections, by line; all of them are kept in `import_rejections`. */
  rejections: ImportRejection[];
}

/** Shaped like the API's HttpError, which the route turns it into. */
export class ImportRefusedError extends Error {
  constructor(
    readonly statusCode: 409 | 422,
    message: string,
    readonly details: { field: string; clause?: string; [key: string]: unknown },
  ) {
    super(message);
  }
}

const REPORTED_REJECTIONS = 100;

/** The registrations feed is the household registry itself. */
export const FEED_TABLES: Readonly<Record<FeedName, string>> = {
  registrations: 'households',
  annual_reports: 'annual_reports',
  tax: 'tax_records',
  social_insurance: 'social_insurance',
  ip_rights: 'ip_rights',
  credit_events: 'credit_events',
  dishonest_debtors: 'dishonest_debtors',
};

/** Columns of the target table that the import sets itself. */
const STAMPED_COLUMNS: Partial<Record<FeedName, string>> = { registrations: 'updated_at' };

/** How the import types each kind of column (the bench's COPY anchor types them the same). */
export const FEED_SQL_TYPES: Readonly<Record<ColumnSpec['type'], string>> = {
  uscc: 'text',
  district: 'text',
  text: 'text',
  enum: 'text',
  date: 'date',
  boolean: 'boolean',
  money: 'numeric(16,2)',
  year: 'smallint',
  count: 'integer',
};

const STAGING = 'feed_import_staging';
/** pg_advisory_xact_lock(class, feed): imports of one feed merge one after the other. */
const IMPORT_LOCK_CLASS = 2024_09;
/** Enough for the merge's sort and the duplicate check of a city-wide file to stay in memory. */
const MERGE_WORK_MEM = '256MB';
/**
 * The file is read in pieces of at most this size, whatever the size of the chunks it arrives in
 * (the API reads a server-side file a megabyte at a time): a piece's records are checked and
 * written to the COPY before the next piece is read, and a megabyte's records took twice the CPU
 * of the same records in pieces of this size, outliving the young generation of Node's heap.
 */
const READ_PIECE_BYTES = 64 * 1024;
/** Enough for the indexes of a city-wide feed table to be built in memory. */
const INDEX_BUILD_MEMORY = '512MB';

export async function importFeed(options: ImportFeedOptions): Promise<ImportReport> {
  const { database, feed, fileName, importedBy, today, onProgress } = options;
  const spec = FEEDS[feed];
  await refuseWhileRunning(database.sql);

  const hash = createHash('sha256');
  const progress: ImportProgress = { phase: 'reading', rowsRead: 0, rowsRejected: 0, bytesRead: 0 };
  const batches = csvBatches(hashed(options.input, hash, progress))[Symbol.asyncIterator]();
  const { parser, firstRecords } = await readHeader(batches, feed, fileName, today);

  return database.sql.begin(async (tx) => {
    await tx.unsafe(`set local work_mem = '${MERGE_WORK_MEM}'`);
    await tx.unsafe(stagingTableSql(spec));
    await copyIn(tx, `copy ${STAGING} from stdin`, stagingText(parser, firstRecords, batches, progress, onProgress));

    progress.phase = 'writing';
    onProgress?.({ ...progress });
    await tx.unsafe('lock table tiering_runs in share mode');
    await refuseWhileRunning(tx);
    await tx`select pg_advisory_xact_lock(${IMPORT_LOCK_CLASS}, ${FEED_NAMES.indexOf(feed)})`;

    const fileSha256 = hash.digest('hex');
    const [record] = await tx<{ id: number }[]>`
      insert into imports (feed, file_name, file_sha256, imported_by, status, started_at, rows_read)
      values (${feed}, ${fileName}, ${fileSha256}, ${importedBy}, 'completed', now(), ${progress.rowsRead})
      returning id`;
    const importId = (record as { id: number }).id;
    await tx`
      insert into import_rejections (import_id, line, "column", reason)
      select ${importId}, line, reject_column, reject_reason from ${tx(STAGING)} where reject_column is not null`;
    const { latest, updated, inserted } = (await lockedIfEmpty(tx, FEED_TABLES[feed]))
      ? await insertIntoEmptyTable(tx, spec)
      : await merge(tx, spec);
    const goodRows = progress.rowsRead - progress.rowsRejected;
    const duplicates = latest < goodRows ? (await tx.unsafe(duplicateRejectionsSql(spec), [importId])).count : 0;
    const rowsRejected = progress.rowsRejected + duplicates;
    const rowsChanged = updated + inserted;
    await tx`
      update imports
      set rows_accepted = ${progress.rowsRead - rowsRejected}, rows_rejected = ${rowsRejected},
          rows_changed = ${rowsChanged}, finished_at = clock_timestamp()
      where id = ${importId}`;
    const rejections = await tx<ImportRejection[]>`
      select line, "column", reason from import_rejections
      where import_id = ${importId} order by line, "column" limit ${REPORTED_REJECTIONS}`;
    return {
      importId,
      feed,
      fileName,
      fileSha256,
      rowsRead: progress.rowsRead,
      rowsAccepted: progress.rowsRead - rowsRejected,
      rowsRejected,
      rowsChanged,
      rejections: rejections.map(({ line, column, reason }) => ({ line, column, reason })),
    };
  });
}

async function refuseWhileRunning(sql: Sql | TransactionSql): Promise<void> {
  const running = await sql<{ id: number; year: number }[]>`
    select id, year from tiering_runs where status = 'running' order by id limit 1`;
  const run = running[0];
  if (run !== undefined) {
    throw new ImportRefusedError(
      409,
      `T-RUN: the tiering run ${run.id} for ${run.year} is running and reads the feeds as they stand; import again when it has finished`,
      { field: 'feed', clause: 'T-RUN', runId: run.id },
    );
  }
}

async function* hashed(
  input: Readable | AsyncIterable<Buffer | Uint8Array | string>,
  hash: Hash,
  progress: ImportProgress,
): AsyncGenerator<Buffer | Uint8Array> {
  // A stream given to us is the caller's to close: an HTTP request must stay open for the answer.
  const chunks = input instanceof Readable ? input.iterator({ destroyOnReturn: false }) : input;
  for await (const chunk of chunks as AsyncIterable<Buffer | Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    hash.update(bytes);
    progress.bytesRead += bytes.length;
    for (let at = 0; at < bytes.length; at += READ_PIECE_BYTES) yield bytes.subarray(at, at + READ_PIECE_BYTES);
  }
}

async function readHeader(
  batches: AsyncIterator<CsvRecord[]>,
  feed: FeedName,
  fileName: string,
  today: IsoDate,
): Promise<{ parser: RowParser<unknown>; firstRecords: CsvRecord[] }> {
  for (;;) {
    const next = await batches.next();
    if (next.done) throw new ImportRefusedError(422, `${fileName} is empty: it needs a header line`, { field: 'file', line: 1 });
    const [header, ...firstRecords] = next.value;
    if (header === undefined) continue;
    if (header.error !== undefined) {
      throw new ImportRefusedError(422, `${fileName}:${header.line}: the header is unreadable: ${header.error}`, {
        field: 'file',
        line: header.line,
      });
    }
    const result = rowParserFor(feed, header.fields, today);
    if (!result.ok) {
      const first = result.errors[0] as { column: string; reason: string };
      throw new ImportRefusedError(422, `${fileName}:${header.line}: ${result.errors.map((e) => e.reason).join('; ')}`, {
        field: 'file',
        line: header.line,
        column: first.column,
        errors: result.errors,
      });
    }
    return { parser: result.parser as RowParser<unknown>, firstRecords };
  }
}

/** The staging table's rows in COPY text format, one string per chunk of the file. */
async function* stagingText(
  parser: RowParser<unknown>,
  firstRecords: CsvRecord[],
  batches: AsyncIterator<CsvRecord[]>,
  progress: ImportProgress,
  onProgress: ((progress: ImportProgress) => void) | undefined,
): AsyncGenerator<string> {
  const serialize = rowSerializer(parser);
  const nullCells = '\t\\N'.repeat(parser.feed.columns.length);
  const rejection = (line: number, column: string, reason: string): string =>
    `${line}\t${copyText(column)}\t${copyText(reason)}${nullCells}\n`;

  let records: CsvRecord[] | undefined = firstRecords;
  while (records !== undefined) {
    let text = '';
    for (const record of records) {
      progress.rowsRead++;
      if (record.error !== undefined) {
        progress.rowsRejected++;
        text += rejection(record.line, ROW_COLUMN, record.error);
        continue;
      }
      const result = parser.parse(record.fields);
      if (result.ok) {
        text += `${record.line}\t\\N\t\\N${serialize(record.fields)}\n`;
      } else {
        progress.rowsRejected++;
        for (const error of result.errors) text += rejection(record.line, error.column, error.reason);
      }
    }
    onProgress?.({ ...progress });
    if (text.length > 0) yield text;
    const next = await batches.next();
    records = next.done ? undefined : next.value;
  }
}

/**
 * A good record's cells in COPY text format, each preceded by a tab, in the spec's column order.
 * The cells are written as the file has them: once the row parser has accepted a record, each
 * cell is a value PostgreSQL reads as the parser did (a date, an amount, a count, true or false),
 * and only text can hold a character COPY must escape. An empty cell is none (false for a flag).
 */
function rowSerializer(parser: RowParser<unknown>): (cells: readonly string[]) => string {
  const { cellIndexes } = parser;
  const kinds = parser.feed.columns.map((column) => (column.type === 'text' ? TEXT : column.type === 'boolean' ? FLAG : VALUE));
  return (cells) => {
    let line = '';
    for (let i = 0; i < kinds.length; i++) {
      const cell = cells[cellIndexes[i] as number] as string;
      const kind = kinds[i];
      if (cell === '') line += kind === FLAG ? '\tf' : '\t\\N';
      else line += kind === TEXT ? `\t${copyText(cell)}` : `\t${cell}`;
    }
    return line;
  };
}

const TEXT = 0;
const FLAG = 1;
const VALUE = 2;

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIALS = /[\\\t\n\r]/g;
const COPY_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function copyText(value: string): string {
  return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c] as string) : value;
}

function quoted(name: string): string {
  return `"${name}"`;
}

function stagingTableSql(spec: FeedSpec): string {
  const columns = spec.columns.map((c) => `${quoted(c.name)} ${FEED_SQL_TYPES[c.type]}`).join(', ');
  return `create temp table ${STAGING} (line integer not null, reject_column text, reject_reason text, ${columns}) on commit drop`;
}

/**
 * Whether `table` has no row and the import may build its indexes again (its role owns the
 * table; a role that may only write rows merges), and if so locks it until the import commits
 * (ACCESS EXCLUSIVE): its indexes are about to be dropped and built again. Readers wait for the
 * commit rather than read an empty table without its indexes; nothing can insert meanwhile.
 */
async function lockedIfEmpty(tx: TransactionSql, table: string): Promise<boolean> {
  const isEmpty = async () => (await tx.unsafe(`select not exists (select from ${table}) as empty`))[0]?.empty === true;
  const [owner] = await tx.unsafe(`select pg_has_role(current_user, relowner, 'USAGE') as owns from pg_class where oid = '${table}'::regclass`);
  if (owner?.owns !== true || !(await isEmpty())) return false;
  await tx.unsafe(`lock table ${table} in access exclusive mode`);
  return isEmpty();
}

/**
 * The first import of a feed, into its empty table: the latest line of each key inserted in
 * key order with the table's indexes and keys dropped, then built again from the rows. Building
 * an index once costs a fraction of keeping it up to date row by row (the registrations' name
 * trigrams most of all); the rows and the indexes are written to the WAL like any others.
 */
async function insertIntoEmptyTable(tx: TransactionSql, spec: FeedSpec): Promise<MergeCounts> {
  const table = FEED_TABLES[spec.name];
  const columns = spec.columns.map((c) => quoted(c.name)).join(', ');
  const indexes = await tx<{ index: string; constraint: string | null; definition: string }[]>`
    select i.indexrelid::regclass::text as index, c.conname as constraint,
           coalesce(pg_get_constraintdef(c.oid), pg_get_indexdef(i.indexrelid)) as definition
    from pg_index i left join pg_constraint c on c.conindid = i.indexrelid and c.conrelid = i.indrelid
    where i.indrelid = ${table}::regclass
    order by i.indexrelid`;
  for (const { index, constraint } of indexes) {
    await tx.unsafe(constraint === null ? `drop index ${index}` : `alter table ${table} drop constraint ${quoted(constraint)}`);
  }
  const inserted = await tx.unsafe(`insert into ${table} (${columns}) ${latestLinesSql(spec)}`);
  await tx.unsafe(`set local maintenance_work_mem = '${INDEX_BUILD_MEMORY}'`);
  for (const { constraint, definition } of indexes) {
    await tx.unsafe(constraint === null ? definition : `alter table ${table} add constraint ${quoted(constraint)} ${definition}`);
  }
  return { latest: inserted.count, updated: 0, inserted: inserted.count };
}

async function merge(tx: TransactionSql, spec: FeedSpec): Promise<MergeCounts> {
  // Without statistics the planner takes the staging table for a few rows and probes the feed's
  // key index once per row; with them it hashes, a third faster on a city-wide file. The join
  // needs the row count and the keys' statistics only, a fifth of the time of every column's.
  await tx.unsafe(`analyze ${STAGING} (reject_column, ${spec.key.map(quoted).join(', ')})`);
  const [merged] = await tx.unsafe<MergeCounts[]>(mergeSql(spec));
  return merged as MergeCounts;
}

interface MergeCounts {
  /** Distinct keys among the good rows: fewer than the good rows when a key repeats. */
  latest: number;
  updated: number;
  inserted: number;
}

/**
 * The latest line of each key into the feed's table: rows whose values differ are updated, new
 * keys inserted, the rest not touched. One join finds both, so a yearly re-import, mostly
 * unchanged, reads the table once and writes only what changed. One statement, so both parts
 * see the table as it was before it; plain inserts rather than INSERT … ON CONFLICT, whose
 * speculative insertion and row locks cost twice as much on a city-wide file. A key inserted
 * meanwhile by anything but an import (imports of a feed are serialized) fails the import on the
 * unique key, rather than losing the file's row silently.
 */
/** The latest good line of each key in the staging table, in key order: what a file puts in its feed's table. */
function latestLinesSql(spec: FeedSpec): string {
  const key = spec.key.map(quoted).join(', ');
  return `
    select distinct on (${key}) ${spec.columns.map((c) => quoted(c.name)).join(', ')}
    from ${STAGING} where reject_column is null
    order by ${key}, line desc`;
}

function mergeSql(spec: FeedSpec): string {
  const table = FEED_TABLES[spec.name];
  const stamped = STAMPED_COLUMNS[spec.name];
  const key = spec.key.map(quoted);
  const columns = spec.columns.map((c) => quoted(c.name));
  const values = spec.columns.filter((c) => !spec.key.includes(c.name)).map((c) => quoted(c.name));
  const assignments = values.map((c) => `${c} = latest.${c}`);
  if (stamped !== undefined) assignments.push(`${quoted(stamped)} = now()`);
  const sameKey = key.map((c) => `target.${c} = latest.${c}`).join(' and ');
  return `
    with latest as (${latestLinesSql(spec)}),
    changed as (
      select latest.*, target.${key[0]} is null as new
      from latest left join ${table} as target on ${sameKey}
      where target.${key[0]} is null
         or (${values.map((c) => `target.${c}`).join(', ')}) is distinct from (${values.map((c) => `latest.${c}`).join(', ')})
    ),
    updated as (
      update ${table} as target set ${assignments.join(', ')}
      from changed as latest
      where ${sameKey} and not latest.new
      returning 1
    ),
    inserted as (
      insert into ${table} (${columns.join(', ')})
      select ${columns.join(', ')} from changed where new
      returning 1
    )
    select (select count(*) from latest)::integer as latest,
           (select count(*) from updated)::integer as updated,
           (select count(*) from inserted)::integer as inserted`;
}

/** Rejects every line whose key a later line of the same file repeats. */
function duplicateRejectionsSql(spec: FeedSpec): string {
  const key = spec.key.map(quoted).join(', ');
  const keyNames = spec.key.join(', ');
  return `
    insert into import_rejections (import_id, line, "column", reason)
    select $1, staged.line, '${spec.key.join('+')}',
           'the same ${keyNames} as line ' || later.last_line || ', which replaces this line'
    from ${STAGING} staged
    join (
      select ${key}, max(line) as last_line from ${STAGING}
      where reject_column is null group by ${key} having count(*) > 1
    ) later using (${key})
    where staged.reject_column is null and staged.line < later.last_line`;
}
