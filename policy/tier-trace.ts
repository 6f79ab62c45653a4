/**
 * The trace stored with every tiering decision (a run's in tiering_results, which the current tier
 * and the history point at; on-demand and objection decisions' in household_tiers and tier_history):
 * which clauses held, on which facts, with which thresholds. The plain-language reasons are not
 * stored — a million households would carry a million copies of the same sentences — but
 * re-derived on read with `decideTier(facts, asOf, thresholds)` and `explainTier`, under the same
 * rule version, which the run or the household's tier records alongside.
 *
 * The yearly run writes its million traces compactly (`compactTraceJson`): the facts and the
 * thresholds as positional arrays instead of objects whose keys repeat in every row, which halves
 * what the run serialises, sends and stores. `expandTrace` gives back the full form on read; a
 * trace stored in the full form (on-demand, objections, runs before the compact form) passes as it is.
 */
import type {
  AnnualReportFacts,
  CreditEventFacts,
  HouseholdFacts,
  IpRightFacts,
  RegistrationStatus,
  SocialInsuranceFacts,
  TaxFacts,
  TierDecision,
  TierThresholds,
} from './tiering.js';

export interface StoredTierTrace {
  /** Every clause evaluated, in order, `+` held or `-` failed: "T-B1+ T-B2- …". Also the export's `clauses`. */
  outcomes: string;
  facts: HouseholdFacts;
  thresholds: TierThresholds;
}

/**
 * The compact form: `outcomes` as in the full form; `facts` as
 * [uscc, establishedOn, status, seasonal, suspendedOn, annualReports, tax, socialInsurance, ipRights, creditEvents],
 * each list of rows as arrays in the order of the fields of their interfaces; `thresholds` as
 * [growthRevenueYuan, developmentRevenueYuan].
 */
export interface CompactTierTrace {
  outcomes: string;
  facts: CompactFacts;
  thresholds: [growthRevenueYuan: number, developmentRevenueYuan: number];
}

type CompactFacts = [
  uscc: string,
  establishedOn: string,
  status: RegistrationStatus,
  seasonal: boolean,
  suspendedOn: string | null,
  annualReports: Array<[year: number, filedOn: string | null, revenue: number | null]>,
  tax: Array<[year: number, taxRegisteredOn: string | null, generalTaxpayer: boolean, vatPaid: number | null, iitPaid: number | null, abnormal: boolean]>,
  socialInsurance: Array<[year: number, insuredCount: number]>,
  ipRights: Array<[kind: IpRightFacts['kind'], registrationNo: string, holder: IpRightFacts['holder'], inUse: boolean]>,
  creditEvents: Array<[kind: CreditEventFacts['kind'], listedOn: string, clearedOn: string | null]>,
];

export function outcomesOf(decision: TierDecision): string {
  let outcomes = '';
  for (const result of decision.trace) {
    if (outcomes !== '') outcomes += ' ';
    outcomes += result.passed ? `${result.clause}+` : `${result.clause}-`;
  }
  return outcomes;
}

export function storedTrace(decision: TierDecision, facts: HouseholdFacts, thresholds: TierThresholds): StoredTierTrace {
  return { outcomes: outcomesOf(decision), facts, thresholds };
}

/** The compact thresholds' JSON, which a run writes into each of its traces. */
export function compactThresholdsJson(thresholds: TierThresholds): string {
  return JSON.stringify([thresholds.growthRevenueYuan, thresholds.developmentRevenueYuan]);
}

/**
 * The JSON text of a CompactTierTrace, written out directly rather than through objects built to
 * be stringified: the run writes one per household. Dates and the feeds' codes (status, kinds,
 * holders) are ISO dates and fixed words, written as they are; the one free text, an IP right's
 * registration number, is escaped.
 */
export function compactTraceJson(decision: TierDecision, facts: HouseholdFacts, thresholdsJson: string): string {
  let json = `{"outcomes":"${outcomesOf(decision)}","facts":[${JSON.stringify(facts.uscc)},"${facts.establishedOn}","${facts.status}",${facts.seasonal},${word(facts.suspendedOn)},[`;
  const { annualReports, tax, socialInsurance, ipRights, creditEvents } = facts;
  for (let i = 0; i < annualReports.length; i++) {
    const report = annualReports[i]!;
    json += `${i === 0 ? '' : ','}[${report.year},${word(report.filedOn)},${report.revenue}]`;
  }
  json += '],[';
  for (let i = 0; i < tax.length; i++) {
    const row = tax[i]!;
    json += `${i === 0 ? '' : ','}[${row.year},${word(row.taxRegisteredOn)},${row.generalTaxpayer},${row.vatPaid},${row.iitPaid},${row.abnormal}]`;
  }
  json += '],[';
  for (let i = 0; i < socialInsurance.length; i++) {
    const row = socialInsurance[i]!;
    json += `${i === 0 ? '' : ','}[${row.year},${row.insuredCount}]`;
  }
  json += '],[';
  for (let i = 0; i < ipRights.length; i++) {
    const right = ipRights[i]!;
    json += `${i === 0 ? '' : ','}["${right.kind}",${JSON.stringify(right.registrationNo)},"${right.holder}",${right.inUse}]`;
  }
  json += '],[';
  for (let i = 0; i < creditEvents.length; i++) {
    const event = creditEvents[i]!;
    json += `${i === 0 ? '' : ','}["${event.kind}","${event.listedOn}",${word(event.clearedOn)}]`;
  }
  return `${json}]],"thresholds":${thresholdsJson}}`;
}

/** A stored trace in its full form, whichever form it was stored in. */
export function expandTrace(stored: StoredTierTrace | CompactTierTrace): StoredTierTrace {
  if (!Array.isArray(stored.facts)) return stored as StoredTierTrace;
  const { outcomes, facts, thresholds } = stored as CompactTierTrace;
  const [uscc, establishedOn, status, seasonal, suspendedOn, annualReports, tax, socialInsurance, ipRights, creditEvents] = facts;
  const [growthRevenueYuan, developmentRevenueYuan] = thresholds;
  return {
    outcomes,
    facts: {
      uscc,
      establishedOn,
      status,
      seasonal,
      suspendedOn,
      annualReports: annualReports.map(([year, filedOn, revenue]): AnnualReportFacts => ({ year, filedOn, revenue })),
      tax: tax.map(
        ([year, taxRegisteredOn, generalTaxpayer, vatPaid, iitPaid, abnormal]): TaxFacts => ({
          year,
          taxRegisteredOn,
          generalTaxpayer,
          vatPaid,
          iitPaid,
          abnormal,
        }),
      ),
      socialInsurance: socialInsurance.map(([year, insuredCount]): SocialInsuranceFacts => ({ year, insuredCount })),
      ipRights: ipRights.map(([kind, registrationNo, holder, inUse]): IpRightFacts => ({ kind, registrationNo, holder, inUse })),
      creditEvents: creditEvents.map(([kind, listedOn, clearedOn]): CreditEventFacts => ({ kind, listedOn, clearedOn })),
    },
    thresholds: { growthRevenueYuan, developmentRevenueYuan },
  };
}

/** A date or a code, which holds no character JSON escapes, or null. */
function word(value: string | null): string {
  return value === null ? 'null' : `"${value}"`;
}
