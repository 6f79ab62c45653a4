import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, expect, it } from 'vitest';
import { WEB_ROOT } from '../api/config.js';
import { ensureWebBuild } from '../scripts/web-build.js';

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

const INITIAL_JS_LIMIT = 400 * 1024;
let manifest: Record<string, ManifestChunk>;

beforeAll(async () => {
  await ensureWebBuild(() => {});
  manifest = JSON.parse(readFileSync(join(WEB_ROOT, '.vite', 'manifest.json'), 'utf8'));
}, 300_000);

/** The entry's JavaScript and every chunk it imports statically: what the first page loads before it runs. */
function initialChunks(): string[] {
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const imported of manifest[key]?.imports ?? []) visit(imported);
  };
  visit('index.html');
  return [...seen].map((key) => manifest[key]!.file);
}

it('the first page loads under 400 kB of JavaScript, gzipped', () => {
  const files = initialChunks();
  const gzipped = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(WEB_ROOT, file)), { level: 9 }).length, 0);
  expect(files.length).toBeGreaterThan(0);
  expect(gzipped, `initial JS ${files.join(', ')}: ${Math.round(gzipped / 1024)} kB gzipped`).toBeLessThan(INITIAL_JS_LIMIT);
});

it('each role’s pages are a chunk of their own, loaded only when visited (code split by role)', () => {
  const initial = new Set(initialChunks());
  const entry = manifest['index.html']!;
  const lazy = (entry.dynamicImports ?? []).map((key) => key.replace(/^.*pages\//, ''));
  for (const role of ['public', 'household', 'department', 'district', 'city']) {
    expect(lazy, role).toContain(`${role}/index.tsx`);
  }
  for (const key of entry.dynamicImports ?? []) expect(initial.has(manifest[key]!.file), key).toBe(false);
});

it('carries React’s production build, though built under vitest, whose NODE_ENV is "test"', () => {
  expect(process.env.NODE_ENV).toBe('test');
  const assets = join(WEB_ROOT, 'assets');
  const code = readdirSync(assets)
    .filter((name) => name.endsWith('.js'))
    .map((name) => readFileSync(join(assets, name), 'utf8'))
    .join('\n');
  // React's production build answers its errors by number; its development build warns in full.
  expect(code.includes('Minified React error'), 'production React: errors by number').toBe(true);
  expect(code.includes('findDOMNode is deprecated'), 'development React: warnings in full').toBe(false);
  // JSX compiled for development calls jsxDEV, which production React does not have: blank pages.
  expect(code.includes('jsxDEV'), 'JSX compiled for development').toBe(false);
});
