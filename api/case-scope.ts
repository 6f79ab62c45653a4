import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Database } from '../db/client.js';
import { cases } from '../db/schema.js';
import { HttpError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The clause that governs a case route's step, named by its refusals (a household's or district's wrong case, a rule that names none). */
    stepClause?: string;
  }
}

const CASE_ID = /^recognition-([0-9A-Z]{18})-[0-9]{4}$/;

/** `recognition-{USCC}-{year}`: the household a case belongs to; null for another ID. */
export function householdOfCaseId(caseId: string): string | null {
  return CASE_ID.exec(caseId)?.[1] ?? null;
}

/**
 * A pre-validation hook for the routes of one case: a household acting on another household's
 * case, or a district office on a case of another district, is refused (403) before its input is
 * validated, as the README promises (the role first), and whatever that input. The workflow's
 * validators refuse them too; this answers the same earlier. The district is read from the case's
 * projection; a case not projected yet is left to the workflow. The refusal names the clause of
 * the route's step (its `config.stepClause`), or else the review's (C-SELF, C-REC).
 */
export function refuseOtherPartiesCases(database: Database) {
  return async (request: FastifyRequest): Promise<void> => {
    const stepClause = request.routeOptions.config?.stepClause;
    const actor = request.actor;
    const caseId = (request.params as { caseId?: unknown } | undefined)?.caseId;
    if (!actor || !request.routeOptions.config?.roles || typeof caseId !== 'string') return;
    const uscc = householdOfCaseId(caseId);
    if (uscc === null) return;
    if (actor.role === 'household' && actor.uscc !== uscc) {
      const clause = stepClause ?? 'C-SELF';
      throw new HttpError(403, `${clause}：只能办理本户的案件`, { field: 'actor', clause });
    }
    if (actor.role === 'district') {
      const [projected] = await database.db.select({ districtCode: cases.districtCode, route: cases.route }).from(cases).where(eq(cases.caseId, caseId));
      if (projected && projected.districtCode !== actor.districtCode) {
        const clause = stepClause ?? (projected.route === 'department' ? 'C-REC' : 'C-SELF');
        throw new HttpError(403, `${clause}：该案件属于 ${projected.districtCode} 区，不由本区办理`, { field: 'actor', clause });
      }
    }
  };
}
