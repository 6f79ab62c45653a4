import { describe, expect, it } from 'vitest';
import { isHouseholdUscc, looksLikeUscc, usccCheckCharacter, validateUscc } from '../../policy/uscc.js';

/** Valid codes: the first is the widely published GB 32100 example, the rest were built for these tests. */
const VALID_CODES = [
  ['published example (enterprise, Fuzhou)', '91350100M000100Y43'],
  ['Tianjin Nankai household, MA-series identifier', '92120104MA05N8Q4XQ'],
  ['Tianjin Binhai household, check character is a digit', '92120116L123456789'],
  ['Tianjin Jizhou household', '92120119MA07RT3UYJ'],
  ['farmers’ cooperative', '93120102MA06AB12CT'],
  ['public institution (机构编制 authority)', '12100000400000624D'],
  ['social organisation (民政 authority)', '52120000MJ0000001A'],
] as const;

function withCheckCharacter(first17: string): string {
  return first17 + usccCheckCharacter(first17);
}

describe('validateUscc', () => {
  it.each(VALID_CODES)('accepts %s: %s', (_case, code) => {
    expect(validateUscc(code)).toEqual({ ok: true });
  });

  it.each([
    ['17 characters', '92120104MA05N8Q4X', /18 characters/],
    ['19 characters', '92120104MA05N8Q4XQ0', /18 characters/],
    ['empty', '', /18 characters/],
    ['lower case', '92120104ma05n8q4xq', /not allowed/],
    ['forbidden letter I', '92120104MI05N8Q4XQ', /'I' at position 10/],
    ['forbidden letter O', '92120104MO05N8Q4XQ', /'O' at position 10/],
    ['forbidden letter Z', '92120104MZ05N8Q4XQ', /'Z' at position 10/],
    ['forbidden letter S', '92120104MA05N8Q4XS', /'S' at position 18/],
    ['forbidden letter V', '92120104MA05V8Q4XQ', /'V' at position 13/],
    ['space', '92120104MA05N8Q4X ', /not allowed/],
    ['wrong check character', '92120104MA05N8Q4XR', /check character is 'R', expected 'Q'/],
    ['transposed digits', '92121004MA05N8Q4XQ', /check character/],
    ['unknown registration authority', withCheckCharacter('B2120104MA05N8Q4X'), /registration-authority/],
    ['organisation type not defined for market regulation', withCheckCharacter('94120104MA05N8Q4X'), /organisation-type/],
    ['organisation type not defined for authority Y', withCheckCharacter('Y2120104MA05N8Q4X'), /organisation-type/],
    ['letter inside the division code', withCheckCharacter('9212A104MA05N8Q4X'), /division code/],
  ])('rejects %s', (_case, code, reason) => {
    const result = validateUscc(code);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it('rejects every single-character substitution of a valid code', () => {
    const code = '92120104MA05N8Q4XQ';
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    const accepted: string[] = [];
    for (let position = 0; position < code.length; position++) {
      for (const replacement of alphabet) {
        if (replacement === code[position]) continue;
        const altered = code.slice(0, position) + replacement + code.slice(position + 1);
        if (validateUscc(altered).ok) accepted.push(altered);
      }
    }
    expect(accepted).toEqual([]);
  });
});

describe('usccCheckCharacter', () => {
  it.each(VALID_CODES)('reproduces the check character of %s', (_case, code) => {
    expect(usccCheckCharacter(code.slice(0, 17))).toBe(code[17]);
  });

  it.each([
    ['too short', '92120104MA05N8Q4'],
    ['too long', '92120104MA05N8Q4XQ'],
    ['forbidden letter', '92120104MA05N8Q4O'],
  ])('throws for input that is %s', (_case, first17) => {
    expect(() => usccCheckCharacter(first17)).toThrow(RangeError);
  });
});

describe('isHouseholdUscc', () => {
  it.each([
    ['valid household code', '92120104MA05N8Q4XQ', true],
    ['valid enterprise code', '91350100M000100Y43', false],
    ['valid cooperative code', '93120102MA06AB12CT', false],
    ['household prefix with a wrong check character', '92120104MA05N8Q4XR', false],
  ])('%s → %s', (_case, code, expected) => {
    expect(isHouseholdUscc(code)).toBe(expected);
  });
});

describe('looksLikeUscc: a code typed, rather than a name', () => {
  it.each([
    ['a household code', '92120104MA06B7Q405', true],
    ['a code with a wrong check character (the API judges it)', '92120104MA06B7Q404', true],
    ['letters where the division code stands', '9212AB04MA06B7Q405', false],
    ['a letter no code uses', '92120104MA06B7QI05', false],
    ['17 characters', '92120104MA06B7Q40', false],
    ['a name', '南开区泥人张工艺坊', false],
  ])('%s → %s', (_case, text, expected) => {
    expect(looksLikeUscc(text)).toBe(expected);
  });
});
