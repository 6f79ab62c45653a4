import createClient, { type Middleware } from 'openapi-fetch';
import { currentToken, signOut } from '../session';
import { ApiError, type ApiErrorBody } from '../errors';
import type { paths } from './schema';

const withToken: Middleware = {
  onRequest({ request }) {
    const token = currentToken();
    if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response }) {
    // An expired or revoked token: back to the login page rather than a page of refusals.
    if (response.status === 401 && request.headers.has('authorization') && currentToken()) signOut();
    return response;
  },
};

/** The typed API client: the pages call the API's routes through it and nothing else. */
export const api = createClient<paths>({ baseUrl: '' });
api.use(withToken);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's data, or an ApiError carrying the API's refusal (for errors.ts to put in Chinese). */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw new ApiError(response.status, (error ?? {}) as ApiErrorBody);
  return data as T;
}

/** A fresh key per submitted form, so a request sent twice (a double click, a retry) is filed once. */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
