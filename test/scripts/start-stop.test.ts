// `npm start` under a supervisor: a SIGTERM sent to the npm process alone stops the whole system
// (API, workers, the Temporal dev server, PostgreSQL), and no process of it is left running.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../../scripts/postgres.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
// Below the clone, as the embedded PostgreSQL needs when run as root (see scripts/postgres.ts).
const dataDir = join(repositoryRoot, '.data', `start-stop-${process.pid}`);
mkdirSync(dataDir, { recursive: true });
const leftovers: number[] = [];

afterAll(() => {
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every process below `root`, from /proc. */
function descendantsOf(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // It ended while we looked.
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\S+ \(\S+\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

it('comes up with the pages\' address before any log line, and stops PostgreSQL, the Temporal dev server and itself when the npm process alone gets SIGTERM', { timeout: 240_000 }, async () => {
  // npm start begins with the setup step, which reinstalls the packages when the lock file is newer
  // than them: under the other test files' feet. The suite's own setup step has run first.
  const installed = statSync(join(repositoryRoot, 'node_modules', '.package-lock.json')).mtimeMs;
  if (statSync(join(repositoryRoot, 'package-lock.json')).mtimeMs > installed) {
    throw new Error('package-lock.json is newer than node_modules: run `npm run setup` (or `npm test`) first');
  }
  const [pgPort, temporalPort, uiPort, apiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const npm = spawn('npm', ['start'], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      API_PORT: String(apiPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that the signal below reaches npm alone, as a supervisor's would.
    detached: true,
  });
  let output = '';
  npm.stdout!.on('data', (chunk) => (output += String(chunk)));
  npm.stderr!.on('data', (chunk) => (output += String(chunk)));
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  const started = Date.now();
  while (!output.includes('Ctrl-C stops everything.')) {
    if (npm.exitCode !== null || Date.now() - started > 200_000) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  // What a person starting the system reads first after the setup step is the pages' address, not a log line.
  const beforeWelcome = output.slice(0, output.indexOf('Web pages'));
  expect(beforeWelcome.split('\n').filter((line) => line.startsWith('{')), output).toEqual([]);
  const system = descendantsOf(npm.pid!);
  leftovers.push(...system);
  const postmaster = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  expect(system).toContain(postmaster);
  expect(system.some((pid) => /temporal/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8')))).toBe(true);

  process.kill(npm.pid!, 'SIGTERM');
  await exited;
  const deadline = Date.now() + 30_000;
  while (system.some(isRunning) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  expect(system.filter(isRunning), output).toEqual([]);
});
