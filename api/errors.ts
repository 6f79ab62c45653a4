import type { Socket } from 'node:net';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { controlCharacterIndex } from '../policy/text.js';
import { TEXT_PATTERNS } from './schema-bounds.js';
import { UNAVAILABLE_RETRY_AFTER_SECONDS, unavailablePart } from './unavailable.js';

const STATUS_NAMES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ErrorDetails {
  field?: string;
  /** The policy clause broken; absent where no clause applies. */
  clause?: string;
  [key: string]: unknown;
}

/** A refusal by a policy rule: the field at fault and the clause it breaks, if any. */
export interface PolicyRefusal {
  status?: number;
  field: string;
  clause: string | null;
  message: string;
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

  /** 422 unless the refusal carries its own status. */
  static fromViolation(violation: PolicyRefusal): HttpError {
    const { field, clause } = violation;
    return new HttpError(violation.status ?? 422, violation.message, clause === null ? { field } : { field, clause });
  }
}

export const errorResponseSchema = Type.Object({
  error: Type.String(),
  message: Type.String(),
  details: Type.Object(
    {
      field: Type.Optional(Type.String({ description: 'the field at fault' })),
      clause: Type.Optional(Type.String({ description: 'the policy clause (RULES.md) broken, where one applies' })),
    },
    { additionalProperties: true },
  ),
});

/** For routes that need no token: the authentication hook still refuses one that is sent and does not verify. */
export const rejectedTokenResponseSchema = Type.Object(errorResponseSchema.properties, {
  description: 'a bearer token was sent and does not verify (none is needed)',
});

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 422 | 429 | 503;

/**
 * The error answers a route declares, every one `{ error, message, details }`. A route that needs
 * no token (`public`) answers 401 only to a token that was sent and does not verify.
 */
export function errorResponses<const Status extends ErrorStatus>(statuses: readonly Status[], options: { public?: boolean } = {}) {
  return Object.fromEntries(
    statuses.map((status) => [status, status === 401 && options.public ? rejectedTokenResponseSchema : errorResponseSchema]),
  ) as Record<Status, typeof errorResponseSchema>;
}

/** What a route that reads or decides on a case may answer: bad input, no or a wrong token, not the caller's, no such thing, not now, against a rule. */
export const CASE_ERRORS = errorResponses([400, 401, 403, 404, 409, 422]);

/** The one place that turns errors into `{ error, message, details }` responses. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    if (err instanceof HttpError) {
      if (err.statusCode === 503) reply.header('retry-after', String(err.details['retryAfterSeconds'] ?? UNAVAILABLE_RETRY_AFTER_SECONDS));
      return reply.status(err.statusCode).send(errorBody(err.statusCode, err.message, err.details));
    }
    const down = unavailablePart(err);
    if (down) {
      request.log.warn({ err }, `${down} unavailable`);
      const message = down === 'database' ? '数据库暂时无法访问，请稍后重试' : '工作流服务暂时无法访问，请稍后重试';
      return reply
        .status(503)
        .header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS))
        .send(errorBody(503, message, { unavailable: down, retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS }));
    }
    if (err.validation) {
      // Verbose validation adds the value and the schema it broke (SCHEMA_VALIDATOR_OPTIONS).
      const first = err.validation[0] as (FastifySchemaValidationError & { parentSchema?: unknown; data?: unknown }) | undefined;
      const field = first ? fieldOf(first.instancePath, first.params) : undefined;
      const annotations = (first?.parentSchema ?? {}) as Record<string, unknown>;
      const rule = typeof annotations['x-rule'] === 'string' ? annotations['x-rule'] : first?.keyword;
      const clause = typeof annotations['x-clause'] === 'string' ? annotations['x-clause'] : undefined;
      const details: ErrorDetails = { field, rule, context: err.validationContext, ...(clause === undefined ? {} : { clause }) };
      const allowed = first?.keyword === 'enum' ? first.params['allowedValues'] : undefined;
      if (first && Array.isArray(allowed)) {
        const message = `${err.validationContext ?? ''}${first.instancePath} must be one of: ${allowed.map(String).join(', ')}`;
        return reply.status(400).send(errorBody(400, message, { ...details, allowed }));
      }
      if (first?.keyword === 'pattern' && TEXT_PATTERNS.includes(String(first.params['pattern']))) {
        const message =
          typeof first.data === 'string' && controlCharacterIndex(first.data) >= 0
            ? `${field} 含有控制字符（如 NUL、回车或转义符）：除制表符和换行外不能使用控制字符，请删除后重新提交`
            : `${field} 不能为空白：请填写内容后重新提交`;
        return reply.status(400).send(errorBody(400, message, details));
      }
      // What a policy rule demands (a decision's reason, a due date…): answered as the rule's own check would, 422.
      const policy = annotations['x-policy'];
      if (typeof policy === 'string') {
        return reply.status(422).send(errorBody(422, `${field}：${policy}`, clause === undefined ? { field } : { field, clause }));
      }
      return reply.status(400).send(errorBody(400, err.message, details));
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) request.log.error({ err }, 'unhandled error');
    // Fastify refuses a body it cannot read (malformed JSON, a media type no route parses, too large) before any route sees it.
    const details = status !== 500 && err.code?.startsWith('FST_ERR_CTP_') ? { field: 'body' } : {};
    return reply.status(status).send(errorBody(status, status === 500 ? 'internal error' : ((err.code && BODY_REFUSALS[err.code]) || err.message), details));
  });
}

/** Fastify's own refusals of a body, said as what to do. */
const BODY_REFUSALS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: '不支持此请求体类型：请以 Content-Type: application/json 发送（上传数据文件用 text/csv）',
  FST_ERR_CTP_BODY_TOO_LARGE: '请求体过大，请缩减内容后重试',
  FST_ERR_CTP_EMPTY_JSON_BODY: '请求体为空：Content-Type 为 application/json 时请发送 JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: '请求体不是有效的 JSON',
};

/**
 * Answers a request Node's HTTP parser refused before Fastify saw it, in the same shape as every
 * other error. The usual cause is a URL with raw non-ASCII characters (a Chinese name typed into
 * curl), which HTTP does not allow unencoded.
 */
export function answerUnreadableRequest(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message, details]: [number, string, ErrorDetails] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'the request headers are too large', { field: 'headers' }]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request did not arrive in time', {}]
        : [400, 'the request is not valid HTTP: percent-encode non-ASCII characters in the URL (name=%E6%B3%A5%E4%BA%BA, not name=泥人)', { field: 'url' }];
  const payload = JSON.stringify(errorBody(status, message, details));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_NAMES[status] ?? 'Error'}\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${payload}`,
    );
  }
  socket.destroy(err);
}

export function errorBody(status: number, message: string, details: ErrorDetails) {
  return { error: STATUS_NAMES[status] ?? 'Error', message, details };
}

function fieldOf(instancePath: string, params: Record<string, unknown>): string {
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.');
  const missing = typeof params['missingProperty'] === 'string' ? params['missingProperty'] : undefined;
  const extra = typeof params['additionalProperty'] === 'string' ? params['additionalProperty'] : undefined;
  return [path, missing ?? extra].filter(Boolean).join('.');
}

