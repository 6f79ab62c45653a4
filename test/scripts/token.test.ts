import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { verifyToken } from '../../api/auth.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'token-tool-test-secret';

function token(...args: string[]) {
  const run = spawnSync(`${root}node_modules/.bin/tsx`, ['scripts/token.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, AUTH_SECRET: SECRET },
  });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr };
}

describe('npm run token', () => {
  it('issues a token the API verifies, with the claims of the role', () => {
    const issued = token('--role', 'district', '--district', '120104', '--id', 'reviewer-1', '--hours', '2');
    expect(issued.status, issued.stderr).toBe(0);
    const now = Math.floor(Date.now() / 1000);
    expect(verifyToken(SECRET, issued.stdout, now)).toEqual({ id: 'reviewer-1', role: 'district', districtCode: '120104' });
    expect(() => verifyToken(SECRET, issued.stdout, now + 2 * 3600 + 60)).toThrow(/expired/);
  });

  it.each([
    [['--role', 'district'], /a district office acts for a Tianjin district/],
    [['--role', 'district', '--district', '999999'], /a district office acts for a Tianjin district/],
    [['--role', 'household'], /a household acts for its uscc/],
    [['--role', 'household', '--uscc', '92120104MA06B7Q40X'], /--uscc: check character/],
    [['--role', 'department'], /a department names itself/],
    [['--role', 'system'], /--role must be one of household, department, district, city, public/],
    [['--role', 'city', '--hours', 'soon'], /--hours must be a positive number/],
    [['--rol', 'city'], /Unknown option '--rol'/],
  ])('refuses %j with the reason and the usage, issuing nothing', (args, reason) => {
    const refused = token(...args);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(reason);
    expect(refused.stderr).toContain('usage: npm run token');
  });
});
