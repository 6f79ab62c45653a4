/**
 * Tables of the 名特优新 recognition (RULES.md part 2) beyond the case projection: the public
 * registry of recognised households, the quota places (C-QUOTA), the bans after revocation
 * (C-BAN) and the publicity notices with their objections.
 */
import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, primaryKey, serial, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** The registry the public reads: one row per recognition, current category, validity, status. */
export const recognitions = pgTable(
  'recognitions',
  {
    caseId: text('case_id').primaryKey(),
    uscc: text('uscc').notNull(),
    name: text('name').notNull(),
    districtCode: text('district_code').notNull(),
    category: text('category').notNull(),
    recognisedOn: date('recognised_on').notNull(),
    validUntil: date('valid_until').notNull(),
    benefitsFrom: date('benefits_from').notNull(),
    status: text('status').notNull(),
    /** Where it was recognised: Tianjin, or Beijing/Hebei for a mutual recognition (C-XREGION). */
    origin: text('origin').notNull().default('tianjin'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    version: integer('version').notNull(),
  },
  (t) => [
    // C-ONE-TYPE: at most one valid recognition (so one category) per household at a time.
    uniqueIndex('recognitions_one_valid_idx').on(t.uscc).where(sql`${t.status} = 'recognised'`),
    index('recognitions_district_idx').on(t.districtCode, t.status),
  ],
);

/**
 * The yearly cap (C-QUOTA) as counters: one row per district and one city-wide row
 * (district_code 'city'). A place is taken by incrementing both in one statement guarded by
 * `used < cap`, and the check constraint holds the line whatever the concurrency.
 */
export const recognitionQuotas = pgTable(
  'recognition_quotas',
  {
    year: smallint('year').notNull(),
    districtCode: text('district_code').notNull(),
    cap: integer('cap').notNull(),
    used: integer('used').notNull().default(0),
    tieringRunId: integer('tiering_run_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.year, t.districtCode] }), check('recognition_quotas_cap_check', sql`${t.used} >= 0 and ${t.used} <= ${t.cap}`)],
);

/** Who holds a place: makes taking and freeing a place idempotent per case. */
export const quotaPlaces = pgTable('quota_places', {
  caseId: text('case_id').primaryKey(),
  year: smallint('year').notNull(),
  districtCode: text('district_code').notNull(),
  takenAt: timestamp('taken_at', { withTimezone: true }).notNull(),
  releasedAt: timestamp('released_at', { withTimezone: true }),
});

/** C-BAN: a revocation for fraud bars new applications for five years (C-REVOKE). */
export const recognitionBans = pgTable(
  'recognition_bans',
  {
    caseId: text('case_id').primaryKey(),
    uscc: text('uscc').notNull(),
    revokedOn: date('revoked_on').notNull(),
    bannedUntil: date('banned_until').notNull(),
    reason: text('reason').notNull(),
    decidedBy: text('decided_by').notNull(),
  },
  (t) => [index('recognition_bans_uscc_idx').on(t.uscc, t.bannedUntil)],
);

/** Publicity notices 信息公示 with their objection window (C-SELF, main text §3(2)). */
export const publicityNotices = pgTable(
  'publicity_notices',
  {
    caseId: text('case_id').primaryKey(),
    uscc: text('uscc').notNull(),
    name: text('name').notNull(),
    districtCode: text('district_code').notNull(),
    category: text('category').notNull(),
    publishedOn: date('published_on').notNull(),
    objectionsUntil: date('objections_until').notNull(),
    status: text('status').notNull(),
  },
  (t) => [index('publicity_notices_open_idx').on(t.status, t.objectionsUntil)],
);

/**
 * Objections to a publicity notice, with their text: the case workflow only counts them, so that
 * what the public writes never grows its history. The API keeps the text first (a submission,
 * `objection_no` null), then the case numbers it and its audit writer fills in the number; a
 * submission the case refuses is deleted. Objections kept in a case's state before are copied here.
 */
export const publicityObjections = pgTable(
  'publicity_objections',
  {
    id: serial('id').primaryKey(),
    caseId: text('case_id').notNull(),
    /** Null while submitted and not yet numbered by the case. */
    objectionNo: integer('objection_no'),
    submissionId: text('submission_id'),
    /** Who sent it, for the per-sender bound: the token's actor, or a hash of the network address. */
    senderKey: text('sender_key'),
    idempotencyKey: text('idempotency_key'),
    filedBy: text('filed_by').notNull(),
    filedAt: timestamp('filed_at', { withTimezone: true }).notNull(),
    reason: text('reason').notNull(),
    resolution: text('resolution'),
    resolutionReason: text('resolution_reason'),
    resolvedBy: text('resolved_by'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('publicity_objections_case_no_idx').on(t.caseId, t.objectionNo),
    uniqueIndex('publicity_objections_submission_idx').on(t.submissionId),
    uniqueIndex('publicity_objections_idempotency_idx').on(t.caseId, t.idempotencyKey),
    index('publicity_objections_sender_idx').on(t.caseId, t.senderKey),
  ],
);

/**
 * The departments 相关部门 that recommend households (C-REC), give opinions when consulted
 * (C-SELF) and answer X4 (C-EVAL): a department's token names its `id` here. A city-level
 * department has no district; a district-level one acts for its district only.
 */
export const departments = pgTable(
  'departments',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    level: text('level').notNull(),
    districtCode: text('district_code'),
  },
  (t) => [
    check('departments_level_check', sql`(${t.level} = 'city' and ${t.districtCode} is null) or (${t.level} = 'district' and ${t.districtCode} is not null)`),
    index('departments_district_idx').on(t.districtCode),
  ],
);

/**
 * Cases that passed publicity but found no place (C-QUOTA): they wait in this order, first
 * ready first served, until a place frees or the year's window closes.
 */
export const quotaWaitlist = pgTable(
  'quota_waitlist',
  {
    caseId: text('case_id').primaryKey(),
    year: smallint('year').notNull(),
    districtCode: text('district_code').notNull(),
    readyAt: timestamp('ready_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('quota_waitlist_rank_idx').on(t.year, t.districtCode, t.readyAt)],
);
