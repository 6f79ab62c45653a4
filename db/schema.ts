import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';

/** The household registry, keyed by USCC, as the registration feed (data contract) describes it. */
export const households = pgTable(
  'households',
  {
    uscc: text('uscc').primaryKey(),
    name: text('name').notNull(),
    operatorId: text('operator_id').notNull(),
    operatorName: text('operator_name').notNull(),
    districtCode: text('district_code').notNull(),
    industryCode: text('industry_code'),
    establishedOn: date('established_on').notNull(),
    status: text('status').notNull(),
    seasonal: boolean('seasonal').notNull().default(false),
    suspendedOn: date('suspended_on'),
    specialGroup: text('special_group'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('households_district_idx').on(t.districtCode), index('households_operator_idx').on(t.operatorId)],
);

/**
 * The projection of each recognition case, written only by the case workflow's activities.
 * `version` is the workflow's event sequence: a replayed or retried write with an older
 * version never overwrites a newer state.
 */
export const cases = pgTable(
  'cases',
  {
    caseId: text('case_id').primaryKey(),
    uscc: text('uscc').notNull(),
    year: integer('year').notNull(),
    category: text('category').notNull(),
    route: text('route').notNull(),
    districtCode: text('district_code').notNull(),
    status: text('status').notNull(),
    dueOn: date('due_on'),
    /** The role whose move the case waits for (the worklist), null when it waits for nobody. */
    waitingFor: text('waiting_for'),
    version: integer('version').notNull(),
    view: jsonb('view').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('cases_status_district_idx').on(t.status, t.districtCode),
    index('cases_uscc_year_idx').on(t.uscc, t.year),
    index('cases_due_idx').on(t.dueOn),
    index('cases_worklist_idx').on(t.waitingFor, t.districtCode, t.dueOn),
  ],
);

/** The audit trail: one row per decision or transition — who, when, what, why (clause IDs). */
export const caseEvents = pgTable(
  'case_events',
  {
    caseId: text('case_id').notNull(),
    seq: integer('seq').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actorId: text('actor_id').notNull(),
    actorRole: text('actor_role').notNull(),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    reason: text('reason'),
    clauses: text('clauses').array().notNull().default(sql`'{}'::text[]`),
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.seq] }), index('case_events_at_idx').on(t.at)],
);

/**
 * The State Council's yearly holiday notices (calendar.md): data an administrator extends each
 * November, read by deadline computations at the moment they run.
 */
export const holidayNotices = pgTable('holiday_notices', {
  year: integer('year').primaryKey(),
  notice: text('notice').notNull(),
  publishedOn: date('published_on').notNull(),
  daysOff: date('days_off').array().notNull(),
  makeUpWorkdays: date('make_up_workdays').array().notNull(),
  loadedAt: timestamp('loaded_at', { withTimezone: true }).notNull().defaultNow(),
});

export type HouseholdRow = typeof households.$inferSelect;
export type CaseRow = typeof cases.$inferSelect;
export type CaseEventRow = typeof caseEvents.$inferSelect;
