import { isTianjinDistrict } from './districts.js';

/** Who may act in the system. Tokens carry these; audit records name them. */
export const ROLES = ['household', 'department', 'district', 'city', 'public', 'system'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  /** Stable identifier of the person or office (a household acts as its USCC). */
  id: string;
  role: Role;
  /** Set for district offices: the 6-digit division code they are responsible for. */
  districtCode?: string;
  /** Set for recommending departments. */
  department?: string;
  /** Set for households: the USCC they act for. */
  uscc?: string;
}

/** The workflow itself, for reminders and escalations that no person decided. */
export const SYSTEM_ACTOR: Actor = { id: 'system', role: 'system' };

/**
 * What a caller of `actor.role` must name to act at all, or null when it does: a district office
 * its Tianjin district, a department its name (and, for a district department, a Tianjin
 * district), a household its USCC. The system role is the workflows' own; no caller has it.
 */
export function missingClaim(actor: Actor): string | null {
  const inTianjin = (code: string | undefined) => code !== undefined && isTianjinDistrict(code);
  switch (actor.role) {
    case 'household':
      return actor.uscc ? null : 'a household acts for its uscc';
    case 'district':
      return inTianjin(actor.districtCode) ? null : 'a district office acts for a Tianjin district (districtCode)';
    case 'department':
      if (!actor.department) return 'a department names itself (department)';
      return actor.districtCode === undefined || inTianjin(actor.districtCode) ? null : "a district department's districtCode is a Tianjin district";
    case 'system':
      return "the system role is the workflows' own";
    default:
      return null;
  }
}
