/**
 * Imports of the data contract's feed files, for the city office (administrators): a CSV
 * uploaded as the request body and streamed into the importer as it arrives, or a file already
 * on the server under the import directory; the record of every import and its rejections.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { asc, desc, eq } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { importFeed, ImportRefusedError, type ImportReport } from '../../activities/feed-import/importer.js';
import { importRejections, imports } from '../../db/tiering-schema.js';
import type { Actor } from '../../policy/actors.js';
import { cstDateOf } from '../../policy/dates.js';
import { FEED_NAMES, type FeedName } from '../../policy/feeds.js';
import { releaseAbandonedRuns } from '../abandoned-runs.js';
import { actorOf } from '../auth.js';
import { CASE_ERRORS, HttpError } from '../errors.js';
import { CSV_UPLOAD_BODY_LIMIT } from '../http-guards.js';
import { nullable, pageProperties, serialIdSchema, stringEnum, textSchema } from '../schema-bounds.js';
import { tagRoutes } from '../openapi-tags.js';
import type { RouteDeps } from '../deps.js';

const ADMINISTRATORS = ['city'] as const;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;
const READ_CHUNK_BYTES = 1 << 20;

const feedSchema = stringEnum(FEED_NAMES);

const rejectionSchema = Type.Object({ line: Type.Integer(), column: Type.String(), reason: Type.String() });

const reportSchema = Type.Object({
  importId: Type.Integer(),
  feed: feedSchema,
  fileName: Type.String(),
  fileSha256: Type.String(),
  rowsRead: Type.Integer(),
  rowsAccepted: Type.Integer(),
  rowsRejected: Type.Integer(),
  rowsChanged: Type.Integer(),
  rejections: Type.Array(rejectionSchema, { description: 'The first 100 rejections by line; GET /imports/{id}/rejections has them all' }),
});

const importRecordSchema = Type.Object({
  id: Type.Integer(),
  feed: feedSchema,
  fileName: Type.String(),
  fileSha256: Type.String(),
  importedBy: Type.String(),
  status: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: nullable(Type.String({ format: 'date-time' })),
  rowsRead: Type.Integer(),
  rowsAccepted: Type.Integer(),
  rowsRejected: Type.Integer(),
  rowsChanged: Type.Integer(),
});

const pageQuery = pageProperties(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);

const pageAnswered = { page: Type.Integer(), pageSize: Type.Integer(), total: Type.Integer() };

const importIdParams = Type.Object({ id: serialIdSchema });

export function importRoutes(deps: RouteDeps): FastifyPluginAsyncTypebox {
  const { database } = deps;
  const { db } = database;

  const runImport = async (actor: Actor, feed: FeedName, fileName: string, input: Readable): Promise<ImportReport> => {
    await releaseAbandonedRuns(deps);
    try {
      return await importFeed({ database, feed, input, fileName, importedBy: actor.id, today: cstDateOf(deps.now()) });
    } catch (error) {
      if (error instanceof ImportRefusedError) throw new HttpError(error.statusCode, error.message, error.details);
      throw error;
    }
  };

  /** A path the caller gave, resolved inside the import directory, or the reason it is refused. */
  const serverSideFile = async (path: string): Promise<{ path: string; fileName: string }> => {
    if (deps.importDir === null) {
      throw new HttpError(404, 'this API has no import directory (IMPORT_DIR): upload the file instead', { field: 'path' });
    }
    let root: string;
    try {
      root = await realpath(deps.importDir);
    } catch {
      throw new HttpError(404, `the import directory ${deps.importDir} does not exist on the server`, { field: 'path' });
    }
    const outside = (candidate: string) => {
      const rel = relative(root, candidate);
      return rel.startsWith('..') || isAbsolute(rel);
    };
    const requested = resolve(root, path);
    if (outside(requested)) {
      throw new HttpError(403, `path must name a file inside the import directory (IMPORT_DIR)`, { field: 'path' });
    }
    let real: string;
    try {
      real = await realpath(requested);
    } catch {
      throw new HttpError(404, `no file ${relative(root, requested)} in the import directory`, { field: 'path' });
    }
    // A symbolic link inside the directory may still point outside it.
    if (outside(real)) throw new HttpError(403, 'path leads outside the import directory (IMPORT_DIR)', { field: 'path' });
    if (!(await stat(real)).isFile()) throw new HttpError(422, `${relative(root, real)} is not a file`, { field: 'path' });
    return { path: real, fileName: relative(root, real) };
  };

  return async (app) => {
    tagRoutes(app, 'imports');
    // The upload is handed to the importer as the raw stream: a city-wide file never sits in memory.
    app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

    app.post(
      '/imports',
      {
        config: { roles: ADMINISTRATORS },
        bodyLimit: CSV_UPLOAD_BODY_LIMIT,
        schema: {
          summary: 'Imports a feed file of the data contract (city office)',
          description:
            'Either a CSV upload (`Content-Type: text/csv`, the file as the body, `feed` and `fileName` in the query), ' +
            'or a JSON body `{ feed, path }` naming a file under the server\'s import directory (IMPORT_DIR). ' +
            'Bad rows are rejected with line, column and reason while the good rows land; re-importing the same file changes nothing. ' +
            'Refused (409, T-RUN) while a tiering run is running (a run whose workflow was terminated is failed first, audited). A file whose header is wrong is refused whole (422).',
          querystring: Type.Object(
            { feed: Type.Optional(feedSchema), fileName: Type.Optional(textSchema(255, { minLength: 1 })) },
            { additionalProperties: false },
          ),
          body: {
            content: {
              'application/json': {
                schema: Type.Object({ feed: feedSchema, path: textSchema(1024, { minLength: 1 }) }, { additionalProperties: false }),
              },
            },
          },
          response: { 201: reportSchema, ...CASE_ERRORS },
        },
      },
      async (request, reply) => {
        const actor = actorOf(request);
        const contentType = request.headers['content-type'] ?? '';
        let report: ImportReport;
        if (contentType.startsWith('text/csv')) {
          const { feed, fileName } = request.query;
          if (feed === undefined) throw new HttpError(400, 'feed is required in the query with a CSV upload', { field: 'feed' });
          report = await runImport(actor, feed, fileName ?? `${feed}.csv`, request.body as Readable);
        } else if (contentType.startsWith('application/json')) {
          const body = request.body as { feed: FeedName; path: string };
          const file = await serverSideFile(body.path);
          const input = createReadStream(file.path, { highWaterMark: READ_CHUNK_BYTES });
          try {
            report = await runImport(actor, body.feed, file.fileName, input);
          } finally {
            input.destroy();
          }
        } else {
          throw new HttpError(
            400,
            'send the feed file as the body with Content-Type: text/csv (feed and fileName in the query), ' +
              'or a JSON body { feed, path } naming a file under the import directory (IMPORT_DIR)',
            { field: 'body' },
          );
        }
        return reply.status(201).send(report);
      },
    );

    app.get(
      '/imports',
      {
        config: { roles: ADMINISTRATORS },
        schema: {
          summary: 'Recent imports, newest first (city office)',
          querystring: Type.Object({ ...pageQuery, feed: Type.Optional(feedSchema) }, { additionalProperties: false }),
          response: {
            200: Type.Object({ items: Type.Array(importRecordSchema), ...pageAnswered }),
            ...CASE_ERRORS,
          },
        },
      },
      async (request) => {
        const { page, pageSize, feed } = request.query;
        const where = feed === undefined ? undefined : eq(imports.feed, feed);
        const [items, total] = await Promise.all([
          db.select().from(imports).where(where).orderBy(desc(imports.startedAt), desc(imports.id)).limit(pageSize).offset((page - 1) * pageSize),
          db.$count(imports, where),
        ]);
        return { items: items.map(importRecord), page, pageSize, total };
      },
    );

    app.get(
      '/imports/:id',
      {
        config: { roles: ADMINISTRATORS },
        schema: {
          summary: 'The record of one import: who, when, which file, what came of it (city office)',
          params: importIdParams,
          response: { 200: importRecordSchema, ...CASE_ERRORS },
        },
      },
      async (request) => {
        const [row] = await db.select().from(imports).where(eq(imports.id, request.params.id));
        if (row === undefined) throw new HttpError(404, `no import ${request.params.id}`, { field: 'id' });
        return importRecord(row);
      },
    );

    app.get(
      '/imports/:id/rejections',
      {
        config: { roles: ADMINISTRATORS },
        schema: {
          summary: 'Every rejected row of an import, by line: the column and the rule it broke (city office)',
          params: importIdParams,
          querystring: Type.Object(pageQuery, { additionalProperties: false }),
          response: {
            200: Type.Object({ importId: Type.Integer(), fileName: Type.String(), items: Type.Array(rejectionSchema), ...pageAnswered }),
            ...CASE_ERRORS,
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        const { page, pageSize } = request.query;
        const [record] = await db.select({ fileName: imports.fileName }).from(imports).where(eq(imports.id, id));
        if (record === undefined) throw new HttpError(404, `no import ${id}`, { field: 'id' });
        const [items, total] = await Promise.all([
          db
            .select({ line: importRejections.line, column: importRejections.column, reason: importRejections.reason })
            .from(importRejections)
            .where(eq(importRejections.importId, id))
            .orderBy(asc(importRejections.line), asc(importRejections.column))
            .limit(pageSize)
            .offset((page - 1) * pageSize),
          db.$count(importRejections, eq(importRejections.importId, id)),
        ]);
        return { importId: id, fileName: record.fileName, items, page, pageSize, total };
      },
    );
  };
}

function importRecord(row: typeof imports.$inferSelect) {
  // Only a feed of the data contract is ever imported (the route's schema admits no other).
  return { ...row, feed: row.feed as FeedName, startedAt: row.startedAt.toISOString(), finishedAt: row.finishedAt?.toISOString() ?? null };
}
