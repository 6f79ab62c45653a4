/**
 * Tables of the tiering (RULES.md part 1): the agencies' feeds as imported (data contract),
 * the import records, the yearly runs and their results, the current tier of each household
 * with its history, objections (T-OBJ) and support measures (T-AID, C-AID).
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  json,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const money = (name: string) => numeric(name, { precision: 16, scale: 2, mode: 'number' });

// ── Feeds (data contract); `households` in schema.ts is the registrations feed ────────────

export const annualReports = pgTable(
  'annual_reports',
  {
    uscc: text('uscc').notNull(),
    year: smallint('year').notNull(),
    filedOn: date('filed_on'),
    revenue: money('revenue'),
  },
  (t) => [primaryKey({ columns: [t.uscc, t.year] })],
);

export const taxRecords = pgTable(
  'tax_records',
  {
    uscc: text('uscc').notNull(),
    year: smallint('year').notNull(),
    taxRegisteredOn: date('tax_registered_on'),
    generalTaxpayer: boolean('general_taxpayer').notNull().default(false),
    vatPaid: money('vat_paid'),
    iitPaid: money('iit_paid'),
    abnormal: boolean('abnormal').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.uscc, t.year] })],
);

export const socialInsurance = pgTable(
  'social_insurance',
  {
    uscc: text('uscc').notNull(),
    year: smallint('year').notNull(),
    insuredCount: integer('insured_count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.uscc, t.year] })],
);

export const ipRights = pgTable(
  'ip_rights',
  {
    kind: text('kind').notNull(),
    registrationNo: text('registration_no').notNull(),
    uscc: text('uscc').notNull(),
    holder: text('holder').notNull(),
    inUse: boolean('in_use').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.kind, t.registrationNo] }), index('ip_rights_uscc_idx').on(t.uscc)],
);

export const creditEvents = pgTable(
  'credit_events',
  {
    uscc: text('uscc').notNull(),
    kind: text('kind').notNull(),
    listedOn: date('listed_on').notNull(),
    clearedOn: date('cleared_on'),
    detail: text('detail'),
  },
  (t) => [primaryKey({ columns: [t.uscc, t.kind, t.listedOn] })],
);

export const dishonestDebtors = pgTable(
  'dishonest_debtors',
  {
    operatorId: text('operator_id').notNull(),
    listedOn: date('listed_on').notNull(),
    clearedOn: date('cleared_on'),
  },
  (t) => [primaryKey({ columns: [t.operatorId, t.listedOn] })],
);

// ── Imports ──────────────────────────────────────────────────────────────────────────────

/** One row per import of one feed file: who, when, which file, what came of it. */
export const imports = pgTable(
  'imports',
  {
    id: serial('id').primaryKey(),
    feed: text('feed').notNull(),
    fileName: text('file_name').notNull(),
    fileSha256: text('file_sha256').notNull(),
    importedBy: text('imported_by').notNull(),
    status: text('status').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    rowsRead: integer('rows_read').notNull().default(0),
    rowsAccepted: integer('rows_accepted').notNull().default(0),
    rowsRejected: integer('rows_rejected').notNull().default(0),
    rowsChanged: integer('rows_changed').notNull().default(0),
  },
  (t) => [index('imports_feed_idx').on(t.feed, t.startedAt)],
);

/** Every rejected row of an import: file line, column and the rule it broke. */
export const importRejections = pgTable(
  'import_rejections',
  {
    importId: integer('import_id').notNull(),
    line: integer('line').notNull(),
    column: text('column').notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.line, t.column] })],
);

// ── Tiering runs ─────────────────────────────────────────────────────────────────────────

/** T-G1 / T-D1 thresholds per year: settings of the run, not policy (defaults in policy/tiering.ts). */
export const tierThresholds = pgTable('tier_thresholds', {
  year: smallint('year').primaryKey(),
  growthRevenueYuan: money('growth_revenue_yuan').notNull(),
  developmentRevenueYuan: money('development_revenue_yuan').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A yearly (or on-demand) run over every household (T-RUN). A completed run is never
 * changed; a re-run for the same year is a new version, and `in_force` says which one counts.
 */
export const tieringRuns = pgTable(
  'tiering_runs',
  {
    id: serial('id').primaryKey(),
    year: smallint('year').notNull(),
    version: integer('version').notNull(),
    asOf: date('as_of').notNull(),
    thresholds: jsonb('thresholds').notNull(),
    ruleVersion: text('rule_version').notNull(),
    status: text('status').notNull(),
    workflowId: text('workflow_id').notNull(),
    requestedBy: text('requested_by').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    households: integer('households').notNull().default(0),
    processed: integer('processed').notNull().default(0),
    countsByTier: jsonb('counts_by_tier'),
    countsByDistrict: jsonb('counts_by_district'),
    /** Growth + development: the base of the recognition cap (C-QUOTA). */
    quotaBase: integer('quota_base'),
    /** Year-on-year movements against the previous year's run in force: { "survival>growth": n, … }. */
    movements: jsonb('movements'),
    inForce: boolean('in_force').notNull().default(false),
    /** When its tiers last became the households' current tiers; null while they are being applied, or if never in force. */
    tiersAppliedAt: timestamp('tiers_applied_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('tiering_runs_year_version_idx').on(t.year, t.version),
    uniqueIndex('tiering_runs_in_force_idx').on(t.year).where(sql`${t.inForce}`),
    uniqueIndex('tiering_runs_workflow_idx').on(t.workflowId),
  ],
);

/**
 * Each household's result in a run: tier and the trace of every clause evaluated, with its facts.
 * The trace is `json`, kept as written: a run writes a million of them once, and they are read one
 * household at a time (lookup, objection) or for their outcomes (export), so jsonb's conversion on
 * input would be work for nothing (measured: a fifth of the database's share of a run).
 */
export const tieringResults = pgTable(
  'tiering_results',
  {
    runId: integer('run_id').notNull(),
    uscc: text('uscc').notNull(),
    districtCode: text('district_code').notNull(),
    tier: text('tier').notNull(),
    trace: json('trace').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.uscc] })],
);

/**
 * What each chunk of a run tiered, written in the transaction that stores the chunk's results and
 * keyed by chunk, so that a chunk done again replaces its row: the run's counts and movements are
 * summed from these rows, never incremented by an attempt.
 */
export const tieringRunChunks = pgTable(
  'tiering_run_chunks',
  {
    runId: integer('run_id').notNull(),
    chunkIndex: integer('chunk_index').notNull(),
    households: integer('households').notNull(),
    countsByDistrict: jsonb('counts_by_district').notNull(),
    moves: jsonb('moves').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.chunkIndex] })],
);

/**
 * The tier that counts now for each household, whatever decided it (run, on demand, upheld objection).
 * A tier the yearly run set has no trace of its own: it is its run's result (run_id, uscc), so that
 * applying a run writes small rows. Stored with fillfactor 50 (migration 0004, which drizzle-kit
 * cannot express), so that each year's update of every row stays on its page (HOT) and leaves the
 * primary key alone.
 */
export const householdTiers = pgTable(
  'household_tiers',
  {
    uscc: text('uscc').primaryKey(),
    year: smallint('year').notNull(),
    tier: text('tier').notNull(),
    source: text('source').notNull(),
    runId: integer('run_id'),
    asOf: date('as_of').notNull(),
    ruleVersion: text('rule_version').notNull(),
    trace: jsonb('trace'),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
  },
  (t) => [check('household_tiers_trace_check', sql`${t.trace} is not null or (${t.source} = 'run' and ${t.runId} is not null)`)],
);

/** Every change of a household's current tier, kept alongside: who, when, why. */
export const tierHistory = pgTable(
  'tier_history',
  {
    id: serial('id').primaryKey(),
    uscc: text('uscc').notNull(),
    year: smallint('year').notNull(),
    tier: text('tier').notNull(),
    previousTier: text('previous_tier'),
    source: text('source').notNull(),
    runId: integer('run_id'),
    objectionId: text('objection_id'),
    decidedBy: text('decided_by').notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
    reason: text('reason'),
    trace: jsonb('trace'),
  },
  (t) => [index('tier_history_uscc_idx').on(t.uscc, t.decidedAt)],
);

/** Objections to a tier (T-OBJ), tracked by a workflow until the city office answers. */
export const tierObjections = pgTable(
  'tier_objections',
  {
    objectionId: text('objection_id').primaryKey(),
    uscc: text('uscc').notNull(),
    year: smallint('year').notNull(),
    contestedTier: text('contested_tier').notNull(),
    reason: text('reason').notNull(),
    correctedFacts: jsonb('corrected_facts'),
    status: text('status').notNull(),
    filedBy: text('filed_by').notNull(),
    filedAt: timestamp('filed_at', { withTimezone: true }).notNull(),
    dueOn: date('due_on'),
    decision: text('decision'),
    decidedTier: text('decided_tier'),
    decisionReason: text('decision_reason'),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    version: integer('version').notNull(),
  },
  (t) => [index('tier_objections_status_idx').on(t.status, t.dueOn)],
);

/** Support measures (annex 1 §4 by tier, annex 2 §6 by category) with their responsible departments. */
export const supportMeasures = pgTable(
  'support_measures',
  {
    id: text('id').primaryKey(),
    appliesTo: text('applies_to').notNull(),
    clause: text('clause').notNull(),
    measure: text('measure').notNull(),
    departments: text('departments').array().notNull(),
    withoutApplication: boolean('without_application').notNull(),
  },
  (t) => [index('support_measures_applies_idx').on(t.appliesTo)],
);
