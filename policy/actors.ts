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
