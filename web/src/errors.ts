/**
 * The API's refusals, `{ error, message, details: { field?, clause?, ... } }`, in the Chinese a
 * person reads: what the rule is and what to do, and the field at fault so a form can show it
 * next to that field. The API's own message (English, for developers) is kept as `technical`.
 */
export interface ApiErrorBody {
  error?: string;
  message?: string;
  details?: { field?: string; clause?: string; allowed?: unknown[]; [key: string]: unknown };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message ?? `HTTP ${status}`);
  }
}

/** Field names of the API, in the words the forms use. */
export const FIELD_LABELS: Record<string, string> = {
  uscc: '统一社会信用代码',
  name: '名称',
  category: '申报类别',
  claimedCriteria: '申报标准',
  evidenceRefs: '证明材料',
  reason: '理由',
  note: '说明',
  comment: '意见说明',
  decision: '审核决定',
  findings: '核实情况',
  departments: '征求意见部门',
  opinion: '意见',
  consent: '经营者意见',
  information: '补充材料',
  response: '补充说明',
  objection: '异议内容',
  grounds: '异议理由',
  contact: '联系方式',
  year: '年度',
  revenue: '营业收入',
  employees: '从业人员',
  operatorChanged: '经营者变更',
  newOperatorId: '新经营者身份证件号',
  districtCode: '所属区',
  department: '推荐部门',
  relaxation: '放宽情形',
  asOf: '基准日',
  actorId: '演示账号',
  authorization: '登录凭证',
  role: '身份',
  body: '提交内容',
  url: '网址',
  file: '文件',
  caseId: '案件编号',
  objectionId: '异议编号',
  informationDueOn: '补充截止日期',
  objectionNo: '异议',
  upheld: '处理结果',
  dueOn: '截止日期',
  ground: '撤销事由',
  criterion: '评估条件',
  met: '是否符合',
  destination: '迁往地区',
  movedOn: '迁出日期',
  origin: '原认定地',
  recognisedOn: '原认定日期',
  validUntil: '有效期至',
  originRef: '原认定文号',
  feed: '数据类别',
  growthRevenueYuan: '“成长型”营业收入标准',
  developmentRevenueYuan: '“发展型”营业收入标准',
  tier: '分型',
  correctedFacts: '更正的数据',
};

/** Each clause's rule in a sentence, so a refusal says which rule and why (RULES.md). */
export const CLAUSE_RULES: Record<string, string> = {
  'T-B1': '登记状态须为存续（未吊销、注销、撤销）',
  'T-B2': '须已报送上一年度年度报告',
  'T-B3': '不得列入经营异常名录（已移出的除外）',
  'T-B4': '不得列入严重违法失信名单（已信用修复的除外）',
  'T-B5': '不得为税务非正常户（已解除的除外）',
  'T-B6': '不得处于法定期限内的歇业备案期（季节性经营除外）',
  'T-AGE': '成立满2年且纳入税务管理满2年',
  'T-PUB': '分型结果可按名称或统一社会信用代码查询',
  'T-OBJ': '经营者对分型结果有异议的，可向市市场监管委提出异议申诉，每年一次',
  'T-RUN': '每年7月年度报告期结束后开展一次全市年度分型',
  'C-SRC': '申报对象一般为“成长型”“发展型”个体工商户（部门推荐或退役军人、高校毕业生、残疾人、返乡农民工经营的可放宽）',
  'C-EX1': '申报前2年内受到罚款以上行政处罚并公示且未信用修复的，不得申报',
  'C-EX2': '经营者被列为失信被执行人的，不得申报',
  'C-BAN': '因弄虚作假被撤销认定的，5年内不得再次申报',
  'C-ONE-TYPE': '一户只能认定一个类别',
  'C-ONE-PERSON': '同一经营者在同一区经营多户的，只能认定其中一户',
  'C-NOFEE': '认定不收取任何费用，政府部门已掌握的材料不再要求提供',
  'C-QUOTA': '认定数量不超过当年“成长型”“发展型”个体工商户总数的5%',
  'C-CYCLE': '每年8月中旬开始申报，11月底前完成认定',
  'C-SELF': '个体工商户登录培育平台自主申报，公示期内可提出异议',
  'C-REC': '部门推荐须事先征得经营者同意',
  'C-FILE': '各区认定名单报市市场监管委备案，市市场监管委抽查',
  'C-VALID': '认定有效期为3年',
  'C-ANNUAL': '有效期内每年7月底前报送年度信息报告',
  'C-EVAL': '有效期最后一年进行评估确认，符合条件的有效期延长3年',
  'C-REVOKE': '弄虚作假等取得认定的撤销认定，5年内不得再次申报',
  'C-XREGION': '京津冀互认：在三地间迁移的保留认定',
  'C-AID': '认定后享受相应扶持措施',
};

const STATUS_SENTENCES: Record<number, string> = {
  400: '提交的内容不完整或格式不对',
  401: '登录已失效，请重新登录',
  403: '当前身份无权办理此事项',
  404: '没有找到要办理的记录，请核对编号或刷新页面',
  408: '请求超时，请稍后重试',
  409: '该事项当前状态已变化，不能这样办理，请刷新页面查看最新状态',
  413: '上传的内容过大，请拆分后再提交',
  415: '文件类型不支持，请上传CSV文件',
  422: '不符合政策规定',
  429: '操作过于频繁，请稍后再试',
  500: '系统出现错误，请稍后重试；如仍失败请联系管理员',
  503: '系统暂时不可用，请稍后重试',
};

/** What a schema rule the input broke means, after the field's name. */
const RULE_SENTENCES: Record<string, string> = {
  minLength: '太短',
  maxLength: '太长',
  minItems: '至少需要填写一项',
  maxItems: '项数过多',
  pattern: '格式不对',
  format: '格式不对',
  required: '必须填写',
  type: '类型不对',
  minimum: '数值过小',
  maximum: '数值过大',
  additionalProperties: '不能提交',
};

const CJK = /[\u4e00-\u9fff]/;

/**
 * The refusal's first sentence: the API's own message where it is written for people (Chinese),
 * with the field's code replaced by its label; otherwise what the status and the broken schema
 * rule mean.
 */
function leadSentence(status: number, body: ApiErrorBody): string {
  const field = body.details?.field;
  const message = body.message ?? '';
  if (CJK.test(message)) {
    return field && message.startsWith(field) ? `“${fieldLabel(field)}”${message.slice(field.length).trimStart()}` : message;
  }
  const general = STATUS_SENTENCES[status] ?? `请求未成功（${status}）`;
  const rule = typeof body.details?.rule === 'string' ? RULE_SENTENCES[body.details.rule] : undefined;
  return field && rule && status === 400 ? `${general}：“${fieldLabel(field)}”${rule}` : general;
}

export interface DescribedError {
  /** A Chinese sentence naming what is wrong and what to do. */
  message: string;
  /** The form field at fault (the API's `details.field`, its last segment), when there is one. */
  field?: string;
  clause?: string;
  /** The API's own words, for a developer. */
  technical?: string;
}

export function fieldLabel(field: string): string {
  const last = field.split('.').filter((part) => !/^\d+$/.test(part)).pop() ?? field;
  return FIELD_LABELS[last] ?? FIELD_LABELS[field] ?? last;
}

export function describeError(error: unknown): DescribedError {
  if (!(error instanceof ApiError)) {
    return { message: '无法连接到培育平台，请检查网络后重试', technical: error instanceof Error ? error.message : String(error) };
  }
  const { status, body } = error;
  const field = body.details?.field || undefined;
  const clause = body.details?.clause || undefined;
  // The clause is named once, with its rule, after the lead; the lead's own full stop would stand before a semicolon.
  let lead = leadSentence(status, body).replace(/[。.]$/, '');
  if (clause && lead.startsWith(clause)) lead = lead.slice(clause.length).replace(/^\s*[:：]\s*/, '');
  const parts = [lead];
  // Advice the API's own Chinese message already gives is not repeated.
  const add = (part: string) => {
    if (!lead.includes(part)) parts.push(part);
  };
  if (clause) add(`依据条款 ${clause}${CLAUSE_RULES[clause] ? `：${CLAUSE_RULES[clause]}` : ''}`);
  const allowed = body.details?.allowed;
  if (status === 403) {
    add(field && field !== 'role' ? `请核对“${fieldLabel(field)}”是否在本单位的办理范围内` : '请以有权办理的账号登录');
  }
  // A conflict with the case's state, or too many requests, is not mended by changing the field the API names (a case's ID, say).
  if (field && ![401, 403, 409, 429].includes(status)) {
    add(
      Array.isArray(allowed)
        ? `请在“${fieldLabel(field)}”中选择以下之一：${allowed.map(String).join('、')}`
        : `请检查并修改“${fieldLabel(field)}”`,
    );
  }
  return { message: `${parts.join('；')}。`, field: field?.split('.')[0], clause, technical: body.message };
}

/** For antd `form.setFields`: the refusal shown next to the field at fault, when the form has that field. */
export function formFieldErrors<Field extends string>(error: unknown, formFields: readonly Field[]): { name: Field; errors: string[] }[] {
  const described = describeError(error);
  const field = formFields.find((candidate) => candidate === described.field);
  return field ? [{ name: field, errors: [described.message] }] : [];
}
