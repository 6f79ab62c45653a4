import { CheckCircleTwoTone, CloseCircleTwoTone } from '@ant-design/icons';
import { List, Typography } from 'antd';
import type { Answer } from '../api/types';
import { CLAUSE_RULES } from '../errors';

export type EligibilityResult = NonNullable<Answer<'/households/{uscc}/application-form'>['eligibility']>[number];

/** Every eligibility clause as the filing would evaluate it: the rule, whether it holds, and why. */
export function EligibilityList({ results }: { results: EligibilityResult[] }) {
  return (
    <List
      size="small"
      bordered
      dataSource={results}
      renderItem={(result) => (
        <List.Item>
          <List.Item.Meta
            avatar={result.passed ? <CheckCircleTwoTone twoToneColor="#2e7d32" aria-label="符合" /> : <CloseCircleTwoTone twoToneColor="#c62828" aria-label="不符合" />}
            title={
              <span>
                {result.clause} {CLAUSE_RULES[result.clause ?? ''] ?? ''}
                <Typography.Text type={result.passed ? 'success' : 'danger'} style={{ marginInlineStart: 8 }}>
                  {result.passed ? '符合' : '不符合'}
                </Typography.Text>
              </span>
            }
            description={result.reason}
          />
        </List.Item>
      )}
    />
  );
}
