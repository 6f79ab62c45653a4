import { join } from 'node:path';
import { DEFAULT_ELIGIBILITY_SETTINGS, isMonthDay, type EligibilitySettings } from '../policy/eligibility.js';
import { DEFAULT_CASE_SETTINGS, type CaseSettings } from '../policy/recognition-case.js';
import { DEFAULT_RECOGNITION_TERM_SETTINGS, type RecognitionTermSettings } from '../policy/recognition-term.js';
import { DEFAULT_UNCLASSIFIED_LABEL } from '../policy/tier-labels.js';
import { DEFAULT_OBJECTION_SETTINGS, type ObjectionSettings } from '../policy/tier-objection.js';

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
  authSecret: string;
  logLevel: string;
  caseSettings: CaseSettings;
  recognitionTermSettings: RecognitionTermSettings;
  eligibilitySettings: EligibilitySettings;
  objectionSettings: ObjectionSettings;
  unclassifiedLabel: string;
  /** The only directory the API imports server-side feed files from. */
  importDir: string;
}

export const DEV_AUTH_SECRET = 'dev-secret-change-me';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR ?? '.data',
    embeddedPostgresPort: integer(env, 'EMBEDDED_PG_PORT', 54329),
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    temporalPort: integer(env, 'TEMPORAL_PORT', 7233),
    temporalUiPort: integer(env, 'TEMPORAL_UI_PORT', 8233),
    apiHost: env.API_HOST ?? '127.0.0.1',
    apiPort: integer(env, 'API_PORT', 3000),
    authSecret: env.AUTH_SECRET ?? DEV_AUTH_SECRET,
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
    eligibilitySettings: {
      ...DEFAULT_ELIGIBILITY_SETTINGS,
      applicationsCloseOn: applicationsCloseOn(env, DEFAULT_ELIGIBILITY_SETTINGS.applicationsCloseOn),
    },
    objectionSettings: {
      answerWorkingDays: integer(env, 'OBJECTION_WORKING_DAYS', DEFAULT_OBJECTION_SETTINGS.answerWorkingDays),
      reminderWorkingDays: integer(env, 'REMINDER_WORKING_DAYS', DEFAULT_OBJECTION_SETTINGS.reminderWorkingDays),
    },
    unclassifiedLabel: env.UNCLASSIFIED_LABEL || DEFAULT_UNCLASSIFIED_LABEL,
    importDir: env.IMPORT_DIR || join(env.DATA_DIR ?? '.data', 'imports'),
  };
}

/** C-CYCLE: a month-day no later than the day the year's recognitions are done by. */
function applicationsCloseOn(env: NodeJS.ProcessEnv, fallback: string): string {
  const raw = env.APPLICATIONS_CLOSE_ON;
  if (raw === undefined || raw === '') return fallback;
  const doneBy = DEFAULT_ELIGIBILITY_SETTINGS.recognitionsDoneBy;
  if (!isMonthDay(raw) || raw > doneBy) {
    throw new Error(`APPLICATIONS_CLOSE_ON must be a month-day MM-DD no later than ${doneBy} (C-CYCLE), got "${raw}"`);
  }
  return raw;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** A share from 0 (nothing sampled) to 1 (everything). */
function share(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new Error(`${name} must be a share from 0 to 1 (0.1 for 10%), got "${raw}"`);
  return value;
}

/** A growth rate above 0 (0.2 for 20%). */
function growthRate(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a rate above 0 (0.2 for 20%), got "${raw}"`);
  return value;
}
