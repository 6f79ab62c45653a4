import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { SCHEMA_PATH, webSchemaTypes } from '../scripts/web-types.js';

it("the pages' API types are generated from the API's current OpenAPI document (run npm run web:types)", async () => {
  expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(await webSchemaTypes());
});
