/**
 * Bounds on numbers that reach SQL, so that an out-of-range value answers 400 naming its field
 * instead of failing the query.
 */

/** A serial ID: PostgreSQL's integer (int4) holds none above this. */
export const serialIdSchema = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const;

/** A page of a listing: OFFSET is (page - 1) × pageSize, and no caller reads a page deeper than this. */
export const pageNumberSchema = { type: 'integer', minimum: 1, maximum: 100_000, default: 1 } as const;

/** Characters of a unified social credit code (GB 32100-2015: digits and capitals but I, O, S, V and Z). */
export const USCC_PATTERN = '^[0-9A-HJ-NPQRTUWXY]{18}$';

/** The format of a USCC whose registration authority, organisation type, division digits and check character hold (api/app.ts checks it). */
export const USCC_FORMAT = 'uscc';

/** A USCC, wholly checked by its schema: a failure answers 400 naming GB 32100-2015. */
export const usccSchema = {
  type: 'string',
  minLength: 18,
  maxLength: 18,
  pattern: USCC_PATTERN,
  format: USCC_FORMAT,
  description: 'unified social credit code, 18 characters with a valid check character (GB 32100-2015)',
} as const;
