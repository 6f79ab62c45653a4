import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The first path segments of the pages' own (client-side) routes; no API route starts with them. */
export const PAGE_SECTIONS = ['login', 'public', 'household', 'department', 'district', 'city'] as const;

/**
 * Serves the built pages from `webRoot`: their files where they are, the first page at `/`, and
 * index.html for a page address the browser asks for directly (a reload, a shared link), so the
 * pages' router takes over. Every other unknown path keeps the API's 404.
 */
export async function installWebPages(app: FastifyInstance, webRoot: string): Promise<void> {
  const indexHtml = join(webRoot, 'index.html');
  if (!existsSync(indexHtml)) throw new Error(`the built pages are missing: no index.html in ${webRoot} (build them with npm run web:build)`);
  await app.register(fastifyStatic, {
    root: webRoot,
    // One route per built file: a path no file answers falls through to the API's 404.
    wildcard: false,
    setHeaders(reply, path) {
      // Vite names assets by their content hash; index.html must be read afresh to find new ones.
      reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}

/** Whether an unknown path is a page address the browser asked for, to be answered with index.html. */
export function isPageRequest(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (!(request.headers.accept ?? '').includes('text/html')) return false;
  const firstSegment = request.url.split('?')[0]!.split('/')[1] ?? '';
  return (PAGE_SECTIONS as readonly string[]).includes(firstSegment);
}

export function sendPageShell(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-cache').sendFile('index.html');
}
