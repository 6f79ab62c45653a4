/**
 * The importer writes each rejected row's reason in English (the data contract's language, for
 * the agencies' developers); the city office's clerk reads it in Chinese. Each pattern is one
 * reason the feed rules give (policy/feeds.ts, the importer's duplicate rule); a reason no pattern
 * knows is shown as written, marked as the original.
 */
const PATTERNS: [RegExp, (...groups: string[]) => string][] = [
  [/^is empty, and this column requires a value$/, () => '为空，此列必须填写'],
  [/^is blank, and this column requires a value$/, () => '为空白，此列必须填写'],
  [/^(".*?"…?) is not a valid USCC \(GB 32100-2015\): (.*)$/, (cell, why) => `${cell} 不是有效的统一社会信用代码（GB 32100-2015）：${usccReason(why ?? '')}`],
  [/^(".*?"…?) is not the USCC of an individual business \(those start with (.*)\)$/, (cell, prefix) => `${cell} 不是个体工商户的统一社会信用代码（应以 ${prefix} 开头）`],
  [/^(".*?"…?) is not the division code of one of Tianjin's 16 districts \(1201xx\)$/, (cell) => `${cell} 不是天津市16个区的区划代码（1201xx）`],
  [/^(".*?"…?) is not one of (.*)$/, (cell, values) => `${cell} 不在允许的取值之内：${values}`],
  [/^(".*?"…?) is not a date \(YYYY-MM-DD\)$/, (cell) => `${cell} 不是日期（格式为 YYYY-MM-DD）`],
  [/^(\S+) is in the future \(today is (\S+)\)$/, (day, today) => `${day} 晚于今天（${today}），日期不能在将来`],
  [/^(".*?"…?) is not true or false$/, (cell) => `${cell} 不是 true 或 false`],
  [/^(".*?"…?) is negative: amounts in yuan are ≥ 0$/, (cell) => `${cell} 为负数，金额（元）不能小于0`],
  [/^(".*?"…?) is not an amount in yuan \(like 12345\.50\)$/, (cell) => `${cell} 不是以元为单位的金额（例如 12345.50）`],
  [/^(".*?"…?) has more than 2 decimals$/, (cell) => `${cell} 小数超过2位`],
  [/^(".*?"…?) is too large \(at most (\d+) digits before the point\)$/, (cell, digits) => `${cell} 过大（整数部分最多${digits}位）`],
  [/^(".*?"…?) is not a 4-digit year$/, (cell) => `${cell} 不是4位年份`],
  [/^(\d+) is after the current year \((\d+)\)$/, (year, current) => `${year} 晚于当前年份（${current}）`],
  [/^(".*?"…?) is negative: a count is ≥ 0$/, (cell) => `${cell} 为负数，人数不能小于0`],
  [/^(".*?"…?) is not a whole number$/, (cell) => `${cell} 不是整数`],
  [/^(".*?"…?) is too large$/, (cell) => `${cell} 过大`],
  [/^suspension filed on (\S+), before the household was established \((\S+)\)$/, (on, established) => `歇业备案日期 ${on} 早于成立日期（${established}）`],
  [/^the report for (\d+) can only be filed after that year ends, not on (\S+)$/, (year, on) => `${year}年度报告须在该年度结束后报送，不能是 ${on}`],
  [/^cleared on (\S+), before it was listed \((\S+)\)$/, (cleared, listed) => `移出日期 ${cleared} 早于列入日期（${listed}）`],
  [/^has (\d+) fields, the header has (\d+)$/, (fields, width) => `本行有${fields}列，表头有${width}列`],
  [/^the same (.*) as line (\d+), which replaces this line$/, (key, line) => `与第${line}行的 ${key} 相同，以第${line}行为准，本行不导入`],
  [/^column "(.*)" appears more than once in the header$/, (name) => `表头中“${name}”列重复`],
  [/^unknown column "(.*?)" for (\S+) \(its columns are (.*)\)$/, (name, file, columns) => `表头中“${name}”不是 ${file} 的列（应有的列：${columns}）`],
  [/^the header lacks column "(.*)"$/, (name) => `表头缺少“${name}”列`],
];

function usccReason(why: string): string {
  const length = /^must be 18 characters, got (\d+)$/.exec(why);
  if (length) return `应为18位，实际${length[1]}位`;
  const check = /^check character is '(.)', expected '(.)'$/.exec(why);
  if (check) return `校验码为“${check[1]}”，应为“${check[2]}”`;
  if (/is not a registration-authority code$/.test(why)) return '登记管理部门代码无效';
  if (/is not an organisation-type code/.test(why)) return '机构类别代码无效';
  if (/6-digit division code$/.test(why)) return '第3至8位应为6位行政区划代码';
  return why;
}

export function rejectionReasonText(reason: string): string {
  for (const [pattern, render] of PATTERNS) {
    const match = pattern.exec(reason);
    if (match) return render(...match.slice(1).map((group) => group ?? ''));
  }
  return `（原文）${reason}`;
}
