// vitest strips types without checking them: this is where a type error, or an import or local
// left unused (noUnusedLocals), fails the suite.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

async function typeErrors(project: string): Promise<string> {
  try {
    await run(process.execPath, [tsc, '--noEmit', '-p', project], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    return '';
  } catch (err) {
    const { stdout, message } = err as { stdout?: string; message: string };
    return stdout || message;
  }
}

describe('the type check', () => {
  it('finds no error in the engine, the API, the scripts and the tests', { timeout: 300_000 }, async () => {
    expect(await typeErrors('tsconfig.json')).toBe('');
  });

  it('finds no error in the pages', { timeout: 300_000 }, async () => {
    expect(await typeErrors('web/tsconfig.json')).toBe('');
  });
});
