/** Tianjin's 16 districts by their 6-digit division code (data contract: `district_code` is `1201xx`). */
export const TIANJIN_DISTRICTS: Readonly<Record<string, string>> = {
  '120101': '和平区',
  '120102': '河东区',
  '120103': '河西区',
  '120104': '南开区',
  '120105': '河北区',
  '120106': '红桥区',
  '120110': '东丽区',
  '120111': '西青区',
  '120112': '津南区',
  '120113': '北辰区',
  '120114': '武清区',
  '120115': '宝坻区',
  '120116': '滨海新区',
  '120117': '宁河区',
  '120118': '静海区',
  '120119': '蓟州区',
};

export function isTianjinDistrict(code: string): boolean {
  return Object.hasOwn(TIANJIN_DISTRICTS, code);
}
