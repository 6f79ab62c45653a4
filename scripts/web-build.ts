/**
 * Builds the pages (web/ → web/dist) when their sources changed since the last build: a hash
 * of the sources is stored with the build, so `npm start` skips the build when nothing changed.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { WEB_ROOT } from '../api/config.js';


const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HASH_FILE = join(WEB_ROOT, '.source-hash');
const VITE_CLI = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
const execFileAsync = promisify(execFile);
/** What the built pages are made of: their own sources, the pure rules they import, and the locked dependencies. */
const SOURCES = ['web', 'policy', 'package-lock.json'];
const SKIPPED = new Set(['dist', 'node_modules']);

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => !SKIPPED.has(name))
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

export function webSourceHash(): string {
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap((source) => filesUnder(join(ROOT, source)))) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Builds the pages unless the build in web/dist was made from the same sources; answers whether it built. */
export async function ensureWebBuild(log: (line: string) => void = console.log): Promise<boolean> {
  const sourceHash = webSourceHash();
  if (existsSync(join(WEB_ROOT, 'index.html')) && existsSync(HASH_FILE) && readFileSync(HASH_FILE, 'utf8') === sourceHash) return false;
  log('Building the web pages (their sources changed)…');
  // Built beside the pages being served and swapped in whole, so a running API never serves half a build.
  const next = `${WEB_ROOT}.next`;
  // A process of its own with NODE_ENV=production: Vite and its React plugin take NODE_ENV from the
  // environment when it is set, and pages built by a test run (vitest sets "test") were React's
  // development build, served by npm start afterwards.
  const { stderr: warnings } = await execFileAsync(
    process.execPath,
    [VITE_CLI, 'build', '--config', join(ROOT, 'web', 'vite.config.ts'), '--outDir', next, '--emptyOutDir', '--logLevel', 'warn'],
    { env: { ...process.env, NODE_ENV: 'production' } },
  );
  if (warnings.trim()) console.warn(warnings.trimEnd());
  writeFileSync(join(next, '.source-hash'), sourceHash);
  const previous = `${WEB_ROOT}.previous`;
  rmSync(previous, { recursive: true, force: true });
  if (existsSync(WEB_ROOT)) renameSync(WEB_ROOT, previous);
  renameSync(next, WEB_ROOT);
  rmSync(previous, { recursive: true, force: true });
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await ensureWebBuild();
}
