import { Page } from '../../components/Page';
import { Card, List, Space, Tag, Typography } from 'antd';
import { api, unwrap } from '../../api/client';
import type { Answer } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useApi } from '../../components/useApi';
import { CATEGORY_LABELS, TIER_LABELS } from '../../format';

/** Whom a measure applies to: every tiered household, the recognised, a tier or a category. */
const APPLIES_TO_LABELS: Record<string, string> = {
  tiered: '各类型个体工商户',
  recognised: '“名特优新”个体工商户',
  ...Object.fromEntries(Object.entries({ ...TIER_LABELS, ...CATEGORY_LABELS }).map(([key, quoted]) => [key, `${quoted}个体工商户`])),
};

type Measure = Answer<'/support-measures'>[number];

/** Measures grouped by whom they apply to, in catalogue order. */
export function MeasureGroups({ measures }: { measures: Measure[] }) {
  const groups = [...new Set(measures.map((m) => m.appliesTo ?? ''))];
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      {groups.map((group) => (
        <Card key={group} title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{APPLIES_TO_LABELS[group] ?? group}</Typography.Title>} size="small">
          <List
            dataSource={measures.filter((m) => m.appliesTo === group)}
            renderItem={(m) => (
              <List.Item>
                <List.Item.Meta
                  title={
                    <Space wrap>
                      {m.withoutApplication && <Tag color="green">免申即享</Tag>}
                      <span style={{ fontWeight: 'normal' }}>{m.measure}</span>
                    </Space>
                  }
                  description={`责任部门：${(m.departments ?? []).join('、')}`}
                />
              </List.Item>
            )}
          />
        </Card>
      ))}
    </Space>
  );
}

/** T-AID, C-AID: the whole catalogue, by tier and by 名特优新 category. */
export function SupportMeasures() {
  const { data, error, loading } = useApi(() => unwrap(api.GET('/support-measures')), []);
  return (
    <Page title="扶持措施" subTitle="分型分类精准帮扶：各类型和“名特优新”个体工商户可享受的扶持措施" loading={loading}>
      <ErrorAlert error={error} />
      <Typography.Paragraph>标有“免申即享”的措施由相关部门依据数据直接落实，无需申请。</Typography.Paragraph>
      {data && <MeasureGroups measures={data} />}
    </Page>
  );
}
