/**
 * Tiering 分型 (RULES.md part 1, annex 1 of 津市场监管政务〔2024〕9号) of one household on an
 * as-of date, with a trace that cites every clause it evaluated.
 *
 * Short-circuit rule: the six base clauses T-B1..T-B6 are always all evaluated, so that an
 * unclassified household learns every reason at once. The specific clauses (T-AGE, T-D1..D5,
 * T-G1..G3) are evaluated, all of them, exactly when the base standard passes: a household
 * outside the formal tiering sequence has no specific standard to explain, and one inside it
 * sees which conditions it meets even when T-AGE holds it back.
 *
 * Time: only facts dated on or before the as-of date count. A listing after it is ignored; a
 * clearance after it leaves the listing in force. Per-year rows (tax, social insurance) of a
 * year after the as-of year are ignored. Facts the feeds carry without a date (registration
 * status, IP rights) are taken as they stand.
 *
 * The run tiers every household of the city, so this avoids Date objects and regular
 * expressions: dates are compared as ISO strings.
 */
import { addYears, chineseDate, yearOf, type IsoDate } from './dates.js';
import { quotedTierName } from './tier-labels.js';

export const TIER_RULES_VERSION = '2024-9/v1';

/** The tiers from the lowest to the highest. */
export const TIERS = ['unclassified', 'survival', 'growth', 'development'] as const;
export type Tier = (typeof TIERS)[number];
export type RegistrationStatus = 'active' | 'revoked' | 'deregistered' | 'cancelled';

export interface AnnualReportFacts {
  /** The business year reported on (filed in the following year). */
  year: number;
  filedOn: IsoDate | null;
  revenue: number | null;
}

export interface TaxFacts {
  year: number;
  taxRegisteredOn: IsoDate | null;
  generalTaxpayer: boolean;
  vatPaid: number | null;
  iitPaid: number | null;
  abnormal: boolean;
}

export interface SocialInsuranceFacts {
  year: number;
  insuredCount: number;
}

export interface IpRightFacts {
  kind: 'trademark' | 'patent';
  registrationNo: string;
  holder: 'household' | 'operator';
  inUse: boolean;
}

export interface CreditEventFacts {
  kind: 'abnormal_operation' | 'serious_dishonesty' | 'penalty_fine';
  listedOn: IsoDate;
  clearedOn: IsoDate | null;
}

/** One household's facts, shaped after the source data contract's feeds. */
export interface HouseholdFacts {
  uscc: string;
  establishedOn: IsoDate;
  status: RegistrationStatus;
  seasonal: boolean;
  suspendedOn: IsoDate | null;
  annualReports: AnnualReportFacts[];
  tax: TaxFacts[];
  socialInsurance: SocialInsuranceFacts[];
  ipRights: IpRightFacts[];
  creditEvents: CreditEventFacts[];
}

/** Revenue thresholds of T-G1 (一定数额) and T-D1 (较高); the policy leaves both to each year's run. */
export interface TierThresholds {
  growthRevenueYuan: number;
  developmentRevenueYuan: number;
}

/** Defaults the system ships with, not policy: the text names no amount, each run sets its own. */
export const DEFAULT_TIER_THRESHOLDS: Readonly<TierThresholds> = {
  growthRevenueYuan: 100_000,
  developmentRevenueYuan: 1_000_000,
};

export interface ClauseResult {
  clause: string;
  passed: boolean;
  facts: Record<string, unknown>;
  /** A plain-language Chinese sentence, published with the result (T-PUB). */
  reason: string;
}

export interface TierDecision {
  tier: Tier;
  trace: ClauseResult[];
}

/** 《市场主体登记管理条例》第三十条: a business suspension lasts at most 3 years. */
const STATUTORY_MAX_SUSPENSION_YEARS = 3;
const MIN_AGE_YEARS = 2;
const DEVELOPMENT_MIN_INSURED = 4;
const GROWTH_MAX_INSURED = 3;

const INACTIVE_STATUS_ZH: Readonly<Record<Exclude<RegistrationStatus, 'active'>, string>> = {
  revoked: '吊销',
  deregistered: '注销',
  cancelled: '撤销',
};

/**
 * A clause's result whose sentence is worded when it is read: the yearly run stores outcomes and
 * facts and re-derives the sentences on lookup, so wording fifteen for each of a million
 * households would be work for nothing. Serialised (JSON) with its sentence.
 */
class WordedOnRead implements ClauseResult {
  constructor(
    readonly clause: string,
    readonly passed: boolean,
    readonly facts: Record<string, unknown>,
    private readonly word: () => string,
  ) {}

  get reason(): string {
    return this.word();
  }

  toJSON(): ClauseResult {
    return { clause: this.clause, passed: this.passed, facts: this.facts, reason: this.reason };
  }
}

function clause(id: string, passed: boolean, facts: Record<string, unknown>, reason: () => string): ClauseResult {
  return new WordedOnRead(id, passed, facts, reason);
}

export function decideTier(facts: HouseholdFacts, asOf: IsoDate, thresholds: TierThresholds): TierDecision {
  const asOfYear = yearOf(asOf);
  const lastYear = asOfYear - 1;
  const currentTax = latestTaxRowUpTo(facts.tax, asOfYear);
  const lastYearReport = filedReportFor(facts.annualReports, lastYear, asOf);

  const base = [
    registrationClause(facts, asOf),
    annualReportClause(facts, lastYearReport, asOfYear, lastYear, asOf),
    creditListingClause('T-B3', facts.creditEvents, 'abnormal_operation', asOf),
    creditListingClause('T-B4', facts.creditEvents, 'serious_dishonesty', asOf),
    taxAbnormalClause(currentTax),
    suspensionClause(facts, asOf),
  ];
  if (!base.every(isPassed)) return { tier: 'unclassified', trace: base };

  const age = ageClause(facts, currentTax, asOf);
  const revenue = lastYearReport?.revenue ?? null;
  const insuredCount = insuredCountFor(facts.socialInsurance, lastYear);
  const development = [
    revenueClause('T-D1', quotedTierName('development'), revenue, thresholds.developmentRevenueYuan, lastYear),
    generalTaxpayerClause(currentTax),
    developmentInsuredClause(insuredCount, lastYear),
    trademarkClause(facts.ipRights),
    patentClause(facts.ipRights),
  ];
  const growth = [
    revenueClause('T-G1', quotedTierName('growth'), revenue, thresholds.growthRevenueYuan, lastYear),
    taxPaidClause(facts.tax, lastYear),
    growthInsuredClause(insuredCount, lastYear),
  ];
  let tier: Tier = 'survival';
  if (age.passed && development.some(isPassed)) tier = 'development';
  else if (age.passed && growth.some(isPassed)) tier = 'growth';
  return { tier, trace: [...base, age, ...development, ...growth] };
}

/** The reasons that decided the tier, in trace order, for the public lookup (T-PUB). */
export function explainTier(decision: TierDecision): string[] {
  const { tier, trace } = decision;
  const age = trace.find((result) => result.clause === 'T-AGE');
  const reasonsWhere = (keep: (result: ClauseResult) => boolean): string[] =>
    trace.filter(keep).map((result) => result.reason);
  switch (tier) {
    case 'unclassified':
      return reasonsWhere((result) => !result.passed);
    case 'development':
      return reasonsWhere((result) => result === age || (result.passed && result.clause.startsWith('T-D')));
    case 'growth':
      return reasonsWhere((result) => result === age || (result.passed && result.clause.startsWith('T-G')));
    case 'survival':
      if (age !== undefined && !age.passed) return [age.reason];
      return reasonsWhere(
        (result) => !result.passed && (result.clause.startsWith('T-D') || result.clause.startsWith('T-G')),
      );
  }
}

function isPassed(result: ClauseResult): boolean {
  return result.passed;
}

/** The tax feed's current flags (abnormal, general taxpayer, registration) live on its latest row. */
function latestTaxRowUpTo(rows: readonly TaxFacts[], year: number): TaxFacts | null {
  let latest: TaxFacts | null = null;
  for (const row of rows) {
    if (row.year <= year && (latest === null || row.year > latest.year)) latest = row;
  }
  return latest;
}

type FiledAnnualReport = AnnualReportFacts & { filedOn: IsoDate };

function filedReportFor(reports: readonly AnnualReportFacts[], year: number, asOf: IsoDate): FiledAnnualReport | null {
  for (const report of reports) {
    if (report.year === year && report.filedOn !== null && report.filedOn <= asOf) return report as FiledAnnualReport;
  }
  return null;
}

function insuredCountFor(rows: readonly SocialInsuranceFacts[], year: number): number {
  for (const row of rows) {
    if (row.year === year) return row.insuredCount;
  }
  return 0;
}

function registrationClause(facts: HouseholdFacts, asOf: IsoDate): ClauseResult {
  const { status, establishedOn } = facts;
  const ruleFacts = { status, establishedOn };
  if (status !== 'active') {
    return clause('T-B1', false, ruleFacts, () => `登记状态为已${INACTIVE_STATUS_ZH[status]}，不属于登记在册的个体工商户。`);
  }
  if (establishedOn > asOf) {
    return clause('T-B1', false, ruleFacts, () => `成立于${chineseDate(establishedOn)}，判定日${chineseDate(asOf)}时尚未登记成立。`);
  }
  return clause('T-B1', true, ruleFacts, () => '登记状态为在册（未吊销、注销或撤销）。');
}

function annualReportClause(
  facts: HouseholdFacts,
  report: FiledAnnualReport | null,
  asOfYear: number,
  lastYear: number,
  asOf: IsoDate,
): ClauseResult {
  if (yearOf(facts.establishedOn) === asOfYear) {
    return clause(
      'T-B2',
      true,
      { reportYear: lastYear, establishedOn: facts.establishedOn, newlyEstablished: true },
      () => `${asOfYear}年新成立，自动符合年度报告条件。`,
    );
  }
  if (report === null) {
    const filedOn = facts.annualReports.find((candidate) => candidate.year === lastYear)?.filedOn ?? null;
    return clause(
      'T-B2',
      false,
      { reportYear: lastYear, filedOn },
      () => `截至${chineseDate(asOf)}未报送${lastYear}年度年度报告。`,
    );
  }
  return clause(
    'T-B2',
    true,
    { reportYear: lastYear, filedOn: report.filedOn },
    () => `已于${chineseDate(report.filedOn)}报送${lastYear}年度年度报告。`,
  );
}

const CREDIT_LIST_WORDING = {
  abnormal_operation: { list: '经营异常名录', cleared: '恢复正常记载状态' },
  serious_dishonesty: { list: '严重违法失信名单', cleared: '完成信用修复' },
} as const;

function creditListingClause(
  id: string,
  events: readonly CreditEventFacts[],
  kind: keyof typeof CREDIT_LIST_WORDING,
  asOf: IsoDate,
): ClauseResult {
  const wording = CREDIT_LIST_WORDING[kind];
  let latestClearance: { listedOn: IsoDate; clearedOn: IsoDate } | null = null;
  for (const { kind: eventKind, listedOn, clearedOn } of events) {
    if (eventKind !== kind || listedOn > asOf) continue;
    if (clearedOn === null || clearedOn > asOf) {
      return clause(
        id,
        false,
        { kind, listedOn, clearedOn },
        () => `自${chineseDate(listedOn)}起被列入${wording.list}，截至${chineseDate(asOf)}尚未${wording.cleared}。`,
      );
    }
    if (latestClearance === null || clearedOn > latestClearance.clearedOn) latestClearance = { listedOn, clearedOn };
  }
  if (latestClearance !== null) {
    return clause(
      id,
      true,
      { kind, ...latestClearance },
      () => `曾被列入${wording.list}，已于${chineseDate(latestClearance.clearedOn)}${wording.cleared}。`,
    );
  }
  return clause(id, true, { kind }, () => `未被列入${wording.list}。`);
}

function taxAbnormalClause(currentTax: TaxFacts | null): ClauseResult {
  const ruleFacts = { taxYear: currentTax?.year ?? null, abnormal: currentTax?.abnormal ?? false };
  if (currentTax?.abnormal === true) {
    return clause('T-B5', false, ruleFacts, () => '被税务部门列为“非正常户”，尚未解除。');
  }
  return clause('T-B5', true, ruleFacts, () => '不属于税务“非正常户”。');
}

function suspensionClause(facts: HouseholdFacts, asOf: IsoDate): ClauseResult {
  const { suspendedOn, seasonal } = facts;
  if (suspendedOn === null || suspendedOn > asOf) {
    return clause('T-B6', true, { suspendedOn: null, seasonal }, () => '未办理歇业备案。');
  }
  const ruleFacts = { suspendedOn, seasonal };
  // A suspension filed exactly 3 years before the as-of date has used up its statutory
  // maximum on that date: it no longer counts as "within" the period, so it passes.
  if (suspendedOn <= addYears(asOf, -STATUTORY_MAX_SUSPENSION_YEARS)) {
    return clause('T-B6', true, ruleFacts, () => `于${chineseDate(suspendedOn)}办理歇业备案，法定最长歇业期（3年）已届满。`);
  }
  if (seasonal) {
    return clause('T-B6', true, ruleFacts, () => `于${chineseDate(suspendedOn)}办理歇业备案，属于季节性经营，不受歇业限制。`);
  }
  return clause('T-B6', false, ruleFacts, () => `于${chineseDate(suspendedOn)}办理歇业备案，尚在法定最长歇业期（3年）内。`);
}

function ageClause(facts: HouseholdFacts, currentTax: TaxFacts | null, asOf: IsoDate): ClauseResult {
  const cutoff = addYears(asOf, -MIN_AGE_YEARS);
  const { establishedOn } = facts;
  const taxRegisteredOn = currentTax?.taxRegisteredOn ?? null;
  const establishedLongEnough = establishedOn <= cutoff;
  const taxedLongEnough = taxRegisteredOn !== null && taxRegisteredOn <= cutoff;
  const ruleFacts = { establishedOn, taxRegisteredOn, requiredOnOrBefore: cutoff };
  return clause('T-AGE', establishedLongEnough && taxedLongEnough, ruleFacts, () => {
    const establishedPart = `成立于${chineseDate(establishedOn)}，${establishedLongEnough ? '已满' : '不满'}2年`;
    const taxPart =
      taxRegisteredOn === null
        ? '尚未纳入税务管理'
        : `于${chineseDate(taxRegisteredOn)}纳入税务管理，${taxedLongEnough ? '已满' : '不满'}2年`;
    return `${establishedPart}；${taxPart}。`;
  });
}

function revenueClause(
  id: string,
  tierZh: string,
  revenue: number | null,
  thresholdYuan: number,
  lastYear: number,
): ClauseResult {
  const ruleFacts = { reportYear: lastYear, revenue, thresholdYuan };
  if (revenue === null) {
    return clause(id, false, ruleFacts, () => `没有${lastYear}年度年报填报的销售额（营业收入）。`);
  }
  const passed = revenue >= thresholdYuan;
  return clause(
    id,
    passed,
    ruleFacts,
    () => `${lastYear}年度年报填报销售额（营业收入）${revenue}元，${passed ? '达到' : '低于'}${tierZh}标准${thresholdYuan}元。`,
  );
}

function generalTaxpayerClause(currentTax: TaxFacts | null): ClauseResult {
  const generalTaxpayer = currentTax?.generalTaxpayer ?? false;
  return clause(
    'T-D2',
    generalTaxpayer,
    { taxYear: currentTax?.year ?? null, generalTaxpayer },
    () => (generalTaxpayer ? '税务部门登记为一般纳税人。' : '未被税务部门登记为一般纳税人。'),
  );
}

function developmentInsuredClause(insuredCount: number, lastYear: number): ClauseResult {
  const passed = insuredCount >= DEVELOPMENT_MIN_INSURED;
  return clause(
    'T-D3',
    passed,
    { year: lastYear, insuredCount },
    () => `${lastYear}年以单位形式为${insuredCount}人（含经营者）缴纳社保，${passed ? '达到' : '未达到'}${quotedTierName('development')}标准（4人及以上）。`,
  );
}

function growthInsuredClause(insuredCount: number, lastYear: number): ClauseResult {
  const passed = insuredCount >= 1 && insuredCount <= GROWTH_MAX_INSURED;
  return clause('T-G3', passed, { year: lastYear, insuredCount }, () => {
    if (insuredCount === 0) return `${lastYear}年未以单位形式缴纳社保。`;
    if (!passed) return `${lastYear}年以单位形式为${insuredCount}人（含经营者）缴纳社保，超出${quotedTierName('growth')}标准（1至3人）。`;
    return `${lastYear}年以单位形式为${insuredCount}人（含经营者）缴纳社保，符合${quotedTierName('growth')}标准（1至3人）。`;
  });
}

// T-D4 and T-D5 accept the household or its operator as holder, so `holder` never disqualifies.
function trademarkClause(ipRights: readonly IpRightFacts[]): ClauseResult {
  const inUse = ipRights
    .filter((right) => right.kind === 'trademark' && right.inUse)
    .map((right) => right.registrationNo);
  return clause(
    'T-D4',
    inUse.length > 0,
    { trademarksInUse: inUse },
    () => (inUse.length > 0 ? `拥有${inUse.length}件在经营中实际使用的商标。` : '没有在经营中实际使用的商标。'),
  );
}

function patentClause(ipRights: readonly IpRightFacts[]): ClauseResult {
  const patents = ipRights.filter((right) => right.kind === 'patent').map((right) => right.registrationNo);
  return clause(
    'T-D5',
    patents.length > 0,
    { patents },
    () => (patents.length > 0 ? `拥有${patents.length}件专利。` : '没有以本户或经营者为专利权人的专利。'),
  );
}

function taxPaidClause(taxRows: readonly TaxFacts[], lastYear: number): ClauseResult {
  const row = taxRows.find((candidate) => candidate.year === lastYear);
  const vatPaid = row?.vatPaid ?? null;
  const iitPaid = row?.iitPaid ?? null;
  const passed = (vatPaid ?? 0) > 0 || (iitPaid ?? 0) > 0;
  return clause(
    'T-G2',
    passed,
    { year: lastYear, vatPaid, iitPaid },
    () =>
      passed
        ? `${lastYear}年实际缴纳增值税${vatPaid ?? 0}元、个人所得税${iitPaid ?? 0}元。`
        : `${lastYear}年未实际缴纳增值税或个人所得税。`,
  );
}
