import type { Client } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { departments } from '../db/recognition-schema.js';
import { households } from '../db/schema.js';
import { annualReports, creditEvents, ipRights, socialInsurance, taxRecords, tieringRuns } from '../db/tiering-schema.js';
import { yearOf, type IsoDate } from '../policy/dates.js';
import { TIANJIN_DISTRICTS } from '../policy/districts.js';
import { usccCheckCharacter } from '../policy/uscc.js';
import {
  TIERING_RUN_WORKFLOW_TYPE,
  TIERING_TASK_QUEUE,
  tieringRunWorkflowId,
  type TieringRunInput,
} from '../workflows/tiering-run/contract.js';
import type { DemoActor } from '../api/deps.js';

/** A household USCC (authority 9, type 2) in `district` with a valid check character. */
export function householdUscc(district: string, organisationCode: string): string {
  const first17 = `92${district}${organisationCode}`;
  return first17 + usccCheckCharacter(first17);
}

export const DEMO_HOUSEHOLDS = [
  { uscc: householdUscc('120101', 'MA05T3K21'), name: '和平区老胡同煎饼果子铺', operatorId: 'op-demo-001', operatorName: '胡某', districtCode: '120101', industryCode: 'H6210', establishedOn: '2015-03-18' },
  { uscc: householdUscc('120104', 'MA06B7Q40'), name: '南开区泥人张工艺坊', operatorId: 'op-demo-002', operatorName: '张某', districtCode: '120104', industryCode: 'C2439', establishedOn: '2009-09-01' },
  { uscc: householdUscc('120116', 'MA07C8R52'), name: '滨海新区海鲜直播小店', operatorId: 'op-demo-003', operatorName: '李某', districtCode: '120116', industryCode: 'F5292', establishedOn: '2021-06-30' },
  { uscc: householdUscc('120119', 'MA08D9T63'), name: '蓟州区山野农家院', operatorId: 'op-demo-004', operatorName: '王某', districtCode: '120119', industryCode: 'H6110', establishedOn: '2018-04-12' },
  { uscc: householdUscc('120105', 'MA09E1U74'), name: '河北区街角小卖部', operatorId: 'op-demo-005', operatorName: '赵某', districtCode: '120105', industryCode: 'F5211', establishedOn: '2019-11-02' },
] as const;

const [pancakes, clayFigures, seafoodLive, farmStay, cornerShop] = DEMO_HOUSEHOLDS;

/** District departments of the demo districts, beside the city-level ones the registry is seeded with. */
export const DEMO_DEPARTMENTS = [
  { id: '120101-commerce', name: '和平区商务局', level: 'district', districtCode: '120101' },
  { id: '120104-culture-tourism', name: '南开区文化和旅游局', level: 'district', districtCode: '120104' },
  { id: '120104-commerce', name: '南开区商务局', level: 'district', districtCode: '120104' },
  { id: '120116-commerce', name: '滨海新区商务局', level: 'district', districtCode: '120116' },
  { id: '120119-agriculture', name: '蓟州区农业农村委', level: 'district', districtCode: '120119' },
] as const;


const DEMO_TIER_NOTES = new Map<string, string>([
  [pancakes.uscc, '“成长型”：可自主申报“名特优新”'],
  [clayFigures.uscc, '“发展型”（商标在用）：可自主申报，可由部门推荐'],
  [seafoodLive.uscc, '“发展型”（营业收入较高）：可自主申报'],
  [farmStay.uscc, '“生存型”：一般不能自主申报，可由部门推荐'],
  [cornerShop.uscc, '未分型（列入经营异常名录）：可查看原因并提出异议申诉'],
]);

/** The departments the login page offers: a city-level one of the seeded registry and a demo district's. */
const LOGIN_DEPARTMENTS = [
  { id: 'city-commerce', name: '市商务局', districtCode: undefined },
  { id: '120104-culture-tourism', name: '南开区文化和旅游局', districtCode: '120104' },
] as const;

/**
 * Whom the development login page offers (never a deployment): each demo household, the
 * district office of each demo district, a city and a district department, the city office.
 */
export const DEMO_ACTORS: readonly DemoActor[] = [
  ...DEMO_HOUSEHOLDS.map((h) => ({
    actor: { id: h.uscc, role: 'household' as const, uscc: h.uscc },
    label: h.name,
    description: DEMO_TIER_NOTES.get(h.uscc)!,
  })),
  ...DEMO_HOUSEHOLDS.map((h) => ({
    actor: { id: `reviewer-${h.districtCode}`, role: 'district' as const, districtCode: h.districtCode },
    label: `${TIANJIN_DISTRICTS[h.districtCode]}市场监管局`,
    description: `审核${h.name}等本区个体工商户的申报，处理公示异议`,
  })),
  ...LOGIN_DEPARTMENTS.map(({ id, name, districtCode }) => ({
    actor: { id: `officer-${id}`, role: 'department' as const, department: id, ...(districtCode ? { districtCode } : {}) },
    label: name,
    description: districtCode ? '区级部门：推荐本区个体工商户，反馈征求意见' : '市级部门：推荐个体工商户，反馈征求意见和评估确认',
  })),
  { actor: { id: 'city-supervisor', role: 'city' as const }, label: '市市场监管委', description: '数据导入、年度分型、名额、抽查、异议申诉' },
];

/**
 * Loads the demo households with the facts that tier them, one of each kind: growth (revenue,
 * T-G1), development (a trademark in use, T-D4; high revenue, T-D1), survival, and one on the
 * abnormal-operation list (unclassified, T-B3). A second start keeps what is there.
 */
export async function seedDemoData(database: Database, today: IsoDate): Promise<void> {
  const year = yearOf(today);
  const lastYear = year - 1;
  // Last year's report is filed in this year, and never after today.
  const filedOn = [`${year}-03-31`, today].sort()[0]!;
  const { db } = database;
  await db.insert(departments).values([...DEMO_DEPARTMENTS]).onConflictDoNothing({ target: departments.id });
  await db
    .insert(households)
    .values(DEMO_HOUSEHOLDS.map((h) => ({ ...h, status: 'active', seasonal: h === farmStay })))
    .onConflictDoNothing({ target: households.uscc });
  const revenue = new Map<string, number>([
    [pancakes.uscc, 180_000],
    [clayFigures.uscc, 420_000],
    [seafoodLive.uscc, 1_500_000],
    [farmStay.uscc, 60_000],
    [cornerShop.uscc, 40_000],
  ]);
  await db
    .insert(annualReports)
    .values(DEMO_HOUSEHOLDS.map((h) => ({ uscc: h.uscc, year: lastYear, filedOn, revenue: revenue.get(h.uscc)! })))
    .onConflictDoNothing();
  await db
    .insert(taxRecords)
    .values(
      DEMO_HOUSEHOLDS.map((h) => ({
        uscc: h.uscc,
        year: lastYear,
        taxRegisteredOn: h.establishedOn,
        generalTaxpayer: false,
        vatPaid: h === farmStay || h === cornerShop ? 0 : 3_600,
        iitPaid: 0,
        abnormal: false,
      })),
    )
    .onConflictDoNothing();
  await db.insert(socialInsurance).values({ uscc: pancakes.uscc, year: lastYear, insuredCount: 2 }).onConflictDoNothing();
  await db
    .insert(ipRights)
    .values({ kind: 'trademark', registrationNo: 'DEMO-TM-0001', uscc: clayFigures.uscc, holder: 'operator', inUse: true })
    .onConflictDoNothing();
  await db
    .insert(creditEvents)
    .values({ uscc: cornerShop.uscc, kind: 'abnormal_operation', listedOn: `${lastYear}-06-01`, clearedOn: null, detail: 'demo: annual report missing at the address' })
    .onConflictDoNothing();
}

/**
 * Tiers the demo city when no run of this year is in force yet, through the real yearly run
 * (T-RUN), so that the demo households have tiers and applications can be tried.
 */
export async function ensureDemoTiering(database: Database, temporal: Client, today: IsoDate): Promise<void> {
  const year = yearOf(today);
  const [inForce] = await database.db
    .select({ id: tieringRuns.id })
    .from(tieringRuns)
    .where(and(eq(tieringRuns.year, year), eq(tieringRuns.inForce, true)));
  if (inForce) return;
  const input: TieringRunInput = { year, asOf: today, requestedBy: { id: 'demo-data', role: 'system' } };
  await temporal.workflow.execute(TIERING_RUN_WORKFLOW_TYPE, {
    taskQueue: TIERING_TASK_QUEUE,
    workflowId: tieringRunWorkflowId(year, `demo-${Date.now()}`),
    args: [input],
  });
}
