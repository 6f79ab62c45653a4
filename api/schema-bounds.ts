/**
 * Bounds on what a request may carry, written into the route schemas (and so into the OpenAPI
 * document): every string has a maximum length, every array a maximum number of items, and
 * free text may not carry control characters other than tab and line feed. A value outside
 * them answers 400 naming its field before any handler, workflow or query sees it: PostgreSQL
 * refuses a NUL in text, and a line break or an escape sequence hidden in a name misleads
 * whoever reads it later (a log, an export, a screen).
 */
import { Type, type Static, type TProperties, type TSchema, type TString } from '@fastify/type-provider-typebox';
import { CONTROL_CHARACTER_RANGE as CONTROL_CHARACTERS } from '../policy/text.js';

/** A serial ID: PostgreSQL's integer (int4) holds none above this. */
export const serialIdSchema = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });

/** A page of a listing: OFFSET is (page - 1) × pageSize, and no caller reads a page deeper than this. */
const pageNumberSchema = Type.Integer({ minimum: 1, maximum: 100_000, default: 1 });

/** What counts as blank: tab, line feed and the Unicode spaces, written out so every regex dialect agrees. */
const BLANKS = '\\t\\n \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF';

/** Free text: any characters but the control characters (tab and line feed allowed). */
export const TEXT_PATTERN = `^[^${CONTROL_CHARACTERS}]*$`;
/**
 * Free text with at least one character that is not blank. One way to match only (the blank
 * prefix and the first other character are disjoint), so it runs in linear time.
 */
export const NON_BLANK_TEXT_PATTERN = `^[${BLANKS}]*[^${BLANKS}${CONTROL_CHARACTERS}][^${CONTROL_CHARACTERS}]*$`;

/** The patterns of free text, which the error handler explains in words. */
export const TEXT_PATTERNS: readonly string[] = [TEXT_PATTERN, NON_BLANK_TEXT_PATTERN];

/**
 * Schema annotations the API reads back from a failed validation (ajv's `keywords` option
 * declares them, so they need no validation code): `x-rule` names the standard a value breaks,
 * `x-policy` says in words what a policy rule demands (its failure answers 422, as the rule's
 * own check would), `x-clause` the clause of that rule.
 */
export const SCHEMA_ANNOTATIONS = ['x-rule', 'x-clause', 'x-policy'] as const;

export interface TextOptions {
  /** At least one character that is not blank (and so at least one character). */
  nonBlank?: boolean;
  minLength?: number;
  description?: string;
}

/** A free-text field of at most `maxLength` characters. */
export function textSchema(maxLength: number, options: TextOptions = {}): TString {
  const { nonBlank = false, minLength = nonBlank ? 1 : undefined, description } = options;
  return Type.String({
    ...(minLength === undefined ? {} : { minLength }),
    maxLength,
    pattern: nonBlank ? NON_BLANK_TEXT_PATTERN : TEXT_PATTERN,
    ...(description === undefined ? {} : { description }),
  });
}

/** Characters of a unified social credit code (GB 32100-2015: digits and capitals but I, O, S, V and Z). */
export const USCC_PATTERN = '^[0-9A-HJ-NPQRTUWXY]{18}$';

/** The format of a USCC whose registration authority, organisation type, division digits and check character hold (api/app.ts checks it). */
export const USCC_FORMAT = 'uscc';

/** A USCC, wholly checked by its schema (its check character as its format): a failure names GB 32100-2015. */
export const usccSchema = Type.String({
  minLength: 18,
  maxLength: 18,
  pattern: USCC_PATTERN,
  format: USCC_FORMAT,
  'x-rule': 'GB 32100-2015',
  description: 'unified social credit code, 18 characters with a valid check character (GB 32100-2015)',
});

/** A calendar date, YYYY-MM-DD: the format bounds its length. */
export const isoDateSchema = Type.String({ format: 'date' });

/** A Tianjin district's division code (with a description where a route says what it is for). */
export function districtCodeOf(options: { description?: string } = {}) {
  return Type.String({ maxLength: 6, pattern: '^1201[0-9]{2}$', ...options });
}
export const districtCodeSchema = districtCodeOf();

/** Evidence: references to documents held elsewhere (file names, archive numbers), never the documents. */
export const evidenceRefsSchema = Type.Array(textSchema(200, { nonBlank: true }), { maxItems: 50 });

/**
 * Validator options: the annotations declared, and each error carrying the schema it broke
 * (`parentSchema`), from which the error handler reads them.
 */
export const SCHEMA_VALIDATOR_OPTIONS = { verbose: true, keywords: [...SCHEMA_ANNOTATIONS] };

/**
 * An `Idempotency-Key`: printable ASCII, as a client generates it (a UUID fits), never free text.
 */
export const idempotencyKeySchema = Type.String({ minLength: 1, maxLength: 100, pattern: '^[!-~]+$' });

/**
 * What a decision needs (`decision` = `value` requires `fields`), for a body with a `decision`
 * enum: a policy rule, written into the schema so that clients see it, and answered like the
 * rule's own check (422, naming the field, with `what` as the message and the clause if any).
 */
export function decisionNeeds(value: string, fields: readonly string[], what: string, clause?: string) {
  return {
    if: { properties: { decision: { enum: [value] } }, required: ['decision'] },
    then: { required: fields, 'x-policy': what, ...(clause === undefined ? {} : { 'x-clause': clause }) },
  } as const;
}

/**
 * A bound a policy rule sets on a value whose type the schema checks apart (`allOf`, so that a
 * value of the wrong type still answers 400): breaking it answers 422 with `what` and the clause.
 */
export function policyBound<Bound extends object>(bound: Bound, what: string, clause: string) {
  return { allOf: [{ ...bound, 'x-policy': what, 'x-clause': clause }] } as const;
}

/**
 * One of `values`, written as a string enum (as clients and the error handler's `allowed` read it),
 * typed as their union.
 */
export function stringEnum<const Values extends readonly string[]>(values: Values, options: { description?: string } = {}) {
  return Type.Unsafe<Values[number]>({ type: 'string', enum: [...values], ...options });
}

/** `schema` or null, written as a type array (`["string", "null"]`), as OpenAPI 3.1 reads it. */
export function nullable<Schema extends TSchema>(schema: Schema) {
  const { type } = schema as { type?: unknown };
  if (typeof type !== 'string') throw new Error('nullable() takes a schema of one type');
  return Type.Unsafe<Static<Schema> | null>({ ...schema, type: [type, 'null'] });
}

/**
 * A response object: its properties listed for the serialiser (which drops any property not
 * listed), none promised (a view of one phase lacks another's).
 */
export function responseObject<Properties extends TProperties>(properties: Properties, options: { description?: string; additionalProperties?: boolean } = {}) {
  return Type.Partial(Type.Object(properties), options);
}

/** An object of any properties, passed on as it is (facts, a trace's details). */
export const openObjectSchema = Type.Unsafe<object>({ type: 'object', additionalProperties: true });

/** An object whose every property is a `value` (a map keyed by name). */
export function recordOf<Value extends TSchema>(value: Value, options: { description?: string } = {}) {
  return Type.Unsafe<Record<string, Static<Value>>>({ type: 'object', ...options, additionalProperties: value });
}

/**
 * An optional property the validator fills in from its `default` (Fastify's validator uses
 * defaults), so that the handler always has it: optional to the client, present to the handler.
 */
export function defaulted<Schema extends TSchema>(schema: Schema): Schema {
  return Type.Optional(schema) as unknown as Schema;
}

/** A page of a listing: its number and size (at most `maxPageSize`, `defaultPageSize` when not asked). */
export function pageProperties(defaultPageSize: number, maxPageSize: number) {
  return {
    page: defaulted(pageNumberSchema),
    pageSize: defaulted(Type.Integer({ minimum: 1, maximum: maxPageSize, default: defaultPageSize })),
  };
}
