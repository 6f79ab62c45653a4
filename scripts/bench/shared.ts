/** What the bench's parts share: the actors and tokens they call the API as, the calls, and how figures print. */
import { issueToken, tokenTimes } from '../../api/auth.js';
import type { Actor } from '../../policy/actors.js';

export const CITY_OFFICE: Actor = { id: 'bench-city-office', role: 'city' };

export function districtOffice(districtCode: string): Actor {
  return { id: `bench-reviewer-${districtCode}`, role: 'district', districtCode };
}

/** Issues each actor's token once, valid for the bench's 12 hours. */
export type TokenIssuer = (actor: Actor) => string;

export function tokenIssuer(secret: string): TokenIssuer {
  const issued = new Map<string, string>();
  const times = tokenTimes(Date.now(), 12 * 3600);
  return (actor) => {
    const key = JSON.stringify(actor);
    let token = issued.get(key);
    if (token === undefined) issued.set(key, (token = issueToken(secret, actor, times)));
    return token;
  };
}


export function count(value: number): string {
  return Math.round(value).toLocaleString('en');
}

/** The nearest-rank percentile of `values` (milliseconds), 0 when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface ApiCaller {
  <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  /** Reads the answer as it streams, without keeping it; answers its size in bytes. */
  download(path: string): Promise<number>;
}

export function apiCaller(base: string, token: string): ApiCaller {
  const authorization = `Bearer ${token}`;
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  const download = async (path: string): Promise<number> => {
    const response = await fetch(`${base}${path}`, { headers: { authorization } });
    if (!response.ok || !response.body) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    let bytes = 0;
    for await (const chunk of response.body) bytes += (chunk as Uint8Array).byteLength;
    return bytes;
  };
  return Object.assign(call, { download });
}
