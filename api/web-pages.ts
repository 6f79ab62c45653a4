import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The first path segments of the pages' own (client-side) routes; of the API's routes, only public lookups share one (`public`). */
export const PAGE_SECTIONS = ['login', 'public', 'household', 'department', 'district', 'city'] as const;

/**
 * Serves the built pages from `webRoot`, to anyone: the first page at `/`, the hashed assets
 * under `/assets/` (looked up when asked for, so a rebuild is served without a restart), and the
 * page shell for a page address a browser asks for (a reload, a shared link), so the pages'
 * router takes over. Every other path keeps the API's answer.
 */
export async function installWebPages(app: FastifyInstance, webRoot: string): Promise<void> {
  if (!existsSync(join(webRoot, 'index.html'))) throw new Error(`the built pages are missing: no index.html in ${webRoot} (npm run web:build)`);
  const sendShell = async (reply: FastifyReply) => {
    const html = await readFile(join(webRoot, 'index.html'), 'utf8');
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
  };
  // A page address that is also an API route (the public tier page /public/households/{uscc},
  // where the API answers the lookup) is the page when a browser opens it (a reload, a shared
  // link), as every other page address is; a call asking for JSON keeps the API's answer.
  const sections = new Set<string>(PAGE_SECTIONS);
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (request.method !== 'GET' || route === undefined || !asksForPage(request)) return;
    const [, section = '', rest] = route.split('/');
    if (sections.has(section) && rest !== undefined && rest !== '*') return sendShell(reply);
  });
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
      maxAge: '365d',
      immutable: true,
    });
    const shell = async (request: FastifyRequest, reply: FastifyReply) => (asksForPage(request) ? sendShell(reply) : reply.callNotFound());
    pages.get('/', shell);
    for (const section of PAGE_SECTIONS) {
      pages.get(`/${section}`, shell);
      pages.get(`/${section}/*`, shell);
    }
  });
}

/** Whether a browser asks for a page (navigation), not a call for data. */
function asksForPage(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}
