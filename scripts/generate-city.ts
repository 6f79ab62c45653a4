/**
 * Writes a synthetic Tianjin of N households as the seven files of the data contract, for
 * benchmarks and demonstrations:
 *
 *   npm run generate -- --households 1000000 --seed 42 --out <dir> [--as-of 2026-08-01] [--bad-rows 10]
 *
 * Each household is drawn for a tier first, with the shares of a real city (about a quarter
 * failing the base standard; of the rest about 92% survival, 7% growth, 1% development), and
 * its facts are then made to fit that tier under the default thresholds as of `--as-of`, with
 * the noise real data has (cleared listings, expired or seasonal suspensions, fines, unused
 * trademarks, operators with several households in a district). Every date is on or before
 * the as-of date, so the files import cleanly on any later day. The same seed and options
 * always give the same files (a seeded mulberry32 generator, no clock).
 *
 * `--bad-rows N` adds N deliberately broken rows spread over the files (bad check character,
 * a district outside Tianjin, a future date, negative revenue, …) to show the import's error
 * path; without it every row is valid.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { addYears, cstDateOf, epochDayOf, isValidIsoDate, isoDateOfEpochDay, yearOf, type IsoDate } from '../policy/dates.js';
import { TIANJIN_DISTRICTS } from '../policy/districts.js';
import {
  FEEDS,
  FEED_NAMES,
  type AnnualReportRow,
  type CreditEventRow,
  type DishonestDebtorRow,
  type FeedName,
  type FeedRows,
  type IpRightRow,
  type RegistrationRow,
  type SocialInsuranceRow,
  type TaxRow,
} from '../policy/feeds.js';
import { DEFAULT_TIER_THRESHOLDS, type Tier } from '../policy/tiering.js';
import { usccCheckCharacter } from '../policy/uscc.js';

export interface CityOptions {
  households: number;
  seed: number;
  asOf: IsoDate;
  /** Broken rows to add, spread over the files; 0 for a clean city. */
  badRows?: number;
  /** Shares of the tiers to draw; the real city's (TIER_SHARES) unless given. */
  tierShares?: Readonly<Record<Tier, number>>;
  /** Every district in turn instead of by the real districts' sizes: a small city that still reaches all 16. */
  evenDistricts?: boolean;
}

/** One household and every feed row about it, with the tier its facts were made for. */
export interface GeneratedHousehold {
  tier: Tier;
  registration: RegistrationRow;
  annualReports: AnnualReportRow[];
  tax: TaxRow[];
  socialInsurance: SocialInsuranceRow[];
  ipRights: IpRightRow[];
  creditEvents: CreditEventRow[];
  /** Listings of this household's operator that first appear with it. */
  dishonestDebtors: DishonestDebtorRow[];
}

/** Shares of the tiers among all households (T-B1..B6 fail for a quarter; then 92/7/1). */
export const TIER_SHARES: Readonly<Record<Tier, number>> = {
  unclassified: 0.25,
  survival: 0.75 * 0.92,
  growth: 0.75 * 0.07,
  development: 0.75 * 0.01,
};

// ── Randomness ───────────────────────────────────────────────────────────────────────────

export type Random = () => number;

/** mulberry32: small, fast, and the same sequence on every machine for a seed. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const chance = (random: Random, p: number): boolean => random() < p;
const integerBelow = (random: Random, n: number): number => Math.floor(random() * n);
const integerBetween = (random: Random, min: number, max: number): number => min + integerBelow(random, max - min + 1);
const pick = <T>(random: Random, items: readonly T[]): T => items[integerBelow(random, items.length)] as T;

/** Log-normal with the given median: amounts of money are skewed like this. */
function logNormal(random: Random, median: number, sigma: number): number {
  const u = 1 - random();
  const v = random();
  return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

function weightedPicker<T>(entries: readonly (readonly [T, number])[]): (random: Random) => T {
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  const bounds: number[] = [];
  let running = 0;
  for (const [, weight] of entries) bounds.push((running += weight / total));
  return (random) => {
    const r = random();
    for (let i = 0; i < bounds.length; i++) if (r < (bounds[i] as number)) return (entries[i] as readonly [T, number])[0];
    return (entries[entries.length - 1] as readonly [T, number])[0];
  };
}

// ── The city ─────────────────────────────────────────────────────────────────────────────

/** Rough shares of the city's individual businesses by district: the new area and the suburbs hold most. */
const pickDistrict = weightedPicker<string>([
  ['120116', 16], ['120114', 9], ['120111', 8], ['120110', 7], ['120113', 7], ['120104', 7], ['120103', 7], ['120102', 6],
  ['120112', 6], ['120105', 5], ['120118', 5], ['120115', 5], ['120119', 4], ['120117', 3], ['120106', 3], ['120101', 2],
]);

/** GB/T 4754-2017 classes that individual businesses mostly run, with the words their names end in. */
const INDUSTRIES: readonly (readonly [code: string, suffixes: readonly string[], weight: number])[] = [
  ['F5211', ['便利店', '超市', '百货店', '小卖部'], 14],
  ['F5223', ['水果店', '蔬菜店', '果蔬店'], 7],
  ['F5224', ['鲜肉店', '禽蛋店'], 4],
  ['F5225', ['海鲜店', '水产店'], 3],
  ['F5221', ['粮油店', '调料店'], 3],
  ['F5232', ['服装店', '鞋店', '服饰店'], 7],
  ['F5263', ['五金店', '建材店'], 4],
  ['F5243', ['书店', '文具店'], 2],
  ['F5292', ['网店', '电商'], 4],
  ['H6210', ['饭馆', '家常菜馆', '酒家'], 8],
  ['H6220', ['快餐店', '盒饭店'], 5],
  ['H6291', ['小吃店', '煎饼果子铺', '包子铺', '早点铺', '面馆'], 9],
  ['H6110', ['农家院', '民宿'], 2],
  ['O8010', ['理发店', '美发店', '美容店'], 6],
  ['O8051', ['洗衣店', '干洗店'], 2],
  ['O8111', ['汽车修理部', '汽修店'], 3],
  ['O8120', ['手机维修部', '家电维修部'], 3],
  ['E5010', ['装饰部', '装修队'], 3],
  ['C1431', ['糕点坊', '面包房'], 2],
  ['C2439', ['工艺坊', '泥塑工作室'], 1],
  ['M7251', ['广告部', '图文店'], 2],
];
const pickIndustry = weightedPicker(INDUSTRIES.map(([code, suffixes, weight]) => [[code, suffixes] as const, weight] as const));

const SURNAMES = [...'王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文'];
const GIVEN_NAMES = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚海鹏宇浩凯晨欣颖斌辉玲桂英华建国红梅兰俊峰宁琳雪飞燕波'];
const TRADE_NAMES = [
  '鑫源', '福满', '金鼎', '顺发', '和顺', '宏达', '兴隆', '聚福', '惠民', '祥瑞', '万家', '百佳', '金港', '海河', '津味', '老城',
  '家和', '永盛', '瑞丰', '嘉禾', '德源', '恒通', '天和', '利民', '盛达', '好运来', '乐购', '佳美', '康乐', '同德', '正兴', '华联',
  '荣昌', '广源', '信达', '富贵', '吉祥', '双盈', '万福', '春晖', '新城', '一品', '味之源', '小确幸', '悦来', '三友', '众鑫', '益民',
];

const ABNORMAL_OPERATION_DETAILS = ['通过登记的住所或者经营场所无法联系', '未按规定报送年度报告', '公示信息隐瞒真实情况、弄虚作假'];
const SERIOUS_DISHONESTY_DETAILS = ['被列入经营异常名录届满3年仍未履行相关义务', '提交虚假材料取得登记'];
const PENALTY_REASONS = ['销售过期食品', '未明码标价', '违规占道经营', '未按规定索证索票', '销售不合格产品'];

type EconomicProfile = 'plain' | 'growth' | 'development' | 'free';

const tierPicker = (shares: Readonly<Record<Tier, number>>) => weightedPicker<Tier>(Object.entries(shares) as [Tier, number][]);
const pickTier = tierPicker(TIER_SHARES);
const DISTRICT_CODES = Object.keys(TIANJIN_DISTRICTS).sort();

/** Why an unclassified household fails the base standard (its first failing clause). */
const pickBaseFailure = weightedPicker<'T-B1' | 'T-B2' | 'T-B3' | 'T-B4' | 'T-B5' | 'T-B6'>([
  ['T-B1', 38], ['T-B2', 35], ['T-B3', 15], ['T-B4', 2], ['T-B5', 5], ['T-B6', 5],
]);
const pickInactiveStatus = weightedPicker<RegistrationRow['status']>([['deregistered', 60], ['revoked', 36], ['cancelled', 4]]);
const pickSpecialGroup = weightedPicker<RegistrationRow['specialGroup']>([
  [null, 95], ['veteran', 1.5], ['graduate', 1.5], ['disabled', 0.8], ['returning_migrant', 1.2],
]);

const MEAN_AGE_YEARS = 6;
const MAX_AGE_YEARS = 35;
const DAYS_PER_YEAR = 365.25;
/** Code characters of GB 32100-2015 (no I, O, S, V, Z). */
const CODE_CHARACTERS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const SERIAL_SPACE = 31 ** 7;
const OPERATORS_REMEMBERED_PER_DISTRICT = 2000;

/** Households, one at a time, in a fixed order for the seed. */
export function* generateHouseholds(options: CityOptions): Generator<GeneratedHousehold> {
  const random = mulberry32(options.seed);
  const city = new CityState(random, options.asOf, options.tierShares ? tierPicker(options.tierShares) : pickTier, options.evenDistricts ?? false);
  for (let index = 0; index < options.households; index++) yield city.household(index);
}

class CityState {
  private readonly asOfDay: number;
  private readonly asOfYear: number;
  private readonly lastYear: number;
  /** Latest day that still gives two full years on the as-of date (T-AGE). */
  private readonly ageCutoffDay: number;
  private readonly serialMultiplier: number;
  private readonly serialOffset: number;
  private readonly operatorsByDistrict = new Map<string, { id: string; name: string }[]>();
  private trademarkSerial = 0;
  private patentSerial = 0;

  constructor(
    private readonly random: Random,
    private readonly asOf: IsoDate,
    private readonly pickTier: (random: Random) => Tier,
    private readonly evenDistricts: boolean,
  ) {
    this.asOfDay = epochDayOf(asOf);
    this.asOfYear = yearOf(asOf);
    this.lastYear = this.asOfYear - 1;
    this.ageCutoffDay = epochDayOf(addYears(asOf, -2));
    // A seed-dependent bijection on the 7-character serial space, so USCCs look scattered but never collide.
    this.serialMultiplier = 1 + 31 * integerBetween(random, 1000, 100_000);
    this.serialOffset = integerBelow(random, SERIAL_SPACE);
  }

  household(index: number): GeneratedHousehold {
    const { random } = this;
    const tier = this.pickTier(random);
    const districtCode = this.evenDistricts ? DISTRICT_CODES[index % DISTRICT_CODES.length]! : pickDistrict(random);
    const [industryCode, suffixes] = pickIndustry(random);
    const operator = this.operator(districtCode);
    const uscc = this.uscc(districtCode, index);
    const established = this.establishedDay(tier);
    const establishedOn = isoDateOfEpochDay(established);
    const failure = tier === 'unclassified' ? this.baseFailure(yearOf(establishedOn)) : null;
    // Some households never came under tax management: they cannot be growth or development
    // (T-AGE), and cannot be a tax "abnormal household" (T-B5) either.
    const untaxed = tier !== 'growth' && tier !== 'development' && failure !== 'T-B5' && chance(random, 0.04);
    const latestTaxRegistration = tier === 'growth' || tier === 'development' ? this.ageCutoffDay : this.asOfDay;
    const taxRegistered = untaxed ? null : Math.min(established + integerBelow(random, 90), latestTaxRegistration);
    const aged = established <= this.ageCutoffDay && taxRegistered !== null && taxRegistered <= this.ageCutoffDay;
    const profile: EconomicProfile = tier === 'survival' ? (aged ? 'plain' : 'free') : tier === 'unclassified' ? 'free' : tier;
    const economics = this.economics(profile);

    const registration: RegistrationRow = {
      uscc,
      name: this.householdName(districtCode, operator.name, suffixes),
      operatorId: operator.id,
      operatorName: operator.name,
      districtCode,
      industryCode: chance(random, 0.97) ? industryCode : null,
      establishedOn,
      status: failure === 'T-B1' ? pickInactiveStatus(random) : 'active',
      seasonal: industryCode === 'H6110' ? chance(random, 0.5) : chance(random, 0.02),
      suspendedOn: null,
      specialGroup: pickSpecialGroup(random),
    };
    this.suspension(registration, established, failure === 'T-B6');

    return {
      tier,
      registration,
      annualReports: this.annualReports(uscc, establishedOn, economics.revenue, failure === 'T-B2'),
      tax: this.taxRows(uscc, taxRegistered, economics, failure === 'T-B5'),
      socialInsurance: this.socialInsurance(uscc, establishedOn, economics.insured),
      ipRights: this.ipRights(uscc, economics),
      creditEvents: this.creditEvents(uscc, established, failure),
      dishonestDebtors: operator.isNew ? this.dishonestDebtors(operator.id) : [],
    };
  }

  private uscc(districtCode: string, index: number): string {
    let serial = (index * this.serialMultiplier + this.serialOffset) % SERIAL_SPACE;
    let code = '';
    for (let i = 0; i < 7; i++) {
      code = CODE_CHARACTERS.charAt(serial % 31) + code;
      serial = Math.floor(serial / 31);
    }
    const first17 = `92${districtCode}MA${code}`;
    return first17 + usccCheckCharacter(first17);
  }

  /** Mostly a new person; sometimes one who already runs a household in the same district. */
  private operator(districtCode: string): { id: string; name: string; isNew: boolean } {
    const { random } = this;
    let known = this.operatorsByDistrict.get(districtCode);
    if (known === undefined) this.operatorsByDistrict.set(districtCode, (known = []));
    if (known.length > 0 && chance(random, 0.03)) return { ...pick(random, known), isNew: false };
    let id = '';
    for (let i = 0; i < 4; i++) id += Math.floor(random() * 4_294_967_296).toString(16).padStart(8, '0');
    const name = pick(random, SURNAMES) + pick(random, GIVEN_NAMES) + (chance(random, 0.6) ? pick(random, GIVEN_NAMES) : '');
    const operator = { id, name };
    if (known.length < OPERATORS_REMEMBERED_PER_DISTRICT) known.push(operator);
    else known[integerBelow(random, OPERATORS_REMEMBERED_PER_DISTRICT)] = operator;
    return { ...operator, isNew: true };
  }

  private householdName(districtCode: string, operatorName: string, suffixes: readonly string[]): string {
    const { random } = this;
    const district = TIANJIN_DISTRICTS[districtCode] as string;
    const surname = operatorName.charAt(0);
    const r = random();
    const trade = r < 0.15 ? `${surname}记` : r < 0.25 ? `老${surname}家` : pick(random, TRADE_NAMES);
    return `${district}${trade}${pick(random, suffixes)}`;
  }

  /** Growth and development need two full years (T-AGE); the others are as old as chance makes them. */
  private establishedDay(tier: Tier): number {
    const { random } = this;
    const ageDays = Math.min(-Math.log(1 - random()) * MEAN_AGE_YEARS * DAYS_PER_YEAR, MAX_AGE_YEARS * DAYS_PER_YEAR);
    if (tier === 'growth' || tier === 'development') return this.ageCutoffDay - Math.floor(ageDays);
    return this.asOfDay - Math.floor(ageDays);
  }

  /** A household new this year cannot miss last year's report (T-B2 exempts it): it fails otherwise. */
  private baseFailure(establishedYear: number): ReturnType<typeof pickBaseFailure> {
    for (;;) {
      const failure = pickBaseFailure(this.random);
      if (failure !== 'T-B2' || establishedYear < this.asOfYear) return failure;
    }
  }

  private economics(profile: EconomicProfile) {
    const { random } = this;
    const { growthRevenueYuan, developmentRevenueYuan } = DEFAULT_TIER_THRESHOLDS;
    let revenue = cents(Math.min(logNormal(random, 60_000, 0.9), developmentRevenueYuan * 3));
    let taxPaid = chance(random, 0.3);
    let insured = chance(random, 0.1) ? integerBetween(random, 1, 3) : chance(random, 0.02) ? integerBetween(random, 4, 12) : 0;
    let generalTaxpayer = chance(random, 0.01);
    let trademarkInUse = chance(random, 0.008);
    let patent = chance(random, 0.002);
    // A trademark registered but not in use counts for nothing (T-D4): some households have one.
    const idleTrademark = chance(random, 0.005);

    if (profile === 'plain') {
      revenue = cents(Math.min(revenue, growthRevenueYuan - 0.01 - random() * growthRevenueYuan * 0.5));
      taxPaid = false;
      insured = 0;
      generalTaxpayer = trademarkInUse = patent = false;
    } else if (profile === 'growth') {
      let conditions: [boolean, boolean, boolean];
      do conditions = [chance(random, 0.55), chance(random, 0.6), chance(random, 0.3)];
      while (!conditions.some(Boolean));
      revenue = conditions[0]
        ? cents(growthRevenueYuan + random() * (developmentRevenueYuan - growthRevenueYuan) * 0.6)
        : cents(random() * (growthRevenueYuan - 1));
      taxPaid = conditions[1];
      insured = conditions[2] ? integerBetween(random, 1, 3) : 0;
      generalTaxpayer = trademarkInUse = patent = false;
    } else if (profile === 'development') {
      let conditions: [boolean, boolean, boolean, boolean, boolean];
      do conditions = [chance(random, 0.35), chance(random, 0.5), chance(random, 0.3), chance(random, 0.3), chance(random, 0.1)];
      while (!conditions.some(Boolean));
      revenue = conditions[0]
        ? cents(developmentRevenueYuan + logNormal(random, 400_000, 0.8))
        : cents(growthRevenueYuan * 0.5 + random() * (developmentRevenueYuan - growthRevenueYuan * 0.5 - 1));
      [, generalTaxpayer, , trademarkInUse, patent] = conditions;
      insured = conditions[2] ? integerBetween(random, 4, 30) : integerBetween(random, 0, 3);
      taxPaid = chance(random, 0.85);
    }
    return { revenue, taxPaid, insured, generalTaxpayer, trademarkInUse, idleTrademark, patent };
  }

  private suspension(registration: RegistrationRow, established: number, within: boolean): void {
    const { random } = this;
    const sinceEstablished = this.asOfDay - established;
    const threeYears = this.asOfDay - epochDayOf(addYears(this.asOf, -3));
    if (within) {
      // Filed less than the statutory 3 years ago, and not seasonal: T-B6 fails.
      registration.seasonal = false;
      registration.suspendedOn = isoDateOfEpochDay(this.asOfDay - integerBelow(random, Math.min(sinceEstablished + 1, threeYears)));
    } else if (registration.seasonal && chance(random, 0.4)) {
      registration.suspendedOn = isoDateOfEpochDay(this.asOfDay - integerBelow(random, Math.min(sinceEstablished + 1, threeYears)));
    } else if (sinceEstablished > threeYears + 30 && chance(random, 0.01)) {
      // A suspension whose statutory maximum has run out no longer counts.
      registration.suspendedOn = isoDateOfEpochDay(established + integerBelow(random, sinceEstablished - threeYears));
    }
  }

  private annualReports(uscc: string, establishedOn: IsoDate, revenue: number, missing: boolean): AnnualReportRow[] {
    const { random, lastYear } = this;
    const established = yearOf(establishedOn);
    const rows: AnnualReportRow[] = [];
    if (established <= lastYear - 1) {
      rows.push({ uscc, year: lastYear - 1, filedOn: this.dayIn(lastYear, 1, 180), revenue: cents(revenue * (0.7 + random() * 0.5)) });
    }
    if (established <= lastYear) {
      if (!missing) rows.push({ uscc, year: lastYear, filedOn: this.dayIn(this.asOfYear, 1, 180), revenue });
      else if (chance(random, 0.3)) rows.push({ uscc, year: lastYear, filedOn: null, revenue: null });
    }
    return rows;
  }

  private taxRows(
    uscc: string,
    taxRegistered: number | null,
    economics: ReturnType<CityState['economics']>,
    abnormal: boolean,
  ): TaxRow[] {
    if (taxRegistered === null) return [];
    const { random, lastYear } = this;
    const taxRegisteredOn = isoDateOfEpochDay(taxRegistered);
    const registeredYear = yearOf(taxRegisteredOn);
    const rows: TaxRow[] = [];
    const row = (year: number, paid: boolean): TaxRow => ({
      uscc,
      year,
      taxRegisteredOn,
      generalTaxpayer: economics.generalTaxpayer,
      vatPaid: paid && (economics.generalTaxpayer || chance(random, 0.5)) ? cents(economics.revenue * (0.01 + random() * 0.02)) : chance(random, 0.5) ? 0 : null,
      iitPaid: paid ? cents(100 + random() * 5000) : chance(random, 0.5) ? 0 : null,
      abnormal: false,
    });
    if (registeredYear <= lastYear - 1) rows.push(row(lastYear - 1, chance(random, 0.5) && economics.taxPaid));
    if (registeredYear <= lastYear) rows.push(row(lastYear, economics.taxPaid));
    else rows.push(row(this.asOfYear, false));
    const last = rows[rows.length - 1] as TaxRow;
    if (economics.taxPaid && last.year === lastYear && !(last.vatPaid ?? 0) && !(last.iitPaid ?? 0)) last.iitPaid = cents(100 + random() * 5000);
    // The abnormal flag is current: it lives on the latest row (T-B5).
    last.abnormal = abnormal;
    return rows;
  }

  private socialInsurance(uscc: string, establishedOn: IsoDate, insured: number): SocialInsuranceRow[] {
    if (insured === 0) return [];
    const rows: SocialInsuranceRow[] = [];
    if (yearOf(establishedOn) <= this.lastYear - 1) {
      rows.push({ uscc, year: this.lastYear - 1, insuredCount: Math.max(1, insured + integerBetween(this.random, -1, 1)) });
    }
    if (yearOf(establishedOn) <= this.lastYear) rows.push({ uscc, year: this.lastYear, insuredCount: insured });
    return rows;
  }

  private ipRights(uscc: string, economics: ReturnType<CityState['economics']>): IpRightRow[] {
    const { random } = this;
    const rows: IpRightRow[] = [];
    const holder = (): IpRightRow['holder'] => (chance(random, 0.7) ? 'household' : 'operator');
    if (economics.trademarkInUse) {
      const count = chance(random, 0.2) ? 2 : 1;
      for (let i = 0; i < count; i++) rows.push({ uscc, kind: 'trademark', registrationNo: this.trademarkNumber(), holder: holder(), inUse: true });
    }
    if (economics.idleTrademark) rows.push({ uscc, kind: 'trademark', registrationNo: this.trademarkNumber(), holder: holder(), inUse: false });
    if (economics.patent) rows.push({ uscc, kind: 'patent', registrationNo: this.patentNumber(), holder: holder(), inUse: chance(random, 0.7) });
    return rows;
  }

  private trademarkNumber(): string {
    this.trademarkSerial++;
    return String(20_000_000 + this.trademarkSerial * 7 + integerBelow(this.random, 7));
  }

  /** CNIPA application number: year, type, 7-digit serial, then the mod-11 check digit. */
  private patentNumber(): string {
    this.patentSerial++;
    const digits = `${integerBetween(this.random, 2012, this.asOfYear - 1)}${pick(this.random, ['2', '3'])}${String(this.patentSerial).padStart(7, '0')}`;
    let sum = 0;
    for (let i = 0; i < digits.length; i++) sum += Number(digits[i]) * ((i % 8) + 2);
    const check = sum % 11;
    return `ZL${digits}.${check === 10 ? 'X' : check}`;
  }

  private creditEvents(uscc: string, established: number, failure: ReturnType<typeof pickBaseFailure> | null): CreditEventRow[] {
    const { random } = this;
    const rows: CreditEventRow[] = [];
    const listedDay = (): number => established + integerBelow(random, this.asOfDay - established + 1);
    const add = (kind: CreditEventRow['kind'], listed: number, cleared: boolean, detail: string): void => {
      const listedOn = isoDateOfEpochDay(listed);
      if (rows.some((row) => row.kind === kind && row.listedOn === listedOn)) return;
      const clearedOn = cleared ? isoDateOfEpochDay(listed + integerBelow(random, this.asOfDay - listed + 1)) : null;
      rows.push({ uscc, kind, listedOn, clearedOn, detail });
    };
    if (failure === 'T-B3') add('abnormal_operation', listedDay(), false, pick(random, ABNORMAL_OPERATION_DETAILS));
    if (failure === 'T-B4') add('serious_dishonesty', listedDay(), false, pick(random, SERIOUS_DISHONESTY_DETAILS));
    // Listings since cleared (restored, credit repaired) count for nothing.
    if (chance(random, 0.03)) add('abnormal_operation', listedDay(), true, pick(random, ABNORMAL_OPERATION_DETAILS));
    if (chance(random, 0.002)) add('serious_dishonesty', listedDay(), true, pick(random, SERIOUS_DISHONESTY_DETAILS));
    if (chance(random, 0.015)) {
      const fine = integerBetween(random, 2, 100) * 100;
      // Some details carry an ASCII comma, which the file must quote.
      const detail = chance(random, 0.2) ? `罚款${fine}元, 没收违法所得` : `罚款${fine}元（${pick(random, PENALTY_REASONS)}）`;
      add('penalty_fine', listedDay(), chance(random, 0.3), detail);
    }
    return rows;
  }

  private dishonestDebtors(operatorId: string): DishonestDebtorRow[] {
    const { random } = this;
    if (!chance(random, 0.008)) return [];
    const listed = this.asOfDay - integerBelow(random, 8 * 365);
    const clearedOn = chance(random, 0.5) ? isoDateOfEpochDay(listed + integerBelow(random, this.asOfDay - listed + 1)) : null;
    return [{ operatorId, listedOn: isoDateOfEpochDay(listed), clearedOn }];
  }

  /** A day of `year` between its `from`-th and `to`-th day, never after the as-of date. */
  private dayIn(year: number, from: number, to: number): IsoDate {
    const first = epochDayOf(`${year}-01-01`);
    return isoDateOfEpochDay(Math.min(first + integerBetween(this.random, from - 1, to - 1), this.asOfDay));
  }
}

function cents(yuan: number): number {
  return Math.round(yuan * 100) / 100;
}

// ── Files ────────────────────────────────────────────────────────────────────────────────

const ROWS_OF: { [F in FeedName]: (household: GeneratedHousehold) => readonly FeedRows[F][] } = {
  registrations: (h) => [h.registration],
  annual_reports: (h) => h.annualReports,
  tax: (h) => h.tax,
  social_insurance: (h) => h.socialInsurance,
  ip_rights: (h) => h.ipRights,
  credit_events: (h) => h.creditEvents,
  dishonest_debtors: (h) => h.dishonestDebtors,
};

function csvLineWriter(feed: FeedName): (row: object) => string {
  const properties = FEEDS[feed].columns.map((column) => column.property);
  return (row) => {
    let line = '';
    for (let i = 0; i < properties.length; i++) {
      const value = (row as Record<string, unknown>)[properties[i] as string];
      if (i > 0) line += ',';
      if (value === null) continue;
      if (typeof value === 'number') line += Number.isInteger(value) ? String(value) : value.toFixed(2);
      else line += csvField(String(value));
    }
    return `${line}\n`;
  };
}

function csvField(value: string): string {
  return value.includes(',') || value.includes('"') || value.includes('\n') ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A broken row for the `n`-th bad row, for the import's error path: the feed it goes in and the raw line. */
function badRow(n: number, household: GeneratedHousehold, asOfYear: number): [FeedName, string] {
  const { registration: r } = household;
  const wrongCheck = r.uscc.slice(0, 17) + (r.uscc.endsWith('0') ? '1' : '0');
  const future = `${asOfYear + 50}-01-01`;
  const cases: [FeedName, string][] = [
    ['registrations', `${wrongCheck},${r.name},${r.operatorId},${r.operatorName},${r.districtCode},,${r.establishedOn},active,false,,\n`],
    ['registrations', `${wrongCheck.slice(0, 17)}X,${r.name},${r.operatorId},${r.operatorName},110101,,${r.establishedOn},active,false,,\n`],
    ['annual_reports', `${r.uscc},${asOfYear - 3},${asOfYear - 2}-03-01,-1200.00\n`],
    ['tax', `${r.uscc},${asOfYear - 3},${r.establishedOn},yes,0,0,false\n`],
    ['credit_events', `${r.uscc},abnormal_operation,${future},,未按规定报送年度报告\n`],
    ['social_insurance', `${r.uscc},${asOfYear - 3},-2\n`],
    ['ip_rights', `${r.uscc},copyright,BAD-${n},household,true\n`],
    ['dishonest_debtors', `${r.operatorId},${asOfYear - 1}-02-30,\n`],
    ['annual_reports', `"${r.uscc},${asOfYear - 4},${asOfYear - 3}-03-01,1000.00\n`],
  ];
  return cases[n % cases.length] as [FeedName, string];
}

export interface CitySummary {
  households: number;
  tiers: Record<Tier, number>;
  rows: Record<FeedName, number>;
  badRows: number;
  files: Record<FeedName, string>;
}

const FLUSH_CHARS = 1 << 20;

/** Writes the seven files into `out`; resolves when every byte is on disk. */
export async function writeCity(options: CityOptions & { out: string; onProgress?: (households: number) => void }): Promise<CitySummary> {
  mkdirSync(options.out, { recursive: true });
  const badRows = options.badRows ?? 0;
  const badEvery = badRows > 0 ? Math.max(1, Math.floor(options.households / badRows)) : 0;
  const files = Object.fromEntries(FEED_NAMES.map((feed) => [feed, join(options.out, FEEDS[feed].fileName)])) as Record<FeedName, string>;
  const outputs = FEED_NAMES.map((feed) => ({
    feed,
    stream: createWriteStream(files[feed]),
    line: csvLineWriter(feed),
    pending: `${FEEDS[feed].columns.map((c) => c.name).join(',')}\n`,
  }));
  const byFeed = Object.fromEntries(outputs.map((output) => [output.feed, output])) as Record<FeedName, (typeof outputs)[number]>;
  const summary: CitySummary = {
    households: 0,
    tiers: { unclassified: 0, survival: 0, growth: 0, development: 0 },
    rows: Object.fromEntries(FEED_NAMES.map((feed) => [feed, 0])) as Record<FeedName, number>,
    badRows: 0,
    files,
  };
  const asOfYear = yearOf(options.asOf);

  try {
    for (const household of generateHouseholds(options)) {
      summary.households++;
      summary.tiers[household.tier]++;
      for (const output of outputs) {
        for (const row of ROWS_OF[output.feed](household) as readonly object[]) {
          output.pending += output.line(row);
          summary.rows[output.feed]++;
        }
      }
      if (badEvery > 0 && summary.badRows < badRows && summary.households % badEvery === 0) {
        const [feed, line] = badRow(summary.badRows, household, asOfYear);
        byFeed[feed].pending += line;
        summary.badRows++;
      }
      if (summary.households % 1000 === 0) {
        for (const output of outputs) if (output.pending.length >= FLUSH_CHARS) await flush(output.stream, output);
        options.onProgress?.(summary.households);
      }
    }
    for (const output of outputs) await flush(output.stream, output);
    await Promise.all(outputs.map((output) => new Promise<void>((done, fail) => output.stream.end((error?: Error | null) => (error ? fail(error) : done())))));
  } finally {
    for (const output of outputs) if (!output.stream.closed) output.stream.destroy();
  }
  return summary;
}

async function flush(stream: WriteStream, output: { pending: string }): Promise<void> {
  if (output.pending.length === 0) return;
  const ok = stream.write(output.pending);
  output.pending = '';
  if (!ok) await once(stream, 'drain');
}

/** 1 August of the latest year in which it has passed: the usual as-of date of the yearly run (T-RUN). */
export function defaultAsOf(today: IsoDate): IsoDate {
  const year = yearOf(today);
  const thisYear = `${year}-08-01`;
  return thisYear <= today ? thisYear : `${year - 1}-08-01`;
}

async function main(): Promise<void> {
  const usage = 'usage: npm run generate -- --households N --out <dir> [--seed 1] [--as-of YYYY-MM-DD] [--bad-rows 0]';
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        households: { type: 'string' },
        seed: { type: 'string', default: '1' },
        out: { type: 'string' },
        'as-of': { type: 'string' },
        'bad-rows': { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const today = cstDateOf(Date.now());
  const households = Number(values.households);
  const seed = Number(values.seed);
  const badRows = Number(values['bad-rows']);
  const asOf = values['as-of'] ?? defaultAsOf(today);
  const problems = [
    !Number.isInteger(households) || households < 1 ? '--households must be a positive whole number' : null,
    !Number.isInteger(seed) ? '--seed must be a whole number' : null,
    !values.out ? '--out is required' : null,
    !isValidIsoDate(asOf) ? '--as-of must be a date YYYY-MM-DD' : asOf > today ? `--as-of ${asOf} is after today (${today}): the import would reject its dates as future` : null,
    !Number.isInteger(badRows) || badRows < 0 ? '--bad-rows must be a whole number ≥ 0' : null,
  ].filter((problem): problem is string => problem !== null);
  if (problems.length > 0) {
    console.error([...problems, usage].join('\n'));
    process.exit(2);
  }

  const out = resolve(values.out as string);
  const started = performance.now();
  const interactive = process.stderr.isTTY;
  let lastReport = started;
  const summary = await writeCity({
    households,
    seed,
    asOf,
    badRows,
    out,
    onProgress: (done) => {
      const now = performance.now();
      if (now - lastReport < (interactive ? 200 : 5000)) return;
      lastReport = now;
      const line = `${done.toLocaleString('en')} / ${households.toLocaleString('en')} households`;
      if (interactive) process.stderr.write(`\r${line}`);
      else console.error(line);
    },
  });
  if (interactive) process.stderr.write('\r\x1b[K');
  const seconds = (performance.now() - started) / 1000;
  const share = (n: number) => `${((100 * n) / summary.households).toFixed(1)}%`;
  console.log(`A synthetic Tianjin of ${summary.households.toLocaleString('en')} households as of ${asOf} (seed ${seed}) in ${out}, ${seconds.toFixed(1)} s`);
  console.log(
    `Tiers drawn: ${Object.entries(summary.tiers).map(([tier, n]) => `${tier} ${n.toLocaleString('en')} (${share(n)})`).join(', ')}`,
  );
  for (const feed of FEED_NAMES) console.log(`  ${FEEDS[feed].fileName.padEnd(22)} ${summary.rows[feed].toLocaleString('en').padStart(12)} rows`);
  if (summary.badRows > 0) console.log(`  plus ${summary.badRows} deliberately broken rows`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
