import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'drizzle-orm';
import { recordAuditEvents } from '../../activities/case-projection.js';
import { caseEvents } from '../../db/schema.js';
import { addDays, addYears, cstDateOf, startOfCstDay, type IsoDate } from '../../policy/dates.js';
import { actorOf } from '../auth.js';
import { HttpError, errorResponses } from '../errors.js';
import { isoDateSchema } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import type { RouteDeps, TrainingClock } from '../deps.js';

/**
 * A training system's clock: Temporal's time-skipping test server, whose time the workflows
 * follow, and which the API and the activities read as their "now".
 */
/** Where the clock's moves are audited, like a case's trail. */
export const TRAINING_CLOCK_TRAIL = 'training-clock';
/** One move goes at most this far: far enough for a recognition term and its extension decision. */
export const MAX_ADVANCE_YEARS = 5;
/** `to` a date lands in office hours, when a clerk would act on it. */
const ARRIVAL_HOUR_CST = 9;

const DURATION_PATTERN = '^P([1-9][0-9]{0,3})([DWMY])$';

const clockSchema = Type.Object({
  now: Type.String({ format: 'date-time', description: "the training system's instant" }),
  today: Type.String({ ...isoDateSchema, description: 'the CST date the API, the activities and the workflows act on' }),
  trainingSystem: Type.Unsafe<true>({ type: 'boolean', const: true }),
});

const advanceBody = Type.Object(
  {
    advance: Type.Optional(Type.String({ maxLength: 6, pattern: DURATION_PATTERN, description: 'P<n>D, P<n>W, P<n>M or P<n>Y' })),
    to: Type.Optional(Type.String({ ...isoDateSchema, maxLength: 10 })),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    description: `Exactly one of advance (an ISO 8601 duration: P5D, P2W, P3M, P1Y) or to (a later CST date, reached at 0${ARRIVAL_HOUR_CST}:00); at most ${MAX_ADVANCE_YEARS} years ahead.`,
  },
);

const errors = errorResponses([400, 401, 403, 409, 422]);

export function trainingRoutes(deps: RouteDeps, clock: TrainingClock): FastifyPluginAsyncTypebox {
  let moving = false;
  const view = () => ({ now: new Date(clock.now()).toISOString(), today: cstDateOf(clock.now()), trainingSystem: true as const });

  return async (app) => {
    tagRoutes(app, 'training');
    app.get(
      '/training/clock',
      {
        config: { roles: ['city'] },
        schema: { summary: "A training system's clock", tags: ['training'], response: { 200: clockSchema, ...errors } },
      },
      async () => view(),
    );

    app.post(
      '/training/clock',
      {
        config: { roles: ['city'] },
        schema: {
          summary: "Moves a training system's clock forward: everything due on the way fires, in order, once",
          tags: ['training'],
          body: advanceBody,
          response: { 200: clockSchema, ...errors },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        const from = clock.now();
        const target = targetOf(request.body, from);
        if (moving) throw new HttpError(409, '培训时钟正在前进，请等本次前进完成后再试。', { field: 'advance' });
        moving = true;
        try {
          await clock.advance(target - from);
        } finally {
          moving = false;
        }
        const at = clock.now();
        await deps.database.db.transaction(async (tx) => {
          await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${TRAINING_CLOCK_TRAIL}))`);
          const [last] = await tx.select({ seq: sql<number>`coalesce(max(${caseEvents.seq}), 0)::int` }).from(caseEvents).where(sql`${caseEvents.caseId} = ${TRAINING_CLOCK_TRAIL}`);
          await recordAuditEvents(tx, TRAINING_CLOCK_TRAIL, [
            {
              seq: (last?.seq ?? 0) + 1,
              at: new Date(at).toISOString(),
              actor,
              action: 'training_clock_advanced',
              fromStatus: cstDateOf(from),
              toStatus: cstDateOf(at),
              reason: request.body.advance ? `advance ${request.body.advance}` : `to ${request.body.to}`,
              clauses: [],
              details: { from: new Date(from).toISOString(), to: new Date(at).toISOString(), requested: request.body },
            },
          ]);
        });
        return view();
      },
    );
  };
}

/** The instant a move asks for, refused when it is not ahead or goes too far. */
function targetOf(body: { advance?: string; to?: IsoDate }, from: number): number {
  const today = cstDateOf(from);
  const limit = startOfCstDay(addYears(today, MAX_ADVANCE_YEARS)) + ARRIVAL_HOUR_CST * 3_600_000;
  let target: number;
  let field: 'advance' | 'to';
  if (body.advance !== undefined) {
    field = 'advance';
    const [, count, unit] = new RegExp(DURATION_PATTERN).exec(body.advance)!;
    const n = Number(count);
    const timeOfDay = from - startOfCstDay(today);
    const arrival: IsoDate = unit === 'D' ? addDays(today, n) : unit === 'W' ? addDays(today, 7 * n) : unit === 'M' ? addMonths(today, n) : addYears(today, n);
    target = startOfCstDay(arrival) + timeOfDay;
  } else {
    field = 'to';
    target = startOfCstDay(body.to!) + ARRIVAL_HOUR_CST * 3_600_000;
    if (target <= from) throw new HttpError(422, `培训时钟只能向前：${body.to} 0${ARRIVAL_HOUR_CST}:00 不晚于现在（${today}），请填写更晚的日期。`, { field });
  }
  if (target > limit) throw new HttpError(422, `培训时钟一次最多前进 ${MAX_ADVANCE_YEARS} 年（到 ${addYears(today, MAX_ADVANCE_YEARS)}），请分几次前进。`, { field });
  return target;
}

/** The same day `months` later, or the month's last day when it has fewer days. */
function addMonths(date: IsoDate, months: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}
