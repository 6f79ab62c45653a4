import { describe, expect, it } from 'vitest';
import {
  addTally,
  replacesCurrentTier,
  validateRunRequest,
  validateThresholds,
  whyCurrentTierStands,
  type ChunkTally,
} from '../../policy/tiering-run.js';
import { PRECEDENCE_TABLE, standing } from '../support/tier-precedence.js';

const TODAY = '2025-10-10';

describe('validateRunRequest (T-RUN): what a tiering run may be asked', () => {
  it.each([
    ['a past date of the run year', { year: 2025, asOf: '2025-08-01' }],
    ['today itself', { year: 2025, asOf: TODAY }],
    ['1 January of the year', { year: 2025, asOf: '2025-01-01' }],
    ['a past year', { year: 2024, asOf: '2024-08-01' }],
    ['thresholds the rules accept', { year: 2025, asOf: '2025-08-01', thresholds: { growthRevenueYuan: 100_000, developmentRevenueYuan: 1_000_000.5 } }],
    ['thresholds left to the year (null)', { year: 2025, asOf: '2025-08-01', thresholds: null }],
  ])('accepts %s', (_rule, request) => {
    expect(validateRunRequest(request, TODAY)).toBeNull();
  });

  it.each([
    ['a year before 2000', { year: 1999, asOf: '1999-08-01' }, 'year', 'T-RUN', /year 1999 is not a year of the tiering/],
    ['a year after 9999', { year: 10_000, asOf: '2025-08-01' }, 'year', 'T-RUN', /year 10000 is not a year/],
    ['a year that is not a whole number', { year: 2025.5, asOf: '2025-08-01' }, 'year', 'T-RUN', /year 2025.5/],
    ['a date that is not a date', { year: 2025, asOf: '2025-02-30' }, 'asOf', null, /asOf "2025-02-30" is not a valid date/],
    ['a date of another shape', { year: 2025, asOf: '1.8.2025' }, 'asOf', null, /not a valid date \(YYYY-MM-DD\)/],
    ['a date after today', { year: 2025, asOf: '2025-10-11' }, 'asOf', 'T-RUN', /asOf 2025-10-11 is in the future \(today is 2025-10-10, CST\)/],
    ['a date outside the run year', { year: 2025, asOf: '2024-12-31' }, 'asOf', 'T-RUN', /asOf 2024-12-31 is not in the run's year 2025/],
    [
      'thresholds in the wrong order, naming the field under thresholds.',
      { year: 2025, asOf: '2025-08-01', thresholds: { growthRevenueYuan: 500_000, developmentRevenueYuan: 500_000 } },
      'thresholds.developmentRevenueYuan',
      'T-D1',
      /must be above growthRevenueYuan/,
    ],
  ])('refuses %s', (_rule, request, field, clause, message) => {
    const refused = validateRunRequest(request, TODAY);
    expect(refused).toMatchObject({ field, clause });
    expect(refused!.message).toMatch(message);
  });

  it('checks the year before the date, and the date before the thresholds', () => {
    expect(validateRunRequest({ year: 1999, asOf: 'no date', thresholds: { growthRevenueYuan: -1, developmentRevenueYuan: -1 } }, TODAY)).toMatchObject({ field: 'year' });
    expect(validateRunRequest({ year: 2025, asOf: 'no date', thresholds: { growthRevenueYuan: -1, developmentRevenueYuan: -1 } }, TODAY)).toMatchObject({ field: 'asOf' });
  });
});

describe('validateThresholds (T-G1, T-D1): positive yuan to the fen, growth below development', () => {
  it.each([
    ['the shipped defaults', 100_000, 1_000_000],
    ['amounts to the fen', 0.01, 0.02],
    ['two decimals', 99_999.99, 100_000.01],
  ])('accepts %s', (_rule, growthRevenueYuan, developmentRevenueYuan) => {
    expect(validateThresholds({ growthRevenueYuan, developmentRevenueYuan })).toBeNull();
  });

  it.each([
    ['a growth threshold of zero', 0, 1_000_000, 'growthRevenueYuan', 'T-G1', /positive amount/],
    ['a negative growth threshold', -1, 1_000_000, 'growthRevenueYuan', 'T-G1', /positive amount/],
    ['a growth threshold that is not a number', Number.NaN, 1_000_000, 'growthRevenueYuan', 'T-G1', /positive amount/],
    ['an endless development threshold', 100_000, Number.POSITIVE_INFINITY, 'developmentRevenueYuan', 'T-D1', /positive amount/],
    ['a growth threshold below the fen', 100_000.001, 1_000_000, 'growthRevenueYuan', 'T-G1', /at most 2 decimals/],
    ['a development threshold below the fen', 100_000, 1_000_000.125, 'developmentRevenueYuan', 'T-D1', /at most 2 decimals/],
    ['development equal to growth', 100_000, 100_000, 'developmentRevenueYuan', 'T-D1', /must be above growthRevenueYuan \(100000\)/],
    ['development below growth', 1_000_000, 100_000, 'developmentRevenueYuan', 'T-D1', /T-D1 asks for a higher revenue than T-G1/],
  ])('refuses %s', (_rule, growthRevenueYuan, developmentRevenueYuan, field, clause, message) => {
    const refused = validateThresholds({ growthRevenueYuan, developmentRevenueYuan });
    expect(refused).toMatchObject({ field, clause });
    expect(refused!.message).toMatch(message);
  });

  it('names the field with the prefix it is given', () => {
    expect(validateThresholds({ growthRevenueYuan: 0, developmentRevenueYuan: 1 }, 'thresholds.')).toMatchObject({ field: 'thresholds.growthRevenueYuan' });
  });
});

describe('addTally: a run counts what its chunks tiered, each once', () => {
  const counts = (unclassified: number, survival: number, growth: number, development: number) => ({ unclassified, survival, growth, development });

  it('adds the households, the counts per district and tier, and the movements', () => {
    const total: ChunkTally = { households: 3, countsByDistrict: { '120101': counts(1, 1, 1, 0) }, moves: { 'survival>growth': 1 } };
    addTally(total, {
      households: 4,
      countsByDistrict: { '120101': counts(0, 2, 0, 0), '120102': counts(0, 0, 1, 1) },
      moves: { 'survival>growth': 2, 'none>development': 1 },
    });
    expect(total).toEqual({
      households: 7,
      countsByDistrict: { '120101': counts(1, 3, 1, 0), '120102': counts(0, 0, 1, 1) },
      moves: { 'survival>growth': 3, 'none>development': 1 },
    });
  });

  it('leaves the chunk it adds as it was', () => {
    const chunk: ChunkTally = { households: 1, countsByDistrict: { '120101': counts(0, 1, 0, 0) }, moves: {} };
    const total: ChunkTally = { households: 0, countsByDistrict: {}, moves: {} };
    addTally(total, chunk);
    addTally(total, chunk);
    expect(chunk).toEqual({ households: 1, countsByDistrict: { '120101': counts(0, 1, 0, 0) }, moves: {} });
    expect(total.countsByDistrict['120101']).toEqual(counts(0, 2, 0, 0));
  });
});


describe('replacesCurrentTier (T-RUN, T-OBJ): which decision is the household\'s current tier', () => {
  it.each(PRECEDENCE_TABLE)('%s', (_rule, decision, current, replaces) => {
    expect(replacesCurrentTier(decision, current)).toBe(replaces);
  });
});

describe('whyCurrentTierStands: the reason a decision did not replace the current tier', () => {
  it.each([
    ['a later year stands (T-RUN)', { ...standing(2026, '2026-08-01', 'run'), tier: 'growth' as const }, /^T-RUN: its 2026 tier growth \(run, as of 2026-08-01\) stands: a decision on 2025, an earlier year/],
    ['an upheld objection stands (T-OBJ)', { ...standing(2025, '2025-08-01', 'objection'), tier: 'survival' as const }, /^T-OBJ: .* only another objection decision replaces it for 2025$/],
    ['a later date stands (T-RUN)', { ...standing(2025, '2025-09-01', 'on_demand'), tier: 'development' as const }, /^T-RUN: .* a decision as of 2025-08-01, an earlier date, does not replace it$/],
  ])('%s', (_rule, standing, reason) => {
    expect(whyCurrentTierStands(standing, { year: 2025, asOf: '2025-08-01' })).toMatch(reason);
  });
});
