/**
 * Registers the recognition cases' search attributes on a Temporal server that does not take
 * them as it starts (the production server, the time-skipping test server): a server refuses a
 * case started or upserted with an attribute it does not know. Registering again is harmless.
 */
import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { CASE_SEARCH_ATTRIBUTE_TYPES } from '../workflows/recognition-case/contract.js';

/** gRPC's ALREADY_EXISTS: what the server answers a registration it has already made, which is no failure here. */
export function unlessAlreadyExists(error: { code?: number }): void {
  if (error.code !== 6) throw error;
}

export async function registerCaseSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const searchAttributes = Object.fromEntries(
    Object.entries(CASE_SEARCH_ATTRIBUTE_TYPES).map(([name, type]) => [name, encodeSearchAttributeIndexedValueType(type)!]),
  );
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes }).catch(unlessAlreadyExists);
}
