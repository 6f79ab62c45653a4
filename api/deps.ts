// What the API is built from: buildApp's dependencies and the part of them every route reads.
// Apart from app.ts so that the routes app.ts registers do not import it back.
import type { Client } from '@temporalio/client';
import type { FastifyServerOptions } from 'fastify';
import type { Database } from '../db/client.js';
import type { Actor } from '../policy/actors.js';
import type { EligibilitySettings } from '../policy/eligibility.js';
import type { CaseSettings } from '../policy/recognition-case.js';
import type { ObjectionSettings } from '../policy/tier-objection.js';
import type { RecognitionTermSettings } from '../policy/vocabulary.js';
import type { TokenTrust } from './auth.js';
import type { RateLimits } from './http-guards.js';

export interface DemoActor {
  actor: Actor;
  /** Who it is, in the words the login page shows (Chinese). */
  label: string;
  /** What there is to try as this actor. */
  description: string;
}

export interface TrainingClock {
  /** Epoch milliseconds, the system's one clock. */
  now(): number;
  /** Lets `ms` of time pass on the server: every timer due in it fires, in order, once. */
  advance(ms: number): Promise<void>;
}

export interface AppDeps {
  database: Database;
  temporal: Client;
  /** How bearer tokens are verified: the identity provider's JWKS or the token tool's secret (api/auth.ts). */
  tokenTrust?: TokenTrust;
  /** Shorthand for tokenTrust: tokens of the token tool signed with this secret, default issuer, audience and lifetime. */
  authSecret?: string;
  /** Requests a minute per actor and per address without a token; routes may set their own (config.rateLimit). */
  rateLimits?: RateLimits;
  /** Fastify's trustProxy: which proxies' X-Forwarded-For names the client whose address rate limits count. */
  trustProxy?: FastifyServerOptions['trustProxy'];
  caseSettings: CaseSettings;
  /** The recognised phase's settings (spot-check rate, report grace…), fixed in each new case. */
  recognitionTermSettings?: RecognitionTermSettings;
  /** The application window (C-CYCLE); tests that run on any date of the year widen it. */
  eligibilitySettings?: EligibilitySettings;
  /** Working days the city office has to answer an objection to a tier (T-OBJ), and the reminder. */
  objectionSettings?: ObjectionSettings;
  /** How the public lookup names the unclassified tier (RULES.md: a display setting). */
  unclassifiedLabel?: string;
  /** The directory server-side feed imports must come from (IMPORT_DIR); without one, feeds arrive as uploads only. */
  importDir?: string | null;
  /** Epoch milliseconds; tests may fix it. A training system's is its clock's. */
  now?: () => number;
  /** A training system's clock (npm run training): its routes, and a mark on every answer. */
  training?: TrainingClock | null;
  /**
   * Whether a decision carries the wall-clock time by which a worker must take it (api/decisions.ts).
   * Off only on a time-skipping test server, whose clock runs ahead of the wall clock (so off in a training system).
   */
  decisionsExpire?: boolean;
  /** Where new cases are queued; tests give each worker its own. */
  taskQueue?: string;
  logger?: FastifyServerOptions['logger'];
  /** The built pages (web/dist) to serve at `/`; without it the API serves no pages. */
  webRoot?: string | null;
  /** Development only: the actors the login page lets anyone sign in as. Never given in a deployment. */
  demoActors?: readonly DemoActor[] | null;
}

export type RouteDeps = Required<Omit<AppDeps, 'logger' | 'tokenTrust' | 'authSecret' | 'rateLimits' | 'trustProxy' | 'webRoot' | 'demoActors'>>;
