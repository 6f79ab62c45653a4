/**
 * The settings every process reads from its environment (the API, the worker, the embedded
 * system and the tools), with their defaults; the README's Configuration table lists the same.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ELIGIBILITY_SETTINGS, YEAR_ROUND_ELIGIBILITY_SETTINGS, isMonthDay, type EligibilitySettings } from '../policy/eligibility.js';
import { DEFAULT_SMS_QUIET_HOURS, parseQuietHours, type QuietHours } from '../policy/notifications.js';
import { DEFAULT_CASE_SETTINGS, type CaseSettings } from '../policy/recognition-case.js';
import { DEFAULT_RECOGNITION_TERM_SETTINGS, type RecognitionTermSettings } from '../policy/vocabulary.js';
import { DEFAULT_UNCLASSIFIED_LABEL } from '../policy/tier-labels.js';
import { DEFAULT_OBJECTION_SETTINGS, type ObjectionSettings } from '../policy/tier-objection.js';
import { DEFAULT_TOKEN_TRUST, type TokenTrust } from './auth.js';
import { DEFAULT_RATE_LIMITS, type RateLimits } from './http-guards.js';

/** Where the built pages are (web/ → web/dist, `npm run web:build`); the API serves them when they are there. */
export const WEB_ROOT = fileURLToPath(new URL('../web/dist', import.meta.url));

/** Every setting the processes read, with its default; the README lists the same table. */
export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  temporalAddress: string | undefined;
  temporalNamespace: string;
  temporalPort: number;
  temporalUiPort: number;
  apiHost: string;
  apiPort: number;
  /** How the API verifies bearer tokens; neither a secret nor a JWKS URL when the environment names none. */
  tokenTrust: TokenTrust;
  rateLimits: RateLimits;
  /** Fastify's trustProxy: false, true, a hop count, or the proxies' addresses (comma-separated). */
  trustProxy: boolean | string | ((address: string, hop: number) => boolean);
  logLevel: string;
  caseSettings: CaseSettings;
  recognitionTermSettings: RecognitionTermSettings;
  eligibilitySettings: EligibilitySettings;
  objectionSettings: ObjectionSettings;
  unclassifiedLabel: string;
  /** The only directory the API imports server-side feed files from. */
  importDir: string;
  notifications: NotificationConfig;
}

/** Channels beyond the in-app inbox (issue 12); unset URLs leave those deliveries waiting. */
interface NotificationConfig {
  smtpUrl: string | null;
  smtpFrom: string;
  smsGatewayUrl: string | null;
  smsQuietHours: QuietHours;
  /** The platform's address as its users open it, for the links in emails; none without it. */
  platformUrl: string | null;
}

/** `policy` keeps C-CYCLE's window; `year-round` is for a demo or training system. */
const APPLICATION_WINDOWS = ['policy', 'year-round'] as const;
type ApplicationWindow = (typeof APPLICATION_WINDOWS)[number];

/**
 * `defaults.applicationWindow` is what APPLICATION_WINDOW means when unset: `policy` for the
 * API and worker as deployed, `year-round` for the embedded demo system; `defaults.dataDir`
 * what DATA_DIR means (a training system keeps its own).
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaults: { applicationWindow: ApplicationWindow; dataDir?: string } = { applicationWindow: 'policy' },
): Config {
  const dataDir = env.DATA_DIR ?? defaults.dataDir ?? '.data';
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    embeddedPostgresPort: integer(env, 'EMBEDDED_PG_PORT', 54329),
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    temporalPort: integer(env, 'TEMPORAL_PORT', 7233),
    temporalUiPort: integer(env, 'TEMPORAL_UI_PORT', 8233),
    apiHost: env.API_HOST ?? '127.0.0.1',
    apiPort: integer(env, 'API_PORT', 3000),
    tokenTrust: tokenTrust(env),
    rateLimits: {
      perActorPerMinute: integer(env, 'RATE_LIMIT_PER_ACTOR', DEFAULT_RATE_LIMITS.perActorPerMinute),
      anonymousReadsPerMinute: integer(env, 'RATE_LIMIT_ANONYMOUS_READS', DEFAULT_RATE_LIMITS.anonymousReadsPerMinute),
      anonymousWritesPerMinute: integer(env, 'RATE_LIMIT_ANONYMOUS_WRITES', DEFAULT_RATE_LIMITS.anonymousWritesPerMinute),
    },
    trustProxy: trustProxy(env.TRUST_PROXY),
    logLevel: env.LOG_LEVEL ?? 'info',
    caseSettings: {
      reviewWorkingDays: integer(env, 'REVIEW_WORKING_DAYS', DEFAULT_CASE_SETTINGS.reviewWorkingDays),
      verificationWorkingDays: integer(env, 'VERIFICATION_WORKING_DAYS', DEFAULT_CASE_SETTINGS.verificationWorkingDays),
      opinionWorkingDays: integer(env, 'OPINION_WORKING_DAYS', DEFAULT_CASE_SETTINGS.opinionWorkingDays),
      publicityWorkingDays: integer(env, 'PUBLICITY_WORKING_DAYS', DEFAULT_CASE_SETTINGS.publicityWorkingDays),
      reminderWorkingDays: integer(env, 'REMINDER_WORKING_DAYS', DEFAULT_CASE_SETTINGS.reminderWorkingDays),
      consentWorkingDays: integer(env, 'CONSENT_WORKING_DAYS', DEFAULT_CASE_SETTINGS.consentWorkingDays),
    },
    recognitionTermSettings: {
      spotCheckRate: share(env, 'SPOT_CHECK_RATE', DEFAULT_RECOGNITION_TERM_SETTINGS.spotCheckRate),
      annualReportReminderDays: integer(env, 'ANNUAL_REPORT_REMINDER_DAYS', DEFAULT_RECOGNITION_TERM_SETTINGS.annualReportReminderDays),
      annualReportGraceDays: integer(env, 'ANNUAL_REPORT_GRACE_DAYS', DEFAULT_RECOGNITION_TERM_SETTINGS.annualReportGraceDays),
      markedGrowthRate: growthRate(env, 'MARKED_GROWTH_RATE', DEFAULT_RECOGNITION_TERM_SETTINGS.markedGrowthRate),
      evaluationRereadDays: integer(env, 'EVALUATION_REREAD_DAYS', DEFAULT_RECOGNITION_TERM_SETTINGS.evaluationRereadDays),
      supplementReminderWorkingDays: integer(
        env,
        'SUPPLEMENT_REMINDER_WORKING_DAYS',
        DEFAULT_RECOGNITION_TERM_SETTINGS.supplementReminderWorkingDays,
      ),
    },
    eligibilitySettings: eligibilitySettings(env, defaults.applicationWindow),
    objectionSettings: {
      answerWorkingDays: integer(env, 'OBJECTION_WORKING_DAYS', DEFAULT_OBJECTION_SETTINGS.answerWorkingDays),
      reminderWorkingDays: integer(env, 'REMINDER_WORKING_DAYS', DEFAULT_OBJECTION_SETTINGS.reminderWorkingDays),
    },
    unclassifiedLabel: env.UNCLASSIFIED_LABEL || DEFAULT_UNCLASSIFIED_LABEL,
    importDir: env.IMPORT_DIR || join(dataDir, 'imports'),
    notifications: {
      smtpUrl: setting(env, 'SMTP_URL', null as string | null, String, (url) => url !== null && /^smtps?:\/\//.test(url), 'an smtp:// or smtps:// URL'),
      smtpFrom: env.SMTP_FROM || '名特优新平台 <noreply@localhost>',
      smsGatewayUrl: setting(env, 'SMS_GATEWAY_URL', null as string | null, String, (url) => url !== null && /^https?:\/\//.test(url), 'an http:// or https:// URL'),
      smsQuietHours: setting<QuietHours | null>(env, 'SMS_QUIET_HOURS', DEFAULT_SMS_QUIET_HOURS, parseQuietHours, (value) => value !== null, 'HH:MM-HH:MM in CST (21:00-08:00)') as QuietHours,
      platformUrl: setting(env, 'PLATFORM_URL', null as string | null, String, (url) => url !== null && /^https?:\/\/[^/\s]+/.test(url), 'an http:// or https:// URL'),
    },
  };
}

/**
 * AUTH_SECRET and AUTH_JWKS_URL as given (an empty secret stays empty, so that it is refused, not
 * taken for none); the token tool's issuer and audience unless a JWKS URL names the provider's.
 */
function tokenTrust(env: NodeJS.ProcessEnv): TokenTrust {
  const jwksUrl = env.AUTH_JWKS_URL || undefined;
  const fallback = jwksUrl ? { issuer: '', audience: '' } : DEFAULT_TOKEN_TRUST;
  const maxHours = setting(env, 'AUTH_TOKEN_MAX_HOURS', DEFAULT_TOKEN_TRUST.maxLifetimeSeconds / 3600, Number, (hours) => hours > 0 && hours <= 24 * 7, 'a number of hours above 0, at most 168');
  return {
    ...(env.AUTH_SECRET === undefined ? {} : { secret: env.AUTH_SECRET }),
    ...(jwksUrl ? { jwksUrl } : {}),
    issuer: env.AUTH_ISSUER || fallback.issuer,
    audience: env.AUTH_AUDIENCE || fallback.audience,
    maxLifetimeSeconds: Math.round(maxHours * 3600),
    clockToleranceSeconds: DEFAULT_TOKEN_TRUST.clockToleranceSeconds,
  };
}

/** Behind a reverse proxy the client's address is in X-Forwarded-For, which only the proxies named here may set. */
function trustProxy(raw: string | undefined): Config['trustProxy'] {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (!/^\d+$/.test(raw)) return raw;
  const hops = Number(raw);
  return (_address, hop) => hop < hops;
}


/**
 * The variable `name` when set and accepted by `valid`, else the fallback when unset; a value that
 * is set and refused stops the process, saying what `name` must be.
 */
function setting<T>(env: NodeJS.ProcessEnv, name: string, fallback: T, parse: (raw: string) => T, valid: (value: T) => boolean, mustBe: string): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = parse(raw);
  if (!valid(value)) throw new Error(`${name} must be ${mustBe}, got "${raw}"`);
  return value;
}

/**
 * C-CYCLE: under policy, applications close on a month-day no later than the day the year's
 * recognitions are done by; a year-round window has no closing day to set.
 */
function eligibilitySettings(env: NodeJS.ProcessEnv, fallbackWindow: ApplicationWindow): EligibilitySettings {
  const isWindow = (raw: string): raw is ApplicationWindow => (APPLICATION_WINDOWS as readonly string[]).includes(raw);
  const window = setting(env, 'APPLICATION_WINDOW', fallbackWindow, String, isWindow, APPLICATION_WINDOWS.join(' or ')) as ApplicationWindow;
  if (window === 'year-round') {
    if (env.APPLICATIONS_CLOSE_ON) throw new Error('APPLICATIONS_CLOSE_ON applies to APPLICATION_WINDOW=policy only; unset one of them');
    return { ...YEAR_ROUND_ELIGIBILITY_SETTINGS };
  }
  const doneBy = DEFAULT_ELIGIBILITY_SETTINGS.recognitionsDoneBy;
  const closesInTime = (raw: string) => isMonthDay(raw) && raw <= doneBy;
  const closesOn = setting(env, 'APPLICATIONS_CLOSE_ON', DEFAULT_ELIGIBILITY_SETTINGS.applicationsCloseOn, String, closesInTime, `a month-day MM-DD no later than ${doneBy} (C-CYCLE)`);
  return { ...DEFAULT_ELIGIBILITY_SETTINGS, applicationsCloseOn: closesOn };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return setting(env, name, fallback, Number, (value) => Number.isInteger(value) && value >= 1, 'a positive integer');
}

/** A share from 0 (nothing sampled) to 1 (everything). */
function share(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return setting(env, name, fallback, Number, (value) => value >= 0 && value <= 1, 'a share from 0 to 1 (0.1 for 10%)');
}

/** A growth rate above 0 (0.2 for 20%). */
function growthRate(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return setting(env, name, fallback, Number, (value) => Number.isFinite(value) && value > 0, 'a rate above 0 (0.2 for 20%)');
}
