import type { Database } from '../db/client.js';
import { households } from '../db/schema.js';
import { usccCheckCharacter } from '../policy/uscc.js';

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
] as const;

/** Loads the demo households; a second start keeps what is there. */
export async function seedDemoData(database: Database): Promise<void> {
  await database.db
    .insert(households)
    .values(DEMO_HOUSEHOLDS.map((h) => ({ ...h, status: 'active', seasonal: false })))
    .onConflictDoNothing({ target: households.uscc });
}
