import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import type { Database } from '../db/client.js';
import { cases } from '../db/schema.js';
import { HttpError } from './errors.js';

const CASE_ID = /^recognition-([0-9A-Z]{18})-[0-9]{4}$/;

/**
 * A pre-validation hook for the routes of one case: a household acting on another household's
 * case, or a district office on a case of another district, is refused (403) before its input is
 * validated, as the README promises (the role first), and whatever that input. The workflow's
 * validators refuse them too; this answers the same earlier. The district is read from the case's
 * projection; a case not projected yet is left to the workflow. The refusal names the clause of
 * the route's step (`stepClauses`, by route URL), or else the review's (C-SELF, C-REC).
 */
export function refuseOtherPartiesCases(database: Database, stepClauses: Readonly<Record<string, string>> = {}) {
  return async (request: FastifyRequest): Promise<void> => {
    const stepClause = stepClauses[request.routeOptions.url ?? ''];
    const actor = request.actor;
    const caseId = (request.params as { caseId?: unknown } | undefined)?.caseId;
    if (!actor || !request.routeOptions.config?.roles || typeof caseId !== 'string') return;
    const match = CASE_ID.exec(caseId);
    if (!match) return;
    if (actor.role === 'household' && actor.uscc !== match[1]) {
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
