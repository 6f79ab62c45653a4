import { Alert, List, Typography } from 'antd';
import type { ReactNode } from 'react';
import { CLAUSE_RULES } from '../errors';

/** How a household restores each failed base condition (T-B1…T-B6): what the operator can do and where. */
const RESTORE: Record<string, string> = {
  'T-B1': '登记状态异常的，请到登记机关（区市场监管局）咨询恢复或重新办理登记。',
  'T-B2': '请登录国家企业信用信息公示系统补报上一年度年度报告。',
  'T-B3': '请补报年度报告或更正公示信息后，向区市场监管局申请移出经营异常名录。',
  'T-B4': '请按规定履行相关义务后，向区市场监管局申请信用修复、移出严重违法失信名单。',
  'T-B5': '请到主管税务机关办理纳税申报等事项，解除税务“非正常户”认定。',
  'T-B6': '恢复营业的，请到登记机关办理恢复营业手续；季节性经营的，请向区市场监管局说明。',
};

/** The failed clauses of a stored trace ("T-B1+ T-B2- …"). */
export function failedClauses(clauses: string | null | undefined): string[] {
  return (clauses ?? '')
    .split(' ')
    .filter((outcome) => outcome.endsWith('-'))
    .map((outcome) => outcome.slice(0, -1));
}

/**
 * What to do about a tier, in plain words (T-PUB, T-OBJ): how to be restored when the base
 * standard fails, what the tier opens, and how to object. `objectAction` is where the operator
 * files an objection (a link or button), or a sentence saying to log in.
 */
export function TierAdvice({ tier, clauses, objectAction }: { tier: string; clauses?: string | null; objectAction: ReactNode }) {
  const failed = failedClauses(clauses);
  const restore = failed.filter((clause) => clause.startsWith('T-B'));
  const items: ReactNode[] = [];
  if (tier === 'unclassified') {
    for (const clause of restore) {
      items.push(
        <>
          <Typography.Text strong>{CLAUSE_RULES[clause] ?? clause}</Typography.Text>（{clause}）：{RESTORE[clause] ?? '请向区市场监管局咨询。'}
        </>,
      );
    }
    items.push('上述情形消除后，可向区市场监管局申请即时分型，或在下一次年度分型时重新分型。');
  } else if (tier === 'survival') {
    items.push('营业收入、纳税、社保、商标、专利等情况达到“成长型”“发展型”标准后，下一次年度分型时将相应调整。');
    items.push('“生存型”个体工商户一般不能自主申报“名特优新”，但可由相关部门推荐（C-REC）；退役军人、高校毕业生、残疾人、返乡农民工经营的可放宽（C-SRC）。');
  } else {
    items.push('可登录培育平台自主申报“名特优新”个体工商户认定（C-SELF），认定不收取任何费用（C-NOFEE）。');
  }
  return (
    <Alert
      type={tier === 'unclassified' ? 'warning' : 'info'}
      showIcon
      message="怎么办"
      description={
        <>
          <List size="small" dataSource={items} renderItem={(item) => <List.Item>{item}</List.Item>} />
          <Typography.Paragraph style={{ marginTop: 8, marginBottom: 0 }}>
            对分型结果有异议的，经营者可提出异议申诉（T-OBJ），每年一次，由市市场监管委处理并答复，符合标准的予以更正。{objectAction}
          </Typography.Paragraph>
        </>
      }
    />
  );
}
