/**
 * Registers the recognition cases' search attributes on a Temporal server that does not take
 * them as it starts (the production server, the time-skipping test server): a server refuses a
 * case started or upserted with an attribute it does not know. Registering again is harmless.
 */
import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { CASE_SEARCH_ATTRIBUTE_TYPES } from '../workflows/recognition-case/contract.js';

const ALREADY_EXISTS = 6;

export async function registerCaseSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const searchAttributes = Object.fromEntries(
    Object.entries(CASE_SEARCH_ATTRIBUTE_TYPES).map(([name, type]) => [name, encodeSearchAttributeIndexedValueType(type)!]),
  );
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes }).catch((error: { code?: number }) => {
    if (error.code !== ALREADY_EXISTS) throw error;
  });
}
