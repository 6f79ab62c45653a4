/**
 * The offices' words for what the API names in English (glossary.md): steps, feeds, grounds.
 * Tiers, case states, categories, roles, due-date kinds and audit actions come from format.ts.
 */

export const OPINION_LABELS: Record<string, string> = { support: '同意', object: '不同意', no_answer: '逾期未反馈' };

export const FEED_LABELS: Record<string, string> = {
  registrations: '登记注册信息',
  annual_reports: '年度报告信息',
  tax: '税务信息',
  social_insurance: '社会保险信息',
  ip_rights: '商标专利信息',
  credit_events: '信用信息（经营异常、严重失信、行政处罚）',
  dishonest_debtors: '失信被执行人信息',
};

export const REVOCATION_GROUND_LABELS: Record<string, string> = { fraud: '弄虚作假', bribery: '行贿', concealment: '隐瞒真实情况' };

export const REGION_LABELS: Record<string, string> = { beijing: '北京市', hebei: '河北省', tianjin: '天津市' };

export const REPORT_STATUS_LABELS: Record<string, string> = {
  due: '待提交',
  filed: '已提交，待审核',
  accepted: '审核通过',
  rejected: '不予通过',
  excused: '准予免报',
  missed: '逾期未报',
};

export const SPOT_CHECK_LABELS: Record<string, string> = {
  selected: '被抽中，待抽查',
  awaiting_supplement: '待补充材料',
  supplement_received: '已补充材料，待抽查',
  confirmed: '抽查确认',
  refused: '抽查不予认定',
};

export const RUN_PHASE_LABELS: Record<string, string> = {
  preparing: '准备中',
  running: '分型计算中',
  finalizing: '汇总中',
  applying: '写入当前分型',
  completed: '已完成',
  failed: '失败',
  refused: '被拒绝',
};

export const RUN_STATUS_LABELS: Record<string, string> = { running: '运行中', completed: '已完成', failed: '失败' };

export const TIER_OBJECTION_STATUS_LABELS: Record<string, string> = { open: '待处理', upheld: '异议成立', dismissed: '异议不成立' };

export const EVALUATION_CRITERIA: Record<string, string> = {
  X1: 'X1 三年内营业收入、纳税或就业明显增长',
  X2: 'X2 三年内获区级以上政府表彰',
  X3: 'X3 分型提升（成长型→发展型，或生存型→成长型）',
  X4: 'X4 推荐部门同意延长',
};
