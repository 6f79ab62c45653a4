import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The first path segments of the pages' own (client-side) routes; no API route starts with them. */
export const PAGE_SECTIONS = ['login', 'public', 'household', 'department', 'district', 'city'] as const;

/**
 * Serves the built pages from `webRoot`, to anyone: their files where they are and the first page
 * at `/`. Every path no file answers keeps the API's 404, except a page address (see isPageRequest).
 */
export async function installWebPages(app: FastifyInstance, webRoot: string): Promise<void> {
  if (!existsSync(join(webRoot, 'index.html'))) throw new Error(`the built pages are missing: no index.html in ${webRoot} (npm run web:build)`);
  await app.register(async (pages) => {
    pages.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true };
    });
    await pages.register(fastifyStatic, {
      root: webRoot,
      // Files are looked up when asked for, so a rebuild is served without a restart; a path no
      // file answers falls through to the API's 404 (or the page shell, below).
      wildcard: true,
      setHeaders(reply, path) {
        // Vite names assets by their content hash; index.html must be read afresh to find new ones.
        reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  });
}

/**
 * Whether an unknown path is a page address the browser asked for (a reload, a shared link), to
 * be answered with index.html so the pages' router takes over.
 */
export function isPageRequest(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (!(request.headers.accept ?? '').includes('text/html')) return false;
  const firstSegment = request.url.split('?')[0]!.split('/')[1] ?? '';
  return (PAGE_SECTIONS as readonly string[]).includes(firstSegment);
}

export async function sendPageShell(reply: FastifyReply, webRoot: string): Promise<FastifyReply> {
  const html = await readFile(join(webRoot, 'index.html'), 'utf8');
  return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
}
