import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tokenTrustProblem } from '../../api/auth.js';
import { DEFAULT_ELIGIBILITY_SETTINGS, YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { DEFAULT_RECOGNITION_TERM_SETTINGS } from '../../policy/vocabulary.js';
import { loadConfig } from '../../api/config.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the recognised phase settings from the environment', () => {
  it('takes the defaults when nothing is set', () => {
    expect(loadConfig({}).recognitionTermSettings).toEqual(DEFAULT_RECOGNITION_TERM_SETTINGS);
  });

  it('reads every setting', () => {
    const settings = loadConfig({
      SPOT_CHECK_RATE: '0',
      ANNUAL_REPORT_REMINDER_DAYS: '14',
      ANNUAL_REPORT_GRACE_DAYS: '60',
      MARKED_GROWTH_RATE: '1.5',
      EVALUATION_REREAD_DAYS: '7',
      SUPPLEMENT_REMINDER_WORKING_DAYS: '2',
    }).recognitionTermSettings;
    expect(settings).toEqual({
      spotCheckRate: 0,
      annualReportReminderDays: 14,
      annualReportGraceDays: 60,
      markedGrowthRate: 1.5,
      evaluationRereadDays: 7,
      supplementReminderWorkingDays: 2,
    });
  });

  it.each([
    ['SPOT_CHECK_RATE', '10', /SPOT_CHECK_RATE must be a share from 0 to 1/],
    ['SPOT_CHECK_RATE', '-0.1', /SPOT_CHECK_RATE must be a share from 0 to 1/],
    ['SPOT_CHECK_RATE', 'ten percent', /SPOT_CHECK_RATE must be a share from 0 to 1/],
    ['MARKED_GROWTH_RATE', '0', /MARKED_GROWTH_RATE must be a rate above 0/],
    ['ANNUAL_REPORT_GRACE_DAYS', '0', /ANNUAL_REPORT_GRACE_DAYS must be a positive integer/],
    ['EVALUATION_REREAD_DAYS', '1.5', /EVALUATION_REREAD_DAYS must be a positive integer/],
    ['APPLICATIONS_CLOSE_ON', '12-01', /APPLICATIONS_CLOSE_ON must be a month-day MM-DD no later than 11-30 \(C-CYCLE\)/],
  ])('refuses %s=%s, naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});

describe('the application window (C-CYCLE) from the environment', () => {
  it('keeps the policy window unless told otherwise', () => {
    expect(loadConfig({}).eligibilitySettings).toEqual(DEFAULT_ELIGIBILITY_SETTINGS);
    expect(loadConfig({ APPLICATIONS_CLOSE_ON: '11-30' }).eligibilitySettings).toEqual({ ...DEFAULT_ELIGIBILITY_SETTINGS, applicationsCloseOn: '11-30' });
  });

  it('takes applications all year in a demo system, and lets the demo choose the policy window', () => {
    const demo = { applicationWindow: 'year-round' } as const;
    expect(loadConfig({}, demo).eligibilitySettings).toEqual(YEAR_ROUND_ELIGIBILITY_SETTINGS);
    expect(loadConfig({ APPLICATION_WINDOW: 'policy' }, demo).eligibilitySettings).toEqual(DEFAULT_ELIGIBILITY_SETTINGS);
    expect(loadConfig({ APPLICATION_WINDOW: 'year-round' }).eligibilitySettings).toEqual(YEAR_ROUND_ELIGIBILITY_SETTINGS);
  });

  it.each([
    [{ APPLICATION_WINDOW: 'always' }, /APPLICATION_WINDOW must be policy or year-round, got "always"/],
    [{ APPLICATION_WINDOW: 'year-round', APPLICATIONS_CLOSE_ON: '10-31' }, /APPLICATIONS_CLOSE_ON applies to APPLICATION_WINDOW=policy only/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('the notification channels from the environment', () => {
  it('sends no email or SMS unless configured, and keeps SMS quiet 21:00-08:00 CST', () => {
    expect(loadConfig({}).notifications).toEqual({ smtpUrl: null, smtpFrom: '名特优新平台 <noreply@localhost>', smsGatewayUrl: null, smsQuietHours: { fromMinute: 21 * 60, toMinute: 8 * 60 }, platformUrl: null });
  });

  it('reads every setting', () => {
    expect(
      loadConfig({ SMTP_URL: 'smtps://user:pass@mail.example.org:465', SMTP_FROM: 'noreply@example.org', SMS_GATEWAY_URL: 'https://sms.example.org/send', SMS_QUIET_HOURS: '22:00-07:30', PLATFORM_URL: 'https://mtyx.example.org' }).notifications,
    ).toEqual({ smtpUrl: 'smtps://user:pass@mail.example.org:465', smtpFrom: 'noreply@example.org', smsGatewayUrl: 'https://sms.example.org/send', smsQuietHours: { fromMinute: 22 * 60, toMinute: 7 * 60 + 30 }, platformUrl: 'https://mtyx.example.org' });
  });

  it.each([
    ['SMTP_URL', 'mail.example.org', /SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/],
    ['SMS_GATEWAY_URL', 'ftp://sms', /SMS_GATEWAY_URL must be an http:\/\/ or https:\/\/ URL/],
    ['SMS_QUIET_HOURS', '9pm-8am', /SMS_QUIET_HOURS must be HH:MM-HH:MM in CST/],
    ['PLATFORM_URL', 'mtyx.example.org', /PLATFORM_URL must be an http:\/\/ or https:\/\/ URL/],
  ])('refuses %s=%s, naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});

describe('token trust from the environment', () => {
  it("has no secret of its own: unset, the token tool's issuer and audience and 12 hours, and nothing to verify with", () => {
    const trust = loadConfig({}).tokenTrust;
    expect(trust).toEqual({ issuer: 'mingteyouxin', audience: 'mingteyouxin-api', maxLifetimeSeconds: 12 * 3600, clockToleranceSeconds: 30 });
    expect(tokenTrustProblem(trust)).toMatch(/no way to verify bearer tokens/);
  });

  it('keeps an empty AUTH_SECRET as set, so that it is refused rather than taken for none', () => {
    expect(tokenTrustProblem(loadConfig({ AUTH_SECRET: '' }).tokenTrust)).toMatch(/at least 32 bytes .* got 0/);
  });

  it("takes an identity provider's JWKS with its issuer and audience, and a lifetime in hours", () => {
    const trust = loadConfig({ AUTH_JWKS_URL: 'https://sso.example.test/certs', AUTH_ISSUER: 'https://sso.example.test', AUTH_AUDIENCE: 'mtyx', AUTH_TOKEN_MAX_HOURS: '1' }).tokenTrust;
    expect(trust).toMatchObject({ jwksUrl: 'https://sso.example.test/certs', issuer: 'https://sso.example.test', audience: 'mtyx', maxLifetimeSeconds: 3600 });
    expect(tokenTrustProblem(trust)).toBeNull();
    expect(tokenTrustProblem(loadConfig({ AUTH_JWKS_URL: 'https://sso.example.test/certs' }).tokenTrust)).toMatch(/needs AUTH_ISSUER and AUTH_AUDIENCE/);
  });

  it('refuses a lifetime of no time or over a week', () => {
    expect(() => loadConfig({ AUTH_TOKEN_MAX_HOURS: '0' })).toThrow(/AUTH_TOKEN_MAX_HOURS must be a number of hours above 0/);
    expect(() => loadConfig({ AUTH_TOKEN_MAX_HOURS: '200' })).toThrow(/at most 168/);
  });
});

describe('the API started on its own', () => {
  it.each([
    ['neither AUTH_SECRET nor AUTH_JWKS_URL', {}, /no way to verify bearer tokens/],
    ['an empty AUTH_SECRET', { AUTH_SECRET: '' }, /AUTH_SECRET must be at least 32 bytes .* got 0/],
    ['the old development default', { AUTH_SECRET: 'dev-secret-change-me' }, /AUTH_SECRET must be at least 32 bytes .* got 20/],
  ])('refuses to start with %s, saying what to set', (_case, auth, message) => {
    const { AUTH_SECRET: _secret, AUTH_JWKS_URL: _jwks, ...inherited } = process.env;
    // Addresses nothing listens on: the API must stop before it connects to anything.
    const run = spawnSync(`${root}node_modules/.bin/tsx`, ['api/server.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...inherited, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1', ...auth },
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
