import type { CaseSettings } from '../policy/recognition-case.js';

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
      reviewWorkingDays: integer(env, 'REVIEW_WORKING_DAYS', 20),
      reminderWorkingDays: integer(env, 'REMINDER_WORKING_DAYS', 3),
    },
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}
