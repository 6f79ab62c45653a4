/**
 * The offices' words for what the API names in English (glossary.md): audit actions, steps,
 * feeds, grounds. Tiers, case states, categories, roles and due-date kinds come from format.ts.
 */

export const ACTION_LABELS: Record<string, string> = {
  submitted: '经营者自主申报',
  recommended: '相关部门推荐',
  consent_given: '经营者同意推荐',
  consent_declined: '经营者不同意推荐',
  consent_lapsed: '经营者逾期未确认，推荐失效',
  review_accepted: '通过审核',
  review_rejected: '不予通过',
  information_requested: '要求补充材料',
  information_supplied: '经营者补充材料',
  information_lapsed: '逾期未补充材料，申报失效',
  verification_passed: '走访核实完成',
  opinion_given: '相关部门反馈意见',
  opinions_closed: '征求意见结束',
  publicity_started: '开始信息公示',
  objection_filed: '收到公示异议',
  objection_resolved: '公示异议处理完毕',
  publicity_closed: '公示期结束',
  quota_requested: '申请认定名额',
  quota_waiting: '名额已满，进入候补',
  recognised: '认定为“名特优新”个体工商户',
  one_person_refused: '同一经营者已有户认定，未予认定',
  quota_exhausted: '名额已满，未予认定',
  quota_place_returned: '退回认定名额',
  deadline_set: '设定截止日期',
  reminder_sent: '发送到期提醒',
  deadline_escalated: '逾期，已上报市级',
  filed: '报市市场监管委备案',
  transfer_registered: '京津冀互认登记',
  spot_check_selected: '被抽中抽查',
  spot_check_confirmed: '抽查确认',
  spot_check_refused: '抽查不予认定',
  supplement_requested: '抽查要求补充材料',
  supplement_supplied: '经营者补充抽查材料',
  supplement_lapsed: '逾期未补充抽查材料',
  annual_report_reminder: '年度信息报告提醒',
  annual_report_filed: '提交年度信息报告',
  annual_report_overdue: '年度信息报告逾期，已上报区级',
  annual_report_excused: '准予免报年度信息报告',
  annual_report_accepted: '年度信息报告审核通过',
  annual_report_rejected: '年度信息报告不予通过，取消认定',
  annual_report_missed: '未报年度信息报告，取消认定',
  operator_change_reported: '报告经营者变更',
  operator_rechecked: '经营者变更复核通过',
  operator_recheck_failed: '经营者变更复核未通过，取消认定',
  cancelled: '取消认定',
  evaluation_opened: '开始评估确认',
  evaluation_data_read: '读取评估数据',
  evaluation_finding: '记录评估结论',
  extended: '有效期延长3年',
  expired: '有效期届满',
  revoked: '撤销认定',
  transferred_out: '迁出天津（京津冀互认）',
  quota_place_released: '释放认定名额',
};

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
