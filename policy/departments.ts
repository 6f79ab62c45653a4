/**
 * The departments 相关部门 as data: each has a registry ID, a name, and a level (city, or
 * district with its district code). A department's token names its ID; what it may do is
 * decided by comparing identities — its ID and its district — never display names.
 */
import type { Actor } from './actors.js';
import { violation, type RuleViolation } from './vocabulary.js';

export const DEPARTMENT_LEVELS = ['city', 'district'] as const;
export type DepartmentLevel = (typeof DEPARTMENT_LEVELS)[number];

export interface Department {
  id: string;
  name: string;
  level: DepartmentLevel;
  /** Set for a district-level department only. */
  districtCode: string | null;
}

/**
 * Whether the token speaks for the registered department it names: the registry knows the ID,
 * and the token's district is the department's (none for a city-level one).
 */
export function validateDepartmentActor(actor: Actor, registered: Department | null, clause: string): RuleViolation | null {
  if (!registered) {
    return violation(403, 'actor', clause, `令牌所列部门“${actor.department ?? ''}”不在部门名录中，不能以部门身份办理。`);
  }
  const tokenDistrict = actor.districtCode ?? null;
  if (tokenDistrict !== registered.districtCode) {
    return violation(
      403,
      'actor',
      clause,
      registered.districtCode === null
        ? `${registered.name}是市级部门，令牌不应带区划代码。`
        : `${registered.name}属于${registered.districtCode}区，令牌的区划代码（${tokenDistrict ?? '无'}）与之不符。`,
    );
  }
  return null;
}

/**
 * C-SELF: the departments the office consults 征求意见 are registered ones, each named once: the
 * city's departments, or the case's own district's. Answers the first fault, naming the IDs.
 */
export function validateConsultedDepartments(ids: string[], registered: Department[], caseDistrict: string): RuleViolation | null {
  if (new Set(ids).size !== ids.length) return violation(422, 'departments', 'C-SELF', '每个征求意见部门只能列一次。');
  const known = new Map(registered.map((d) => [d.id, d]));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    return violation(422, 'departments', 'C-SELF', `部门名录中没有：${unknown.join('、')}。请从部门名录（GET /departments）中选择征求意见部门。`);
  }
  const elsewhere = ids.filter((id) => {
    const district = known.get(id)!.districtCode;
    return district !== null && district !== caseDistrict;
  });
  if (elsewhere.length > 0) {
    return violation(422, 'departments', 'C-SELF', `${elsewhere.join('、')}是其他区的部门；请选择市级部门或本区（${caseDistrict}）的部门。`);
  }
  return null;
}
