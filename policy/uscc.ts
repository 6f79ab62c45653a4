/**
 * Unified social credit codes 统一社会信用代码 (GB 32100-2015): the key of every household.
 *
 * Layout: [1] registration-authority code, [2] organisation-type code, [3–8] division code
 * of the registering authority (GB/T 2260), [9–17] subject identifier (GB 11714
 * organisation code), [18] check character over the first 17.
 */

/** The 31 code characters in value order: I, O, S, V and Z are excluded to avoid misreading. */
const CODE_CHARACTERS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CHECK_WEIGHTS: readonly number[] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const MODULUS = 31;

/**
 * Organisation types per registration authority. GB 32100-2015 defined authorities 1, 5, 9
 * and Y; the national code administration has since assigned 2, 3, 4, 6, 7, 8, A and N.
 */
const ORGANISATION_TYPES_BY_AUTHORITY: Readonly<Record<string, string>> = {
  '1': '1239', // 机构编制: 机关, 事业单位, 群众团体, 其他
  '2': '19', // 外交: 外国常驻新闻机构, 其他
  '3': '123459', // 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
  '4': '19', // 文化: 外国在华文化中心, 其他
  '5': '1239', // 民政: 社会团体, 民办非企业单位, 基金会, 其他
  '6': '129', // 旅游: 外国及港澳台旅游部门常驻代表机构, 其他
  '7': '129', // 宗教: 宗教活动场所, 宗教院校, 其他
  '8': '19', // 工会: 基层工会, 其他
  '9': '123', // 工商 (market regulation): 企业, 个体工商户, 农民专业合作社
  A: '19', // 中央军委改革和编制办公室: 军队事业单位, 其他
  N: '1239', // 农业: 组级, 村级, 乡镇级集体经济组织, 其他
  Y: '1', // 其他
};

const HOUSEHOLD_PREFIX = '92';

export type UsccValidation = { ok: true } | { ok: false; reason: string };

/** Each code character's value by its character code, -1 for any other: every imported row's USCC is checked. */
const VALUE_BY_CHAR_CODE: Int8Array = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let value = 0; value < CODE_CHARACTERS.length; value++) values[CODE_CHARACTERS.charCodeAt(value)] = value;
  return values;
})();

function characterValue(code: string, index: number): number {
  const charCode = code.charCodeAt(index);
  return charCode < 128 ? (VALUE_BY_CHAR_CODE[charCode] as number) : -1;
}

/** The check character for the first 17 characters of a code (which must be code characters). */
export function usccCheckCharacter(first17: string): string {
  if (first17.length !== 17) throw new RangeError(`expected 17 characters, got ${first17.length}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = characterValue(first17, i);
    if (value < 0) throw new RangeError(`'${first17.charAt(i)}' at position ${i + 1} is not a code character`);
    sum += value * (CHECK_WEIGHTS[i] as number);
  }
  return CODE_CHARACTERS.charAt(checkValue(sum));
}

/** The check character's value for the weighted sum of the first 17 (GB 32100-2015). */
function checkValue(weightedSum: number): number {
  return (MODULUS - (weightedSum % MODULUS)) % MODULUS;
}

const VALID: UsccValidation = Object.freeze({ ok: true });

export function validateUscc(code: string): UsccValidation {
  if (code.length !== 18) return { ok: false, reason: `must be 18 characters, got ${code.length}` };
  // The check sum is taken in the same pass as the characters are checked: every imported row's
  // USCC comes through here.
  let sum = 0;
  for (let i = 0; i < 18; i++) {
    const value = characterValue(code, i);
    if (value < 0) {
      return {
        ok: false,
        reason:
          `character '${code.charAt(i)}' at position ${i + 1} is not allowed ` +
          '(0-9 and upper-case A-Z except I, O, S, V, Z)',
      };
    }
    if (i < 17) sum += value * (CHECK_WEIGHTS[i] as number);
  }
  const authority = code.charAt(0);
  const organisationTypes = ORGANISATION_TYPES_BY_AUTHORITY[authority];
  if (organisationTypes === undefined) {
    return { ok: false, reason: `'${authority}' is not a registration-authority code` };
  }
  if (!organisationTypes.includes(code.charAt(1))) {
    return {
      ok: false,
      reason: `'${code.charAt(1)}' is not an organisation-type code of registration authority '${authority}'`,
    };
  }
  for (let i = 2; i < 8; i++) {
    if (characterValue(code, i) > 9) return { ok: false, reason: 'positions 3–8 must be a 6-digit division code' };
  }
  const expected = checkValue(sum);
  if (characterValue(code, 17) !== expected) {
    return { ok: false, reason: `check character is '${code.charAt(17)}', expected '${CODE_CHARACTERS.charAt(expected)}'` };
  }
  return VALID;
}

const USCC_SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

/**
 * Whether `text` has a code's shape (18 code characters, positions 3–8 digits): what tells a
 * lookup that a code was typed, not a name. Whether it is a valid code is validateUscc's to say.
 */
export function looksLikeUscc(text: string): boolean {
  return USCC_SHAPE.test(text);
}

/** Whether the code is registered by market regulation as an individual business 个体工商户. */
export function isHouseholdUscc(code: string): boolean {
  return code.startsWith(HOUSEHOLD_PREFIX) && validateUscc(code).ok;
}
