/**
 * Where the platform's pages show a case or a tier objection to the role a notification about it
 * is for: the inbox links there, and an email gives the address.
 */
import { TIER_OBJECTION_ID_PREFIX } from './vocabulary.js';

const CASE_READERS = ['household', 'district', 'department', 'city'];

export function trailPagePath(role: string, trailId: string): string | null {
  if (trailId.startsWith(TIER_OBJECTION_ID_PREFIX)) {
    if (role === 'household') return '/household/objection';
    return role === 'city' ? '/city/objections' : null;
  }
  return CASE_READERS.includes(role) ? `/${role}/cases/${encodeURIComponent(trailId)}` : null;
}
