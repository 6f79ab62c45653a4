import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The first path segments of the pages' own (client-side) routes; no API route starts with them. */
export const PAGE_SECTIONS = ['login', 'public', 'household', 'department', 'district', 'city'] as const;

/**
 * Serves the built pages from `webRoot`, to anyone: the first page at `/`, the hashed assets
 * under `/assets/` (looked up when asked for, so a rebuild is served without a restart), and the
 * page shell for a page address a browser asks for (a reload, a shared link), so the pages'
 * router takes over. Every other path keeps the API's answer.
 */
export async function installWebPages(app: FastifyInstance, webRoot: string): Promise<void> {
  if (!existsSync(join(webRoot, 'index.html'))) throw new Error(`the built pages are missing: no index.html in ${webRoot} (npm run web:build)`);
  await app.register(async (pages) => {
    pages.addHook('onRoute', (route) => {
      // Static files: their requests are not counted against the callers' API limits.
      route.config = { ...route.config, public: true, rateLimit: false };
      route.schema = { ...route.schema, hide: true };
    });
    await pages.register(fastifyStatic, {
      root: join(webRoot, 'assets'),
      prefix: '/assets/',
      // Vite names assets by their content hash.
      setHeaders(reply) {
        reply.header('cache-control', 'public, max-age=31536000, immutable');
      },
    });
    const shell = async (request: FastifyRequest, reply: FastifyReply) => {
      if (!(request.headers.accept ?? '').includes('text/html')) return reply.callNotFound();
      const html = await readFile(join(webRoot, 'index.html'), 'utf8');
      return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
    };
    pages.get('/', shell);
    for (const section of PAGE_SECTIONS) {
      pages.get(`/${section}`, shell);
      pages.get(`/${section}/*`, shell);
    }
  });
}
