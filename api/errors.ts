import type { FastifyError, FastifyInstance } from 'fastify';
import type { RuleViolation } from '../policy/recognition-case.js';

const STATUS_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ErrorDetails {
  field?: string;
  clause?: string | null;
  [key: string]: unknown;
}

/** An error meant for the caller: its status, message and details reach the response as they are. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }

  static fromViolation(violation: RuleViolation): HttpError {
    return new HttpError(violation.status, violation.message, { field: violation.field, clause: violation.clause });
  }
}

export const errorResponseSchema = {
  type: 'object',
  required: ['error', 'message', 'details'],
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

/** The one place that turns errors into `{ error, message, details }` responses. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) {
      return reply.status(err.statusCode).send(body(err.statusCode, err.message, err.details));
    }
    if (err.validation) {
      const first = err.validation[0];
      const field = first ? fieldOf(first.instancePath, first.params) : undefined;
      return reply.status(400).send(body(400, err.message, { field, rule: first?.keyword, context: err.validationContext }));
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) request.log.error({ err }, 'unhandled error');
    return reply.status(status).send(body(status, status === 500 ? 'internal error' : err.message, {}));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(body(404, `no route ${request.method} ${request.url}`, {})),
  );
}

function body(status: number, message: string, details: ErrorDetails) {
  return { error: STATUS_NAMES[status] ?? 'Error', message, details };
}

function fieldOf(instancePath: string, params: Record<string, unknown>): string {
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.');
  const missing = typeof params['missingProperty'] === 'string' ? params['missingProperty'] : undefined;
  const extra = typeof params['additionalProperty'] === 'string' ? params['additionalProperty'] : undefined;
  return [path, missing ?? extra].filter(Boolean).join('.');
}
