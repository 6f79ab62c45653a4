/**
 * Imports feed files of the data contract into the database:
 *
 *   npm run import -- --feed registrations --file registrations.csv [--by <who>]
 *   npm run import -- --dir <folder> [--by <who>]      (all seven files, registrations first)
 *
 * Uses DATABASE_URL, or else the embedded PostgreSQL in DATA_DIR: the one `npm start` is running,
 * or started for the import and stopped after it. Shows a progress bar on a terminal and a progress line
 * every few seconds otherwise, then each import's report with its first rejections
 * (file:line column reason). Exits 0 when every import completed, even with rejected rows;
 * 1 when an import was refused or failed (it then wrote nothing); 2 on a usage error.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { importFeed, ImportRefusedError, type ImportProgress, type ImportReport } from '../activities/feed-import/importer.js';
import { connectDatabase, type Database } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { cstDateOf } from '../policy/dates.js';
import { FEEDS, FEED_NAMES, isFeedName, type FeedName } from '../policy/feeds.js';
import { loadConfig } from '../api/config.js';
import { startPostgres } from './postgres.js';

const REJECTIONS_SHOWN = 20;
const READ_CHUNK_BYTES = 1 << 20;
const TTY_REFRESH_MS = 200;
const LOG_EVERY_MS = 5000;

interface FileToImport {
  feed: FeedName;
  path: string;
}

const usage = [
  'usage: npm run import -- --feed <name> --file <path> [--by <who>]',
  '       npm run import -- --dir <folder> [--by <who>]',
  `feeds: ${FEED_NAMES.join(', ')}`,
].join('\n');

function filesToImport(values: { feed?: string; file?: string; dir?: string }): FileToImport[] {
  if (values.dir !== undefined) {
    if (values.feed !== undefined || values.file !== undefined) throw new UsageError('give either --dir, or --feed with --file');
    const dir = resolve(values.dir);
    const files = FEED_NAMES.map((feed) => ({ feed, path: join(dir, FEEDS[feed].fileName) }));
    const missing = files.filter((file) => !existsSync(file.path)).map((file) => basename(file.path));
    if (missing.length > 0) throw new UsageError(`${dir} lacks ${missing.join(', ')}: all seven feed files are needed`);
    return files;
  }
  if (values.feed === undefined || values.file === undefined) throw new UsageError('give --feed and --file, or --dir');
  if (!isFeedName(values.feed)) throw new UsageError(`--feed "${values.feed}" is not a feed`);
  const path = resolve(values.file);
  if (!existsSync(path)) throw new UsageError(`--file ${path} does not exist`);
  return [{ feed: values.feed, path }];
}

class UsageError extends Error {}

async function openDatabase(): Promise<{ database: Database; stop: () => Promise<void> }> {
  const config = loadConfig();
  const server = await startPostgres({
    dataDir: join(resolve(config.dataDir), 'postgres'),
    port: config.embeddedPostgresPort,
    database: 'mingteyouxin',
  });
  const database = connectDatabase(server.url, { max: 2 });
  await migrateDatabase(database);
  return {
    database,
    stop: async () => {
      await database.close();
      await server.stop();
    },
  };
}

function progressPrinter(fileName: string, totalBytes: number): { update: (progress: ImportProgress) => void; done: () => void } {
  const interactive = process.stderr.isTTY === true;
  const started = performance.now();
  let shownAt = 0;
  let lastPhase: ImportProgress['phase'] = 'reading';
  const megabytes = (bytes: number) => (bytes / 1_048_576).toFixed(1);
  return {
    update(progress) {
      const now = performance.now();
      const phaseChanged = progress.phase !== lastPhase;
      lastPhase = progress.phase;
      if (!phaseChanged && now - shownAt < (interactive ? TTY_REFRESH_MS : LOG_EVERY_MS)) return;
      shownAt = now;
      const seconds = Math.max((now - started) / 1000, 0.001);
      const rate = Math.round(progress.rowsRead / seconds).toLocaleString('en');
      const fraction = totalBytes > 0 ? Math.min(progress.bytesRead / totalBytes, 1) : 1;
      const counts = `${progress.rowsRead.toLocaleString('en')} rows (${progress.rowsRejected.toLocaleString('en')} rejected), ${rate} rows/s, ${megabytes(progress.bytesRead)}/${megabytes(totalBytes)} MB`;
      const status = progress.phase === 'writing' ? `${counts}; merging into the table…` : counts;
      if (interactive) {
        const width = 24;
        const filled = Math.round(fraction * width);
        process.stderr.write(`\r\x1b[K${fileName} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${status}`);
      } else {
        console.error(`${fileName}: ${(fraction * 100).toFixed(0)}% ${status}`);
      }
    },
    done() {
      if (interactive) process.stderr.write('\r\x1b[K');
    },
  };
}

function printReport(report: ImportReport, seconds: number): void {
  const n = (count: number) => count.toLocaleString('en');
  console.log(
    `${report.fileName} → import #${report.importId} (${report.feed}): ${n(report.rowsRead)} rows read, ` +
      `${n(report.rowsAccepted)} accepted, ${n(report.rowsRejected)} rejected, ${n(report.rowsChanged)} changed ` +
      `in ${seconds.toFixed(1)} s (${n(Math.round(report.rowsRead / Math.max(seconds, 0.001)))} rows/s)`,
  );
  for (const rejection of report.rejections.slice(0, REJECTIONS_SHOWN)) {
    console.log(`  ${report.fileName}:${rejection.line} ${rejection.column} ${rejection.reason}`);
  }
  const shown = Math.min(report.rejections.length, REJECTIONS_SHOWN);
  if (report.rejections.length > shown || report.rowsRejected > shown) {
    console.log(`  … ${n(report.rowsRejected)} rows rejected in all: GET /imports/${report.importId}/rejections lists every one`);
  }
}

async function main(): Promise<number> {
  let files: FileToImport[];
  let values;
  try {
    ({ values } = parseArgs({
      options: { feed: { type: 'string' }, file: { type: 'string' }, dir: { type: 'string' }, by: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
    if (values.help) {
      console.log(usage);
      return 0;
    }
    files = filesToImport(values);
  } catch (error) {
    // parseArgs refuses an unknown or incomplete option with an ERR_PARSE_ARGS_* error naming it.
    const badOption = String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS_');
    if (!(error instanceof UsageError || badOption)) throw error;
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  const importedBy = values.by ?? `cli:${userInfo().username}`;
  const { database, stop } = await openDatabase();
  const started = performance.now();
  try {
    for (const file of files) {
      const fileName = basename(file.path);
      const progress = progressPrinter(fileName, statSync(file.path).size);
      const input = createReadStream(file.path, { highWaterMark: READ_CHUNK_BYTES });
      const importStarted = performance.now();
      try {
        const report = await importFeed({
          database,
          feed: file.feed,
          input,
          fileName,
          importedBy,
          today: cstDateOf(Date.now()),
          onProgress: progress.update,
        });
        progress.done();
        printReport(report, (performance.now() - importStarted) / 1000);
      } catch (error) {
        progress.done();
        const reason = error instanceof ImportRefusedError || error instanceof Error ? error.message : String(error);
        console.error(`${fileName}: not imported, nothing written: ${reason}`);
        if (files.length > 1) console.error('The files before it were imported; fix this one and run again (re-importing changes nothing).');
        return 1;
      } finally {
        input.destroy();
      }
    }
    if (files.length > 1) console.log(`All ${files.length} feeds imported in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } finally {
    await stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
