import { describe, expect, it } from 'vitest';
import { DEFAULT_ELIGIBILITY_SETTINGS, YEAR_ROUND_ELIGIBILITY_SETTINGS } from '../../policy/eligibility.js';
import { DEFAULT_RECOGNITION_TERM_SETTINGS } from '../../policy/recognition-term.js';
import { loadConfig } from '../../scripts/config.js';

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
    expect(loadConfig({}).notifications).toEqual({ smtpUrl: null, smtpFrom: '名特优新平台 <noreply@localhost>', smsGatewayUrl: null, smsQuietHours: { fromMinute: 21 * 60, toMinute: 8 * 60 } });
  });

  it('reads every setting', () => {
    expect(
      loadConfig({ SMTP_URL: 'smtps://user:pass@mail.example.org:465', SMTP_FROM: 'noreply@example.org', SMS_GATEWAY_URL: 'https://sms.example.org/send', SMS_QUIET_HOURS: '22:00-07:30' }).notifications,
    ).toEqual({ smtpUrl: 'smtps://user:pass@mail.example.org:465', smtpFrom: 'noreply@example.org', smsGatewayUrl: 'https://sms.example.org/send', smsQuietHours: { fromMinute: 22 * 60, toMinute: 7 * 60 + 30 } });
  });

  it.each([
    ['SMTP_URL', 'mail.example.org', /SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/],
    ['SMS_GATEWAY_URL', 'ftp://sms', /SMS_GATEWAY_URL must be an http:\/\/ or https:\/\/ URL/],
    ['SMS_QUIET_HOURS', '9pm-8am', /SMS_QUIET_HOURS must be HH:MM-HH:MM in CST/],
  ])('refuses %s=%s, naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
