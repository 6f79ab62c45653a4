// Starts the whole real stack once for the browser tests, exactly as `npm start` does (the pages
// built, embedded PostgreSQL, the Temporal dev server, migrations, demo data and its yearly run,
// the workers and the API serving the pages), but on free ports and in a throwaway data dir, so a
// developer's running `npm start` and its data are never touched. The tests read its address
// from WEB_BASE_URL.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/postgres.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 240_000;

export default async function globalSetup(): Promise<() => Promise<void>> {
  mkdirSync(join(ROOT, '.data'), { recursive: true });
  const dataDir = mkdtempSync(join(ROOT, '.data', 'web-test-'));
  // Started as root, the embedded PostgreSQL runs as the postgres user, who must enter it (mkdtemp makes it 700).
  chmodSync(dataDir, 0o755);
  const [apiPort, postgresPort, temporalPort, temporalUiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const logPath = join(dataDir, 'stack.log');
  const log = openSync(logPath, 'a');
  const stack = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'dev.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      API_PORT: String(apiPort),
      EMBEDDED_PG_PORT: String(postgresPort),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(temporalUiPort),
      LOG_LEVEL: 'warn',
      TEMPORAL_ADDRESS: '',
      DATABASE_URL: '',
    },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise<void>((resolve) => stack.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const started = Date.now();
  for (;;) {
    if (stack.exitCode !== null) throw new Error(`the stack exited with code ${stack.exitCode} before it answered:\n${readFileSync(logPath, 'utf8').slice(-4000)}`);
    if (Date.now() - started > START_TIMEOUT_MS) {
      stack.kill('SIGTERM');
      throw new Error(`the stack did not answer at ${baseUrl} within ${START_TIMEOUT_MS / 1000} s:\n${readFileSync(logPath, 'utf8').slice(-4000)}`);
    }
    // The banner comes last, once the demo data's yearly run is in force and the API listens.
    if (readFileSync(logPath, 'utf8').includes('Ctrl-C stops everything')) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  process.env['WEB_BASE_URL'] = baseUrl;
  process.env['WEB_STACK_LOG'] = logPath;
  return async () => {
    stack.kill('SIGTERM');
    await exited;
    // PostgreSQL's last files may still be going as the stack exits: retried, and a directory
    // left behind under .data is reported, not counted as a failed test.
    try {
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
    } catch (error) {
      console.warn(`the browser tests' data directory ${dataDir} was not removed: ${String(error)}`);
    }
  };
}
