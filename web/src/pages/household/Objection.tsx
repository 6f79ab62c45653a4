import { Alert, Button, Card, Descriptions, Empty, Form, Input, Result, Space } from 'antd';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { DueDate } from '../../components/DueDate';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Page } from '../../components/Page';
import { useApi } from '../../components/useApi';
import { formFieldErrors } from '../../errors';
import { cstDateTime, label, proseDate, TIER_LABELS, tierText } from '../../format';
import { useHouseholdUscc } from './useHousehold';

const OBJECTION_STATUS: Record<string, string> = { open: '处理中', upheld: '异议成立，已更正分型', dismissed: '异议不成立，维持原分型' };

/** T-OBJ: the operator objects to its tier once a year; the city office answers. */
export function Objection() {
  const uscc = useHouseholdUscc();
  const tier = useApi(() => unwrap(api.GET('/public/households/{uscc}', { params: { path: { uscc } } })), [uscc]);
  const filed = useApi(() => unwrap(api.GET('/tiering/objections', { params: { query: {} } })), [uscc]);
  const [form] = Form.useForm<{ reason: string }>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async ({ reason }: { reason: string }) => {
    setBusy(true);
    setError(null);
    try {
      const { objectionId } = await unwrap(api.POST('/tiering/objections', { body: { uscc, reason } }));
      // The list is a projection the objection's workflow writes: wait until it holds the new one
      // with the due date of the city office's answer (set on the working-day calendar just after).
      for (let attempt = 0; attempt < 20; attempt++) {
        const list = await unwrap(api.GET('/tiering/objections', { params: { query: {} } }));
        if (list.items?.some((item) => item.objectionId === objectionId && item.dueOn)) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      filed.reload();
    } catch (failure) {
      form.setFields(formFieldErrors(failure, ['reason'] as const));
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const rows = filed.data?.items ?? [];
  const thisYear = rows.find((row) => row.year === tier.data?.year);
  return (
    <Page title="分型异议申诉" subTitle="对本户的分型结果有异议的，可以提出异议申诉，每个年度一次（T-OBJ）" loading={tier.loading}>
      <ErrorAlert error={tier.error ?? filed.error} />
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        {tier.data?.tier && (
          <Card title="当前分型">
            <Descriptions size="small" bordered column={{ xs: 1, sm: 1, md: 3, lg: 3, xl: 3, xxl: 3 }}>
              <Descriptions.Item label="分型结果">{tierText(tier.data.tier, tier.data.tierLabel)}</Descriptions.Item>
              <Descriptions.Item label="年度">{tier.data.year}年度</Descriptions.Item>
              <Descriptions.Item label="判定日">{proseDate(tier.data.asOf)}</Descriptions.Item>
            </Descriptions>
          </Card>
        )}
        {rows.length > 0 && (
          <Card title="我的异议申诉">
            {rows.map((row) => (
              <Descriptions key={row.objectionId} size="small" bordered column={1} style={{ marginBottom: 12 }}>
                <Descriptions.Item label="年度">{row.year}年度（异议的分型：{label(TIER_LABELS, row.contestedTier)}）</Descriptions.Item>
                <Descriptions.Item label="状态">{OBJECTION_STATUS[row.status ?? ''] ?? row.status}</Descriptions.Item>
                <Descriptions.Item label="提出时间">{cstDateTime(row.filedAt)}</Descriptions.Item>
                {row.dueOn && row.status === 'open' && (
                  <Descriptions.Item label="答复期限">
                    <DueDate dueOn={row.dueOn} />
                  </Descriptions.Item>
                )}
                {row.decidedAt && (
                  <Descriptions.Item label="处理结果">
                    {cstDateTime(row.decidedAt)}答复{row.decidedTier ? `，分型为${label(TIER_LABELS, row.decidedTier)}` : ''}
                  </Descriptions.Item>
                )}
              </Descriptions>
            ))}
          </Card>
        )}
        {tier.data?.tier && !thisYear && (
          <Card title="提出异议申诉">
            <Alert type="info" showIcon style={{ marginBottom: 16 }} message="请说明认为分型结果有误的事实和理由（如营业收入、纳税、社保、商标专利等数据有误），市市场监管委将核实处理并答复，符合标准的予以更正。" />
            <ErrorAlert error={error} />
            <Form form={form} layout="vertical" onFinish={(values) => void submit(values)}>
              <Form.Item name="reason" label="异议理由" rules={[{ required: true, whitespace: true, message: '请填写异议的事实和理由' }]}>
                <Input.TextArea rows={5} maxLength={2000} showCount />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={busy}>
                提交异议申诉
              </Button>
            </Form>
          </Card>
        )}
        {tier.data && !tier.data.tier && <Empty description="本户尚未分型，暂不能提出异议申诉" />}
        {thisYear && thisYear.status === 'open' && <Result status="info" title="本年度的异议申诉已提交，正在处理" subTitle="每个年度只能提出一次异议申诉。" />}
      </Space>
    </Page>
  );
}
