/**
 * Case throughput (issue 14): applications taken through the district office's acceptance, the
 * on-site verification that consults a department, and that department's opinion, which opens the
 * publicity notice (C-SELF) — one workflow start and three updates per case, all through the API,
 * as the household, the district office and the department would send them.
 *
 * Each lane carries its cases one after the other; the lanes run side by side, as many clerks do.
 * A decision's time is its request's, from sending until the answer (the case's new state) is read.
 */
import type { Sql } from 'postgres';
import { apiCaller, count, districtOffice, percentile, type TokenIssuer } from './shared.js';

/** The city-level department every district may consult (seeded by the migrations). */
const CONSULTED_DEPARTMENT = 'city-commerce';
const CANDIDATE_OVERSAMPLING = 3;

export interface CaseThroughputOptions {
  sql: Sql;
  token: TokenIssuer;
  apiBase: string;
  cases: number;
  lanes: number;
}

export interface CaseThroughput {
  caseIds: string[];
  /** The district with most of the cases, whose office's worklist the latency bench reads. */
  busiestDistrict: string;
}

interface Decision {
  name: 'application' | 'acceptance' | 'verification' | 'opinion';
  ms: number;
}

export async function benchCaseThroughput(options: CaseThroughputOptions): Promise<CaseThroughput> {
  const { cases, lanes } = options;
  const { token } = options;
  const candidates = await eligibleHouseholds(options, cases);
  console.log(
    `case throughput: ${count(cases)} applications through acceptance, verification (consulting ${CONSULTED_DEPARTMENT}) and its opinion, ` +
      `which opens the publicity notice: ${count(cases * 4)} workflow starts and updates through the API, ${lanes} lanes`,
  );

  const decisions: Decision[] = [];
  const caseIds: string[] = [];
  const department = token({ id: 'bench-commerce-officer', role: 'department', department: CONSULTED_DEPARTMENT });
  const decide = async (name: Decision['name'], path: string, bearer: string, body: unknown): Promise<{ caseId?: string; status: string }> => {
    const started = performance.now();
    const answer = await apiCaller(options.apiBase, bearer)<{ caseId?: string; status: string }>('POST', path, body);
    decisions.push({ name, ms: performance.now() - started });
    return answer;
  };

  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < candidates.length) {
        const household = candidates[next++]!;
        const self = token({ id: household.uscc, role: 'household', uscc: household.uscc });
        const office = token(districtOffice(household.districtCode));
        const { caseId } = await decide('application', '/applications', self, {
          uscc: household.uscc,
          category: 'quality',
          claimedCriteria: ['Q2'],
          evidenceRefs: ['老字号认定证书'],
        });
        await decide('acceptance', `/cases/${caseId}/review`, office, { decision: 'accept', reason: '材料齐全' });
        await decide('verification', `/cases/${caseId}/review`, office, {
          decision: 'verified',
          findings: '经营场所现场核实无误',
          departments: [CONSULTED_DEPARTMENT],
        });
        const opened = await decide('opinion', `/cases/${caseId}/opinions`, department, { opinion: 'support' });
        if (opened.status !== 'publicity') throw new Error(`case ${caseId} is ${opened.status} after the department's opinion, not publicity`);
        caseIds.push(caseId!);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;

  const all = decisions.map((d) => d.ms);
  console.log(
    `  ${count(decisions.length)} decisions in ${seconds.toFixed(1)} s: ${(decisions.length / seconds).toFixed(0)} decisions/s ` +
      `(target ≥ 100), per decision p50 ${percentile(all, 50).toFixed(0)} ms, p99 ${percentile(all, 99).toFixed(0)} ms`,
  );
  for (const name of ['application', 'acceptance', 'verification', 'opinion'] as const) {
    const times = decisions.filter((d) => d.name === name).map((d) => d.ms);
    console.log(`    ${name.padEnd(13)} p50 ${percentile(times, 50).toFixed(0).padStart(4)} ms, p99 ${percentile(times, 99).toFixed(0).padStart(4)} ms`);
  }
  const byDistrict = new Map<string, number>();
  for (const household of candidates) byDistrict.set(household.districtCode, (byDistrict.get(household.districtCode) ?? 0) + 1);
  const [busiestDistrict] = [...byDistrict].sort((a, b) => b[1] - a[1])[0]!;
  return { caseIds, busiestDistrict };
}

/**
 * Households whose application today would be taken, as their application form says: growth and
 * development households (C-SRC), one per operator and district (C-ONE-PERSON), spread over the
 * districts the way the registry is.
 */
async function eligibleHouseholds(
  options: CaseThroughputOptions,
  wanted: number,
): Promise<Array<{ uscc: string; districtCode: string }>> {
  const candidates = await options.sql<Array<{ uscc: string; districtCode: string }>>`
    select uscc, district_code as "districtCode" from (
      select distinct on (h.district_code, h.operator_id) h.uscc, h.district_code
      from households h join household_tiers t using (uscc)
      where t.tier in ('growth', 'development') and h.status = 'active'
      order by h.district_code, h.operator_id, h.uscc
    ) one_per_operator
    order by md5(uscc) limit ${wanted * CANDIDATE_OVERSAMPLING}`;
  const eligible: Array<{ uscc: string; districtCode: string }> = [];
  for (const household of candidates) {
    if (eligible.length === wanted) break;
    const self = options.token({ id: household.uscc, role: 'household', uscc: household.uscc });
    const form = await apiCaller(options.apiBase, self)<{ eligible: boolean }>('GET', `/households/${household.uscc}/application-form`);
    if (form.eligible) eligible.push(household);
  }
  if (eligible.length < wanted) throw new Error(`only ${eligible.length} of the ${wanted} households the bench needs may apply today`);
  return eligible;
}
