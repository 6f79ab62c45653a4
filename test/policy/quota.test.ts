import { describe, expect, it } from 'vitest';
import { QUOTA_RATE, allocateQuota } from '../../policy/quota.js';
import { TIANJIN_DISTRICTS } from '../../policy/districts.js';

const sum = (caps: Record<string, number>) => Object.values(caps).reduce((a, b) => a + b, 0);

describe('allocateQuota (C-QUOTA)', () => {
  it.each([
    ['5% of 140 is exactly 7', 140, 7],
    ['5% of 39 is 1.95: rounded down, never above 5%', 39, 1],
    ['5% of 40 is exactly 2', 40, 2],
    ['5% of 19 is 0.95: no place at all', 19, 0],
    ['5% of 20 is exactly 1', 20, 1],
    ['5% of 0 is 0', 0, 0],
    ['5% of 1 234 567 is 61 728.35', 1_234_567, 61_728],
  ])('city cap: %s', (_case, quotaBase, cityCap) => {
    expect(allocateQuota({ quotaBase, byDistrict: { '120101': quotaBase } }).cityCap).toBe(cityCap);
  });

  it('rounds the city cap down for every base up to 20 000, whatever floating point would do', () => {
    for (let quotaBase = 0; quotaBase <= 20_000; quotaBase++) {
      const { cityCap } = allocateQuota({ quotaBase, byDistrict: { '120101': quotaBase } });
      expect(cityCap).toBe((quotaBase - (quotaBase % 20)) / 20);
    }
  });

  it.each([
    ['proportional, no remainder', 140, { '120101': 100, '120104': 40 }, { '120101': 5, '120104': 2 }],
    ['equal remainders: the lower district code gets the place', 200, { '120101': 70, '120102': 70, '120103': 60 }, { '120101': 4, '120102': 3, '120103': 3 }],
    ['the largest remainder wins over a lower code', 300, { '120101': 40, '120102': 125, '120103': 135 }, { '120101': 2, '120102': 6, '120103': 7 }],
    ['three equal thirds: plain rounding would give 3 of 4 places', 90, { '120101': 30, '120102': 30, '120103': 30 }, { '120101': 2, '120102': 1, '120103': 1 }],
    ['a district without growth or development households gets none', 100, { '120101': 100, '120119': 0 }, { '120101': 5, '120119': 0 }],
    ['one district takes the whole cap', 1000, { '120116': 1000 }, { '120116': 50 }],
    ['zero base, zero caps', 0, { '120101': 0, '120102': 0 }, { '120101': 0, '120102': 0 }],
    ['zero base, no districts', 0, {}, {}],
    ['the city cap comes from quota_base, the districts share it', 100, { '120101': 30, '120102': 30 }, { '120101': 3, '120102': 2 }],
  ])('district caps: %s', (_case, quotaBase, byDistrict, districtCaps) => {
    const allocation = allocateQuota({ quotaBase, byDistrict });
    expect(allocation.districtCaps).toEqual(districtCaps);
    expect(sum(allocation.districtCaps)).toBe(allocation.cityCap);
  });

  it('does not depend on the order in which districts are listed', () => {
    const forward = allocateQuota({ quotaBase: 200, byDistrict: { '120101': 70, '120102': 70, '120103': 60 } });
    const backward = allocateQuota({ quotaBase: 200, byDistrict: { '120103': 60, '120102': 70, '120101': 70 } });
    expect(backward).toEqual(forward);
  });

  it('splits a city-sized base over the 16 districts: the caps add up, each within one place of its exact share', () => {
    const codes = Object.keys(TIANJIN_DISTRICTS);
    const byDistrict = Object.fromEntries(codes.map((code, i) => [code, 1_000 + ((i * 7_919) % 13_331)]));
    const quotaBase = sum(byDistrict);
    const { cityCap, districtCaps } = allocateQuota({ quotaBase, byDistrict });
    expect(cityCap).toBe(Math.floor(quotaBase / 20));
    expect(sum(districtCaps)).toBe(cityCap);
    for (const code of codes) {
      const exact = (cityCap * byDistrict[code]!) / quotaBase;
      expect(districtCaps[code]).toBeGreaterThanOrEqual(Math.floor(exact));
      expect(districtCaps[code]).toBeLessThanOrEqual(Math.floor(exact) + 1);
    }
  });

  it('takes another rate when given one', () => {
    expect(QUOTA_RATE).toBe(0.05);
    expect(allocateQuota({ quotaBase: 25, byDistrict: { '120101': 25 } }, 0.1)).toEqual({ cityCap: 2, districtCaps: { '120101': 2 } });
  });

  it.each([
    ['a negative base', { quotaBase: -1, byDistrict: {} }, QUOTA_RATE, /quotaBase must be a whole number/],
    ['a fractional base', { quotaBase: 10.5, byDistrict: {} }, QUOTA_RATE, /quotaBase/],
    ['a district count that is not a number', { quotaBase: 10, byDistrict: { '120101': Number.NaN } }, QUOTA_RATE, /byDistrict\.120101/],
    ['a rate above 1', { quotaBase: 10, byDistrict: { '120101': 10 } }, 1.5, /rate must be between 0 and 1/],
    ['a cap with no district to give it to', { quotaBase: 100, byDistrict: { '120101': 0 } }, QUOTA_RATE, /cannot be split/],
  ])('refuses %s, citing C-QUOTA', (_case, base, rate, message) => {
    expect(() => allocateQuota(base, rate)).toThrow(message);
    expect(() => allocateQuota(base, rate)).toThrow(/C-QUOTA/);
  });
});
