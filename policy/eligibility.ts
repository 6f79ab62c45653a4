/**
 * Eligibility of a 名特优新 application or recommendation (RULES.md part 2, annex 2 §二(一),
 * §三, §四(一), §五) as pure rules over plain data: who may be put forward, on the application
 * date, and whether the year's window is open.
 *
 * Every clause is always evaluated, so that an applicant refused for one reason learns every
 * other reason at once. Results come in a fixed order — the window first, then the household,
 * its record, and what it and its operator already hold — and the first failed one is the
 * clause an API error names.
 *
 * Dates are CST calendar dates compared as ISO strings. Only what was known on the application
 * date counts: a fine decided or a listing made after it is ignored; a repair, clearance or
 * ban end falling on the application date itself counts as done on that day.
 */
import { CASE_STATUS_LABELS } from './case-status-labels.js';
import { addYears, chineseDate, type IsoDate } from './dates.js';
import { quotedTierName } from './tier-labels.js';
import type { RegistrationStatus, Tier } from './tiering.js';

export type ApplicationRoute = 'self' | 'department';

/** Operators for whom the source may be relaxed to survival households (annex 2 §二(一)). */
export const SPECIAL_GROUPS = ['veteran', 'graduate', 'disabled', 'returning_migrant'] as const;
export type SpecialGroup = (typeof SPECIAL_GROUPS)[number];

/** A month and day, 'MM-DD', of any year. */
export type MonthDay = string;

export interface EligibilitySettings {
  /**
   * The last day (CST) of the year on which applications are taken (C-CYCLE), so that review,
   * on-site verification, opinions and publicity can finish by `recognitionsDoneBy`. The
   * default, 15 October, leaves 32 working days to 30 November (2025 and 2026 calendars):
   * enough at a usual pace, not for every step's full allowance under the default case
   * settings (20 + 10 + 10 + 5 = 45 working days, which would need 21 September).
   */
  applicationsCloseOn: MonthDay;
  /**
   * The day by which the year's recognitions are done (C-CYCLE: 11月底前). No application is
   * taken after it, whatever `applicationsCloseOn` says. Policy, not configuration: only a
   * year-round window moves it.
   */
  recognitionsDoneBy: MonthDay;
  /**
   * Applications taken on every day of the year once the year's tiering is in force: for a demo
   * or training system and for tests that must run on any date, never for production. The
   * C-CYCLE result says so, so that no record made under it passes for one made under policy.
   */
  yearRound: boolean;
}

export const DEFAULT_ELIGIBILITY_SETTINGS: Readonly<EligibilitySettings> = {
  applicationsCloseOn: '10-15',
  recognitionsDoneBy: '11-30',
  yearRound: false,
};

export const YEAR_ROUND_ELIGIBILITY_SETTINGS: Readonly<EligibilitySettings> = {
  applicationsCloseOn: '12-31',
  recognitionsDoneBy: '12-31',
  yearRound: true,
};

/** A dated listing: a fine (decision date, credit-repair date) or a courts' listing (listed, cleared). */
export interface Listing {
  listedOn: IsoDate;
  clearedOn: IsoDate | null;
}

export interface RecognitionBan {
  caseId: string;
  revokedOn: IsoDate;
  /** The first day the household may apply again. */
  bannedUntil: IsoDate;
}

/** A recognition in the registry with status 'recognised'. */
export interface HeldRecognition {
  caseId: string;
  category: string;
  recognisedOn: IsoDate;
  validUntil: IsoDate;
  /** tianjin, or beijing/hebei for a mutual recognition (C-XREGION). */
  origin: string;
}

/** A case that is not closed (policy/recognition-case.ts `isClosed`). */
export interface OpenCase {
  caseId: string;
  year: number;
  status: string;
  route: string;
}

/** Another household of the same operator in the same district (C-ONE-PERSON). */
export interface SiblingHousehold {
  uscc: string;
  name: string;
  recognition: HeldRecognition | null;
  openCases: OpenCase[];
}

export interface EligibilityFacts {
  uscc: string;
  route: ApplicationRoute;
  /** The CST date of the application or recommendation. */
  applicationDate: IsoDate;
  /** As the registry (registrations feed) holds it now. */
  household: {
    name: string;
    status: RegistrationStatus;
    districtCode: string;
    operatorId: string;
    specialGroup: SpecialGroup | null;
  };
  /** The tier that counts now for the household (household_tiers), or null when never tiered. */
  tier: { tier: Tier; year: number } | null;
  /** The household's penalty_fine credit events: listedOn = decision date, clearedOn = credit repair date. */
  penaltyFines: Listing[];
  /** The operator's listings as a dishonest judgment debtor 失信被执行人. */
  dishonestListings: Listing[];
  /** Revocations for fraud (C-REVOKE) of the household. */
  bans: RecognitionBan[];
  /** The household's valid recognition, if it holds one. */
  recognition: HeldRecognition | null;
  /** The household's other cases still open; the case this application would open is not one of them. */
  openCases: OpenCase[];
  /**
   * The household's case of the year applied for, whatever its status: the case ID admits one
   * case per household and year, so even a closed one leaves no room for another (C-ONE-TYPE).
   * Absent from facts read before it was.
   */
  yearCase?: { caseId: string; status: string } | null;
  /** Households of the same operator in the same district that hold a recognition or have an open case. */
  sameOperatorHouseholds: SiblingHousehold[];
  /** The year applied for and its tiering run in force, whose completion opens the window. */
  window: { year: number; tieringRun: { runId: number; version: number; inForceSince: IsoDate } | null };
}

export interface EligibilityResult {
  clause: string;
  passed: boolean;
  /** A plain-language Chinese sentence naming the data, shown to the applicant. */
  reason: string;
  facts: Record<string, unknown>;
}

export interface EligibilityVerdict {
  eligible: boolean;
  results: EligibilityResult[];
}

/** C-EX1: "申报或推荐之日前2年内". */
const PENALTY_LOOKBACK_YEARS = 2;

const SOURCE_TIERS: readonly Tier[] = ['growth', 'development'];

const SPECIAL_GROUP_ZH: Readonly<Record<SpecialGroup, string>> = {
  veteran: '退役军人',
  graduate: '高校毕业生',
  disabled: '残疾人',
  returning_migrant: '返乡创业农民工',
};

const INACTIVE_STATUS_ZH: Readonly<Record<Exclude<RegistrationStatus, 'active'>, string>> = {
  revoked: '吊销',
  deregistered: '注销',
  cancelled: '撤销',
};

const CATEGORY_ZH: Readonly<Record<string, string>> = {
  renowned: '知名',
  distinctive: '特色',
  quality: '优质',
  emerging: '新兴',
};

export function isSpecialGroup(value: unknown): value is SpecialGroup {
  return typeof value === 'string' && (SPECIAL_GROUPS as readonly string[]).includes(value);
}

/** A valid 'MM-DD' in every year; 29 February is refused, as it does not occur every year. */
export function isMonthDay(value: string): boolean {
  if (!/^\d\d-\d\d$/.test(value)) return false;
  const month = Number(value.slice(0, 2));
  const day = Number(value.slice(3, 5));
  const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth[month - 1]!;
}

/** The window of `year` (C-CYCLE): from the day its tiering run is in force to the earlier closing day. */
export function applicationWindow(
  year: number,
  inForceSince: IsoDate,
  settings: EligibilitySettings,
): { opensOn: IsoDate; closesOn: IsoDate } {
  const closesOn = `${year}-${settings.applicationsCloseOn}`;
  const doneBy = `${year}-${settings.recognitionsDoneBy}`;
  return { opensOn: inForceSince, closesOn: closesOn < doneBy ? closesOn : doneBy };
}

export function checkEligibility(facts: EligibilityFacts, settings: EligibilitySettings): EligibilityVerdict {
  const results = [
    cycleClause(facts, settings),
    registrationClause(facts),
    sourceClause(facts),
    penaltyClause(facts),
    dishonestDebtorClause(facts),
    banClause(facts),
    oneTypeClause(facts),
    onePersonClause(facts),
  ];
  return { eligible: results.every((result) => result.passed), results };
}

function result(clause: string, passed: boolean, facts: Record<string, unknown>, reason: string): EligibilityResult {
  return { clause, passed, facts, reason };
}

function categoryZh(category: string): string {
  return CATEGORY_ZH[category] ?? category;
}

/** In force on `date`: listed on or before it, and not cleared on or before it. */
function inForceOn(listing: Listing, date: IsoDate): boolean {
  return listing.listedOn <= date && (listing.clearedOn === null || listing.clearedOn > date);
}

function cycleClause(facts: EligibilityFacts, settings: EligibilitySettings): EligibilityResult {
  const { applicationDate } = facts;
  const { year, tieringRun } = facts.window;
  if (tieringRun === null) {
    return result(
      'C-CYCLE',
      false,
      { applicationDate, year, tieringRun: null },
      `${year}年度的分型判定结果尚未生效，“名特优新”申报在分型判定结束后才开放。`,
    );
  }
  const { opensOn, closesOn } = applicationWindow(year, tieringRun.inForceSince, settings);
  const ruleFacts = {
    applicationDate,
    year,
    tieringRunId: tieringRun.runId,
    tieringRunVersion: tieringRun.version,
    opensOn,
    closesOn,
    ...(settings.yearRound ? { yearRound: true } : {}),
  };
  if (applicationDate < opensOn) {
    return result(
      'C-CYCLE',
      false,
      ruleFacts,
      `${year}年度申报自${chineseDate(opensOn)}（分型判定结果生效之日）起开放，申报日${chineseDate(applicationDate)}尚未开放。`,
    );
  }
  if (applicationDate > closesOn) {
    return result(
      'C-CYCLE',
      false,
      ruleFacts,
      `${year}年度申报已于${chineseDate(closesOn)}截止（认定须于${chineseDate(`${year}-${settings.recognitionsDoneBy}`)}前完成），申报日为${chineseDate(applicationDate)}。`,
    );
  }
  return result(
    'C-CYCLE',
    true,
    ruleFacts,
    settings.yearRound
      ? `申报日${chineseDate(applicationDate)}在${year}年度分型判定结果生效（${chineseDate(opensOn)}）之后；本系统为演示或培训环境，全年受理，不适用11月底前完成认定的期限。`
      : `申报日${chineseDate(applicationDate)}在${year}年度申报期（${chineseDate(opensOn)}至${chineseDate(closesOn)}）内。`,
  );
}

function registrationClause(facts: EligibilityFacts): EligibilityResult {
  const { status } = facts.household;
  if (status !== 'active') {
    return result('T-B1', false, { status }, `登记状态为已${INACTIVE_STATUS_ZH[status]}，不能申报或被推荐。`);
  }
  return result('T-B1', true, { status }, '登记状态为在册（未吊销、注销或撤销）。');
}

function sourceClause(facts: EligibilityFacts): EligibilityResult {
  const { route, tier } = facts;
  const { specialGroup } = facts.household;
  if (tier === null) {
    return result(
      'C-SRC',
      false,
      { route, tier: null, tierYear: null, specialGroup },
      '尚无分型结果：“名特优新”认定基于分型结果，须先完成分型判定。',
    );
  }
  const ruleFacts = { route, tier: tier.tier, tierYear: tier.year, specialGroup };
  const tierText = `${tier.year}年度分型结果为${quotedTierName(tier.tier)}`;
  if (SOURCE_TIERS.includes(tier.tier)) {
    return result('C-SRC', true, ruleFacts, `${tierText}，属于认定来源。`);
  }
  if (tier.tier === 'unclassified') {
    // Unclassified fails the tiering base standard, which a recognised household must keep
    // meeting (C-ANNUAL): no route and no group relaxes that.
    return result('C-SRC', false, ruleFacts, `${tierText}（不符合分型基础标准），不能申报或被推荐。`);
  }
  if (route === 'department') {
    return result('C-SRC', true, ruleFacts, `${tierText}；部门推荐认定不受“成长型”“发展型”来源限制。`);
  }
  if (specialGroup !== null) {
    return result(
      'C-SRC',
      true,
      ruleFacts,
      `${tierText}；经营者为${SPECIAL_GROUP_ZH[specialGroup]}，分类来源可放宽至“生存型”。`,
    );
  }
  return result(
    'C-SRC',
    false,
    ruleFacts,
    `${tierText}：自主申报原则上从“成长型”“发展型”个体工商户中认定（退役军人、高校毕业生、残疾人、返乡创业农民工经营的可放宽）。`,
  );
}

function penaltyClause(facts: EligibilityFacts): EligibilityResult {
  const { applicationDate } = facts;
  const from = addYears(applicationDate, -PENALTY_LOOKBACK_YEARS);
  const decidedInLookback = facts.penaltyFines.filter((fine) => fine.listedOn >= from && fine.listedOn <= applicationDate);
  const unrepaired = decidedInLookback.filter((fine) => inForceOn(fine, applicationDate));
  const ruleFacts = { from, to: applicationDate, fines: decidedInLookback };
  if (unrepaired.length > 0) {
    const decided = unrepaired.map((fine) => chineseDate(fine.listedOn)).join('、');
    return result(
      'C-EX1',
      false,
      ruleFacts,
      `申报日前2年内（${chineseDate(from)}起）于${decided}受到罚款及以上行政处罚，截至${chineseDate(applicationDate)}尚未完成信用修复。`,
    );
  }
  if (decidedInLookback.length > 0) {
    return result(
      'C-EX1',
      true,
      ruleFacts,
      `申报日前2年内（${chineseDate(from)}起）受到的罚款及以上行政处罚均已在申报日前完成信用修复。`,
    );
  }
  return result('C-EX1', true, ruleFacts, `申报日前2年内（${chineseDate(from)}起）无罚款及以上行政处罚。`);
}

function dishonestDebtorClause(facts: EligibilityFacts): EligibilityResult {
  const { applicationDate } = facts;
  const { operatorId } = facts.household;
  const listed = facts.dishonestListings.filter((listing) => inForceOn(listing, applicationDate));
  if (listed.length > 0) {
    const since = listed.map((listing) => chineseDate(listing.listedOn)).join('、');
    return result(
      'C-EX2',
      false,
      { operatorId, listings: listed },
      `经营者自${since}起被人民法院列为失信被执行人，申报日${chineseDate(applicationDate)}尚未移出。`,
    );
  }
  return result('C-EX2', true, { operatorId, listings: [] }, `申报日${chineseDate(applicationDate)}经营者未被列为失信被执行人。`);
}

function banClause(facts: EligibilityFacts): EligibilityResult {
  const { applicationDate } = facts;
  const inForce = facts.bans.filter((ban) => ban.bannedUntil > applicationDate);
  if (inForce.length > 0) {
    const latest = inForce.reduce((a, b) => (b.bannedUntil > a.bannedUntil ? b : a));
    return result(
      'C-BAN',
      false,
      { bans: inForce },
      `${chineseDate(latest.revokedOn)}因以欺诈、贿赂等手段取得认定被撤销认定（案件编号 ${latest.caseId}），自${chineseDate(latest.bannedUntil)}起方可再次申报。`,
    );
  }
  return result('C-BAN', true, { bans: [] }, '近5年内未因弄虚作假被撤销认定。');
}

function oneTypeClause(facts: EligibilityFacts): EligibilityResult {
  const { recognition, openCases } = facts;
  const yearCase = facts.yearCase ?? null;
  const ruleFacts = { recognition, openCases, ...(yearCase ? { yearCase } : {}) };
  const reasons: string[] = [];
  // A case recognised this year is said once, as the recognition.
  if (yearCase !== null && yearCase.caseId !== recognition?.caseId) {
    reasons.push(`${facts.window.year}年度已有认定案件（案件编号 ${yearCase.caseId}，${CASE_STATUS_LABELS[yearCase.status] ?? yearCase.status}），每户每年只受理一件`);
  }
  if (recognition !== null) {
    // Validity is extended by the recognising office's evaluation in the last year (C-EVAL),
    // never by a new application: the household applies again only once the recognition ends.
    reasons.push(
      `已于${chineseDate(recognition.recognisedOn)}被认定为“${categoryZh(recognition.category)}”类（案件编号 ${recognition.caseId}，有效期至${chineseDate(recognition.validUntil)}），有效期内不再申报，期满前由认定部门评估是否延期`,
    );
  }
  for (const open of openCases) {
    reasons.push(`已有进行中的认定案件（案件编号 ${open.caseId}，${CASE_STATUS_LABELS[open.status] ?? open.status}）`);
  }
  if (reasons.length > 0) {
    return result('C-ONE-TYPE', false, ruleFacts, `${reasons.join('；')}：同一个体工商户只能认定为一个类型。`);
  }
  return result('C-ONE-TYPE', true, ruleFacts, '未持有有效认定，也没有进行中的认定案件。');
}

function onePersonClause(facts: EligibilityFacts): EligibilityResult {
  const { operatorId, districtCode } = facts.household;
  const holding = facts.sameOperatorHouseholds.filter(
    (sibling) => sibling.uscc !== facts.uscc && (sibling.recognition !== null || sibling.openCases.length > 0),
  );
  const ruleFacts = { operatorId, districtCode, households: holding };
  if (holding.length > 0) {
    const reasons = holding.map((sibling) => {
      const what: string[] = [];
      if (sibling.recognition !== null) {
        what.push(`已被认定为“${categoryZh(sibling.recognition.category)}”类（有效期至${chineseDate(sibling.recognition.validUntil)}）`);
      }
      for (const open of sibling.openCases) what.push(`有进行中的认定案件（案件编号 ${open.caseId}）`);
      return `${sibling.name}（${sibling.uscc}）${what.join('，')}`;
    });
    return result(
      'C-ONE-PERSON',
      false,
      ruleFacts,
      `同一经营者在本区设立的${reasons.join('；')}：同一自然人在同一区内最多只能有一个个体工商户获得认定。`,
    );
  }
  return result('C-ONE-PERSON', true, ruleFacts, '同一经营者在本区没有其他已认定或正在申报的个体工商户。');
}
