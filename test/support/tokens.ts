import { issueToken, tokenTimes } from '../../api/auth.js';
import type { Actor } from '../../policy/actors.js';

/**
 * How a test file signs its actors' requests: `bearerFor(SECRET, () => now)(actor)` is the
 * Authorization header of a token signed with the file's secret, issued at the file's clock
 * (the wall clock unless the file moves its own) and valid for `lifetimeSeconds`.
 */
export function bearerFor(secret: string, now: () => number = Date.now, lifetimeSeconds = 3600): (actor: Actor) => { authorization: string } {
  return (actor) => ({ authorization: `Bearer ${issueToken(secret, actor, tokenTimes(now(), lifetimeSeconds))}` });
}
