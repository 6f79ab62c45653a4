/**
 * The import's anchor (issue 14): the same seven files loaded by plain `COPY … FROM STDIN
 * (FORMAT csv, HEADER true)` into UNLOGGED tables without an index or a constraint, on the same
 * server, streamed from the bench's process. Each table has the file's columns in the file's
 * order, typed as the import types them (`FEED_SQL_TYPES`), so the server parses every date,
 * amount and flag as the import makes it do; the tables are dropped afterwards.
 *
 * It is what the import is measured against: the import also checks every row's rules,
 * keeps every rejection with its line, replaces duplicate keys, merges into logged tables with
 * their indexes, and commits all of it in one transaction.
 */
import { createReadStream } from 'node:fs';
import type { Sql } from 'postgres';
import { FEED_SQL_TYPES, FEED_TABLES } from '../../activities/feed-import/importer.js';
import { copyIn } from '../../db/copy-in.js';
import { FEEDS, FEED_NAMES, type FeedName } from '../../policy/feeds.js';

/** The import may take at most this many times the anchor's COPY (issue 14). */
const IMPORT_TARGET_RATIO = 2;

export type FeedSeconds = Record<FeedName, number>;

/** Each feed's COPY time in seconds, the file read from `files[feed]`. */
export async function copyAnchor(sql: Sql, files: Readonly<Record<FeedName, string>>): Promise<FeedSeconds> {
  return timedCopies(sql, files, 'anchor', async (table, feed, header) => {
    const types = new Map(FEEDS[feed].columns.map((column) => [column.name, FEED_SQL_TYPES[column.type]]));
    const columns = header.map((name) => `"${name}" ${types.get(name) ?? 'text'}`);
    await sql.unsafe(`create unlogged table ${table} (${columns.join(', ')})`);
  });
}

/**
 * Not a goal, an explanation: the same COPY into a logged copy of the feed's own table with its
 * keys and indexes (`LIKE … INCLUDING ALL`), empty as the bench's tables are before the import.
 * What it costs above the anchor is what durability and keeping the indexes up to date row by row
 * cost (a first import builds them after its rows instead, a merge keeps them up to date).
 */
export async function copyIntoFeedTables(sql: Sql, files: Readonly<Record<FeedName, string>>): Promise<FeedSeconds> {
  return timedCopies(sql, files, 'feed_table', async (table, feed) => {
    await sql.unsafe(`create table ${table} (like ${FEED_TABLES[feed]} including all)`);
  });
}

async function timedCopies(
  sql: Sql,
  files: Readonly<Record<FeedName, string>>,
  kind: string,
  createTable: (table: string, feed: FeedName, header: string[]) => Promise<void>,
): Promise<FeedSeconds> {
  const seconds = {} as FeedSeconds;
  for (const feed of FEED_NAMES) {
    const table = `bench_copy_${kind}_${feed}`;
    const header = await headerOf(files[feed]);
    await sql.unsafe(`drop table if exists ${table}`);
    await createTable(table, feed, header);
    try {
      const statement = `copy ${table} (${header.map((name) => `"${name}"`).join(', ')}) from stdin (format csv, header true)`;
      const started = performance.now();
      await sql.begin((tx) => copyIn(tx, statement, createReadStream(files[feed])));
      seconds[feed] = (performance.now() - started) / 1000;
    } finally {
      await sql.unsafe(`drop table if exists ${table}`);
    }
  }
  return seconds;
}

/** The import against the anchor and COPY into the feed tables, feed by feed and in total, as lines to print. */
export function importAgainstAnchor(imported: FeedSeconds, anchor: FeedSeconds, intoFeedTables: FeedSeconds): string[] {
  const line = (what: string, importSeconds: number, copySeconds: number, feedTableSeconds: number): string =>
    `  ${what.padEnd(22)} import ${importSeconds.toFixed(2).padStart(6)} s = ${(importSeconds / copySeconds).toFixed(2).padStart(5)}× ` +
    `COPY ${copySeconds.toFixed(2).padStart(6)} s; COPY into the feed's table ${feedTableSeconds.toFixed(2).padStart(6)} s ` +
    `(${(feedTableSeconds / copySeconds).toFixed(2)}× COPY)`;
  const total = (seconds: FeedSeconds): number => FEED_NAMES.reduce((sum, feed) => sum + seconds[feed], 0);
  const ratio = total(imported) / total(anchor);
  return [
    `the import against plain COPY of the same files into unlogged tables without indexes (the anchor, target ≤ ${IMPORT_TARGET_RATIO}×),`,
    `and against COPY into logged copies of the feeds' own tables with their keys and indexes:`,
    ...FEED_NAMES.map((feed) => line(FEEDS[feed].fileName, imported[feed], anchor[feed], intoFeedTables[feed])),
    `${line('all seven feeds', total(imported), total(anchor), total(intoFeedTables))}: target ${ratio <= IMPORT_TARGET_RATIO ? 'met' : 'not met'}`,
  ];
}

async function headerOf(path: string): Promise<string[]> {
  // The header is the first line; the files are far larger than the part read here.
  const handle = createReadStream(path, { start: 0, end: 4095, encoding: 'utf8' });
  let text = '';
  for await (const chunk of handle) text += chunk as string;
  const firstLine = text.split('\n', 1)[0] ?? '';
  return firstLine.replace(/^\uFEFF/, '').replace(/\r$/, '').split(',');
}
