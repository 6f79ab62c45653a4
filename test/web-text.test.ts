// What the pages say about due dates and refusals: pure functions of web/src, tested on the
// engine's own holiday notices and the API's error shape.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCalendar, type HolidayNotice } from '../policy/calendar.js';
import { dueDateStatus } from '../web/src/due-dates.js';
import { ApiError, describeError, formFieldErrors } from '../web/src/errors.js';

const notices = JSON.parse(readFileSync(new URL('../db/seed/holiday-notices.json', import.meta.url), 'utf8')) as HolidayNotice[];
const calendar = buildCalendar(notices);

describe('due dates with the working days left', () => {
  it('counts working days on the holiday notices: the Spring Festival break and its make-up Saturday', () => {
    // Fri 13 Feb 2026 → Wed 25 Feb: 14 Feb (Saturday) is a make-up working day, 15–23 Feb are off.
    expect(dueDateStatus(calendar, '2026-02-25', '2026-02-13')).toEqual({
      dueOn: '2026-02-25',
      workingDaysLeft: 3,
      urgency: 'soon',
      text: '剩余3个工作日',
      fallback: false,
    });
    expect(dueDateStatus(calendar, '2026-03-13', '2026-03-02')).toMatchObject({ workingDaysLeft: 9, urgency: 'later', text: '剩余9个工作日' });
  });

  it('says a due date today is due today, and a passed one how many days late', () => {
    expect(dueDateStatus(calendar, '2026-03-02', '2026-03-02')).toMatchObject({ urgency: 'today', text: '今天截止' });
    expect(dueDateStatus(calendar, '2026-03-02', '2026-03-05')).toMatchObject({ urgency: 'overdue', workingDaysLeft: -3, text: '已逾期3天' });
  });

  it('flags a count made Monday–Friday for lack of a notice', () => {
    expect(dueDateStatus(calendar, '2031-01-10', '2031-01-06')).toMatchObject({ workingDaysLeft: 4, fallback: true });
  });
});

describe('refusals in Chinese, naming what to fix', () => {
  it('says the rule broken and the field to change, and puts it next to that field', () => {
    const refusal = new ApiError(422, { error: 'Unprocessable Entity', message: 'C-SRC: survival households cannot apply', details: { field: 'uscc', clause: 'C-SRC' } });
    const described = describeError(refusal);
    expect(described.message).toBe(
      '不符合政策规定；依据条款 C-SRC：申报对象一般为“成长型”“发展型”个体工商户（部门推荐或退役军人、高校毕业生、残疾人、返乡农民工经营的可放宽）；请检查并修改“统一社会信用代码”。',
    );
    expect(described.technical).toBe('C-SRC: survival households cannot apply');
    expect(formFieldErrors(refusal, ['uscc', 'category'])).toEqual([{ name: 'uscc', errors: [described.message] }]);
    expect(formFieldErrors(refusal, ['category'])).toEqual([]);
  });

  it("uses the API's own Chinese message, with the field's label for its code", () => {
    const blank = new ApiError(400, { message: 'reason 不能为空白：请填写内容后重新提交', details: { field: 'reason', rule: 'pattern' } });
    expect(describeError(blank).message).toBe('“理由”不能为空白：请填写内容后重新提交；请检查并修改“理由”。');
  });

  it('says which schema rule the input broke, and lists the allowed values of a choice', () => {
    expect(describeError(new ApiError(400, { message: 'querystring/name must NOT have fewer than 2 characters', details: { field: 'name', rule: 'minLength' } })).message).toBe(
      '提交的内容不完整或格式不对：“名称”太短；请检查并修改“名称”。',
    );
    expect(describeError(new ApiError(400, { message: 'body/category must be one of: a, b', details: { field: 'category', rule: 'enum', allowed: ['renowned', 'quality'] } })).message).toBe(
      '提交的内容不完整或格式不对；请在“申报类别”中选择以下之一：renowned、quality。',
    );
  });

  it('tells a caller without the right what to check, and a lost connection to retry', () => {
    expect(describeError(new ApiError(403, { message: 'the household belongs to district 120101', details: { field: 'uscc' } })).message).toBe(
      '当前身份无权办理此事项；请核对“统一社会信用代码”是否在本单位的办理范围内。',
    );
    expect(describeError(new ApiError(403, { message: 'role household may not do this', details: { field: 'role' } })).message).toBe('当前身份无权办理此事项；请以有权办理的账号登录。');
    // The API's own Chinese refusal of a role already says whom to sign in as: said once.
    const role = new ApiError(403, { message: '区市场监管局无权办理此事项（可办理的是：个体工商户）；请以有权办理的账号登录', details: { field: 'role', allowed: ['household'] } });
    expect(describeError(role).message).toBe('区市场监管局无权办理此事项（可办理的是：个体工商户）；请以有权办理的账号登录。');
    expect(describeError(new TypeError('Failed to fetch')).message).toBe('无法连接到培育平台，请检查网络后重试');
  });

  it("names a conflict's clause once, with its rule, and does not ask to change the case it names", () => {
    const tooMany = new ApiError(409, {
      message: 'C-SELF: 同一提交人对同一公示最多提出3件异议；补充意见请写入已提出的异议或直接向区市场监管局反映。',
      details: { field: 'caseId', clause: 'C-SELF', limit: 3 },
    });
    expect(describeError(tooMany).message).toBe(
      '同一提交人对同一公示最多提出3件异议；补充意见请写入已提出的异议或直接向区市场监管局反映；依据条款 C-SELF：个体工商户登录培育平台自主申报，公示期内可提出异议。',
    );
  });
});
