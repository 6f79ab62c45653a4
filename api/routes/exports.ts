import { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Sql } from 'postgres';
import { tieringRuns } from '../../db/tiering-schema.js';
import { actorOf } from '../auth.js';
import { HttpError, errorResponses } from '../errors.js';
import { defaulted, serialIdSchema } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import type { RouteDeps } from '../deps.js';

const errors = errorResponses([400, 401, 403, 404, 409]);

const CSV_HEADER = 'uscc,name,district_code,tier,clauses';
/** Rows fetched per round trip: a run has a million; only this many are ever held in memory. */
const CURSOR_BATCH_ROWS = 2000;
const UTF8_BOM = '\uFEFF';

interface ExportRow {
  uscc: string;
  name: string | null;
  district_code: string;
  tier: string;
  clauses: string | null;
}

/**
 * The run's results for the national directory 个体工商户名录 (T-RUN) and the financial
 * institutions (C-AID), which the city office sends on.
 */
export function exportRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  const { database } = deps;
  return async (app) => {
    tagRoutes(app, 'tiering');
    app.get(
      '/tiering/runs/:runId/export.csv',
      {
        config: { roles: ['city'] },
        schema: {
          summary: "A completed run's results as CSV (city office)",
          description:
            'Columns `uscc,name,district_code,tier,clauses` (clauses: every clause evaluated, + held, - failed), ordered by USCC; ' +
            'RFC 4180 (CRLF line ends, fields with a comma, quote or line break quoted), UTF-8 without a byte-order mark unless `bom=true` ' +
            "(for spreadsheets that otherwise guess another encoding); a cell beginning with =, +, -, @, a tab or a carriage return starts with ' " +
            '(so that no spreadsheet runs it as a formula). ' +
            'Streamed from the database as it is read.',
          params: Type.Object({ runId: serialIdSchema }),
          querystring: Type.Object({ bom: defaulted(Type.Boolean({ default: false })) }, { additionalProperties: false }),
          response: {
            200: { description: 'the CSV file', content: { 'text/csv': { schema: { type: 'string' } } } },
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const { runId } = request.params;
        const [run] = await database.db
          .select({ id: tieringRuns.id, year: tieringRuns.year, version: tieringRuns.version, status: tieringRuns.status })
          .from(tieringRuns)
          .where(eq(tieringRuns.id, runId));
        if (!run) throw new HttpError(404, `no tiering run ${runId}`, { field: 'runId' });
        if (run.status !== 'completed') {
          throw new HttpError(409, `T-RUN: run ${runId} is ${run.status}; only a completed run is exported`, {
            field: 'runId',
            clause: 'T-RUN',
            status: run.status,
          });
        }
        request.log.info({ runId, year: run.year, version: run.version, actor: actor.id }, 'tiering run exported');
        return reply
          .header('content-type', 'text/csv; charset=utf-8; header=present')
          .header('content-disposition', `attachment; filename="tiering-${run.year}-v${run.version}-run-${run.id}.csv"`)
          .header('cache-control', 'no-store')
          // Streamed: the CSV text the 200 describes, sent as it is read.
          .send(Readable.from(csvLines(database.sql, runId, request.query.bom)) as unknown as string);
      },
    );
  };
}

/**
 * The file, line by line, pulled as the client reads: a client that goes away stops the
 * generator, which closes the cursor and frees its connection.
 */
async function* csvLines(sql: Sql, runId: number, bom: boolean): AsyncGenerator<string> {
  yield `${bom ? UTF8_BOM : ''}${CSV_HEADER}\r\n`;
  const cursor = sql<ExportRow[]>`
    select r.uscc, h.name, r.district_code, r.tier, r.trace->>'outcomes' as clauses
    from tiering_results r left join households h on h.uscc = r.uscc
    where r.run_id = ${runId}
    order by r.uscc`.cursor(CURSOR_BATCH_ROWS);
  for await (const rows of cursor) {
    let chunk = '';
    for (const row of rows) {
      chunk += `${row.uscc},${csvField(row.name ?? '')},${row.district_code},${row.tier},${csvField(row.clauses ?? '')}\r\n`;
    }
    yield chunk;
  }
}

/**
 * A cell as RFC 4180 writes it, neutralised first: a spreadsheet takes a cell that begins with
 * `=`, `+`, `-`, `@`, a tab or a carriage return for a formula (OWASP CSV injection), so such a
 * cell gets a leading `'`, which spreadsheets show as text and do not display.
 */
export function csvField(value: string): string {
  const neutralised = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(neutralised) ? `"${neutralised.replaceAll('"', '""')}"` : neutralised;
}

const FORMULA_START = /^[=+\-@\t\r]/;
