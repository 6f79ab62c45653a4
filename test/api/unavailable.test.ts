import { ServiceError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { isTemporalUnavailable } from '../../api/unavailable.js';

/** gRPC status codes (grpc/doc/statuscodes.md). */
const status = { CANCELLED: 1, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, UNAVAILABLE: 14 } as const;

/** A gRPC error as the gRPC library raises it (a code, details, metadata), wrapped as the Temporal client wraps a failed call. */
function failedCall(code: number, details: string): ServiceError {
  const grpcError = Object.assign(new Error(`${code}: ${details}`), { code, details, metadata: {} });
  return new ServiceError('Failed to query Workflow', { cause: grpcError });
}

describe('isTemporalUnavailable: which failed Temporal calls the API answers 503 for', () => {
  it.each([
    ['a call cut short at its deadline, reported as CANCELLED', status.CANCELLED, true],
    ['a call past its deadline', status.DEADLINE_EXCEEDED, true],
    ['a server that cannot be reached', status.UNAVAILABLE, true],
    ['a request the server refuses', status.INVALID_ARGUMENT, false],
    ['a workflow that does not exist', status.NOT_FOUND, false],
  ])('%s', (_what, code, unavailable) => {
    expect(isTemporalUnavailable(failedCall(code, 'Call cancelled'))).toBe(unavailable);
  });

  it('is not fooled by a PostgreSQL error, whose code is a string and which has no gRPC metadata', () => {
    expect(isTemporalUnavailable(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(false);
  });
});
