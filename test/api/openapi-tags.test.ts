import { expect, it } from 'vitest';
import { openApiDocument } from '../../scripts/web-types.js';

interface Document {
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, { tags?: string[] }>>;
}

it('every route is in one group of the docs page, and every group is declared with a Chinese description', async () => {
  const document = (await openApiDocument()) as unknown as Document;
  const declared = new Set(document.tags.map((tag) => tag.name));
  for (const tag of document.tags) expect(tag.description, tag.name).toMatch(/\p{Script=Han}/u);
  const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ at: `${method.toUpperCase()} ${path}`, tags: operation.tags })));
  expect(operations.length).toBeGreaterThan(50);
  expect(operations.filter(({ tags }) => tags?.length !== 1 || !declared.has(tags[0]!)).map(({ at }) => at)).toEqual([]);
  // No declared group stays empty on the page.
  expect([...declared].filter((name) => !operations.some(({ tags }) => tags?.[0] === name))).toEqual([]);
});
