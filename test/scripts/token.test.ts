import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_TRUST, createTokenVerifier } from '../../api/auth.js';
import { developmentSecret } from '../../scripts/config.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'token-tool-test-secret-with-at-least-32-bytes';
const scratch = mkdtempSync(join(tmpdir(), 'token-tool-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function token(args: string[], env: Record<string, string | undefined> = { AUTH_SECRET: SECRET }, cwd = root) {
  const { AUTH_SECRET: _secret, AUTH_JWKS_URL: _jwks, DATA_DIR: _data, ...inherited } = process.env;
  const run = spawnSync(`${root}node_modules/.bin/tsx`, [`${root}scripts/token.ts`, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...inherited, DATA_DIR: join(scratch, 'none'), ...env },
  });
  return { status: run.status, stdout: run.stdout.trim(), stderr: run.stderr };
}

describe('npm run token', () => {
  it('issues an HS256 JWT that jose verifies, with the claims of the role, and that the API takes until it expires', async () => {
    const issued = token(['--role', 'district', '--district', '120104', '--id', 'reviewer-1', '--hours', '2']);
    expect(issued.status, issued.stderr).toBe(0);
    expect(decodeProtectedHeader(issued.stdout)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(issued.stdout, new TextEncoder().encode(SECRET), {
      issuer: DEFAULT_TOKEN_TRUST.issuer,
      audience: DEFAULT_TOKEN_TRUST.audience,
      algorithms: ['HS256'],
    });
    expect(payload).toMatchObject({ sub: 'reviewer-1', role: 'district', districtCode: '120104' });
    expect((payload.exp as number) - (payload.iat as number)).toBe(2 * 3600);

    const verify = createTokenVerifier({ ...DEFAULT_TOKEN_TRUST, secret: SECRET });
    const now = Math.floor(Date.now() / 1000);
    await expect(verify(issued.stdout, now)).resolves.toEqual({ id: 'reviewer-1', role: 'district', districtCode: '120104' });
    await expect(verify(issued.stdout, now + 2 * 3600 + 60)).rejects.toMatchObject({ statusCode: 401, message: expect.stringMatching(/已过期（exp）/) });
  });

  it("--training signs with the training system's own stored secret, not with npm start's", async () => {
    const clone = join(scratch, 'clone');
    const startSecret = developmentSecret(join(clone, '.data'), true)!;
    const trainingSecret = developmentSecret(join(clone, '.data', 'training'), true)!;
    const now = Math.floor(Date.now() / 1000);
    const training = createTokenVerifier({ ...DEFAULT_TOKEN_TRUST, secret: trainingSecret });

    const issued = token(['--training', '--role', 'city'], { DATA_DIR: undefined }, clone);
    expect(issued.status, issued.stderr).toBe(0);
    await expect(training(issued.stdout, now)).resolves.toEqual({ id: 'city-city', role: 'city' });
    const plain = token(['--role', 'city'], { DATA_DIR: undefined }, clone);
    expect(plain.status, plain.stderr).toBe(0);
    await expect(createTokenVerifier({ ...DEFAULT_TOKEN_TRUST, secret: startSecret })(plain.stdout, now)).resolves.toEqual({ id: 'city-city', role: 'city' });
    await expect(training(plain.stdout, now)).rejects.toMatchObject({ statusCode: 401 });
  });

  it("signs with the development system's stored secret when AUTH_SECRET is unset, and with no secret at all refuses", async () => {
    const dataDir = join(scratch, 'dev');
    const secret = developmentSecret(dataDir, true)!;
    expect(Buffer.byteLength(secret)).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dataDir, 'auth-secret'), 'utf8').trim()).toBe(secret);
    expect(developmentSecret(dataDir, true)).toBe(secret);

    const issued = token(['--role', 'city'], { DATA_DIR: dataDir });
    expect(issued.status, issued.stderr).toBe(0);
    const verify = createTokenVerifier({ ...DEFAULT_TOKEN_TRUST, secret });
    await expect(verify(issued.stdout, Math.floor(Date.now() / 1000))).resolves.toEqual({ id: 'city-city', role: 'city' });

    const refused = token(['--role', 'city'], {});
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/AUTH_SECRET/);
  });

  it.each([
    ['a district office without its district', ['--role', 'district'], /a district office acts for a Tianjin district/],
    ['a district outside Tianjin', ['--role', 'district', '--district', '999999'], /a district office acts for a Tianjin district/],
    ['a household without its USCC', ['--role', 'household'], /a household acts for its uscc/],
    ['a USCC with a wrong check character', ['--role', 'household', '--uscc', '92120104MA06B7Q40X'], /--uscc: check character/],
    ['a department without its name', ['--role', 'department'], /a department names itself/],
    ['the system role, which no person holds', ['--role', 'system'], /--role must be one of household, department, district, city, public/],
    ['hours that are not a number', ['--role', 'city', '--hours', 'soon'], /--hours must be a positive number/],
    ['more than 12 hours', ['--role', 'city', '--hours', '13'], /--hours must be at most 12/],
    ['an unknown option', ['--rol', 'city'], /Unknown option '--rol'/],
  ])('refuses %s with the reason and the usage, issuing nothing', (_rule, args, reason) => {
    const refused = token(args);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(reason);
    expect(refused.stderr).toContain('usage: npm run token');
  });
});
