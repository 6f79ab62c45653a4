import { PageContainer, ProDescriptions, ProFormRadio, ProFormSelect, ProFormTextArea, ProTable, type ActionType } from '@ant-design/pro-components';
import { Alert, Button, Drawer, Skeleton, Space, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { describeError, CLAUSE_RULES } from '../../errors';
import { TIER_LABELS, cstDateTime, districtName, label, labelEnum, labelOptions, proseDate } from '../../format';
import { DecisionForm } from '../district/kit/DecisionForm';
import { DueTag } from '../district/kit/DueTag';
import { TIER_OBJECTION_STATUS_LABELS } from '../district/kit/labels';
import type { Body, TierObjection, TierObjectionSummary } from '../../api/types';
import { ToneTag } from '../district/kit/ToneTag';
import { emptyLocale } from '../district/kit/empty';
import { useTableRequest } from '../district/kit/tables';

type DecisionBody = Body<'/tiering/objections/{objectionId}/decision'>;

/** The clauses of a stored trace ("T-B1+ T-B2- …"), each held or failed. */
function OutcomeTags({ outcomes }: { outcomes: string | undefined }) {
  if (!outcomes) return <span>—</span>;
  return (
    <Space size={[4, 4]} wrap>
      {outcomes.split(' ').map((token) => {
        const clause = token.slice(0, -1);
        const held = token.endsWith('+');
        return (
          <ToneTag key={token} color={held ? 'success' : 'error'} title={CLAUSE_RULES[clause]}>
            {clause} {held ? '符合' : '不符合'}
          </ToneTag>
        );
      })}
    </Space>
  );
}

/** Objections to a tier 异议申诉 (T-OBJ): the city office answers each within 15 working days. */
export default function TierObjections() {
  const loadTable = useTableRequest();
  const table = useRef<ActionType>(null);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <PageContainer title="分型异议" content="经营者对分型结果有异议的，由市市场监管委处理答复（T-OBJ）。异议成立的，按更正后的数据重新判定分型；不成立的，维持原分型。均须写明理由。">
      <ProTable<TierObjectionSummary, { status?: 'open' | 'upheld' | 'dismissed' }>
        actionRef={table}
        rowKey="objectionId"
        headerTitle="分型异议（已逾期的在前）"
        locale={emptyLocale('没有符合条件的分型异议')}
        search={{ labelWidth: 'auto', searchText: '查询', resetText: '重置' }}
        options={{ reload: true, density: false, setting: false }}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        form={{ initialValues: { status: 'open' } }}
        request={({ current = 1, pageSize = 20, status }) => loadTable(async () => {
          const answer = await unwrap(api.GET('/tiering/objections', { params: { query: { page: current, pageSize, ...(status ? { status } : {}) } } }));
          return { data: answer.items ?? [], total: answer.total ?? 0 };
        })}
        columns={[
          { title: '个体工商户', dataIndex: 'name', search: false, render: (_, row) => <span>{row.name ?? row.uscc}<div><Typography.Text type="secondary" style={{ fontSize: 12 }}>{row.uscc}</Typography.Text></div></span> },
          { title: '所属区', dataIndex: 'districtCode', search: false, render: (_, row) => districtName(row.districtCode) },
          { title: '分型年度', dataIndex: 'year', search: false },
          { title: '异议的分型', dataIndex: 'contestedTier', search: false, render: (_, row) => label(TIER_LABELS, row.contestedTier) },
          { title: '提出时间', dataIndex: 'filedAt', search: false, render: (_, row) => cstDateTime(row.filedAt) },
          { title: '答复截止', dataIndex: 'dueOn', search: false, render: (_, row) => (row.status === 'open' ? <DueTag dueOn={row.dueOn} /> : '—') },
          {
            title: '状态',
            dataIndex: 'status',
            valueType: 'select',
            valueEnum: labelEnum(TIER_OBJECTION_STATUS_LABELS),
            render: (_, row) => <ToneTag color={row.status === 'open' ? 'warning' : row.status === 'upheld' ? 'success' : 'default'}>{label(TIER_OBJECTION_STATUS_LABELS, row.status)}</ToneTag>,
          },
          {
            title: '操作',
            valueType: 'option',
            render: (_, row) => [
              <Button key="open" type="link" onClick={() => setOpen(row.objectionId ?? null)} aria-label={`${row.status === 'open' ? '处理' : '查看'}${row.name ?? row.uscc}的异议`}>
                {row.status === 'open' ? '处理' : '查看'}
              </Button>,
            ],
          },
        ]}
      />
      <Drawer open={open !== null} width={720} title="分型异议" onClose={() => setOpen(null)} destroyOnHidden>
        {open && (
          <ObjectionDecision
            objectionId={open}
            onDecided={() => {
              setOpen(null);
              table.current?.reload();
            }}
          />
        )}
      </Drawer>
    </PageContainer>
  );
}

function ObjectionDecision({ objectionId, onDecided }: { objectionId: string; onDecided: () => void }) {
  const [objection, setObjection] = useState<TierObjection | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    unwrap(api.GET('/tiering/objections/{objectionId}', { params: { path: { objectionId } } })).then(setObjection, (error) => setFailure(describeError(error).message));
  }, [objectionId]);
  if (failure) return <Alert type="error" showIcon message={failure} />;
  if (!objection) return <Skeleton active />;
  const contested = objection.contested;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <ProDescriptions column={1} bordered size="small">
        <ProDescriptions.Item label="个体工商户">
          {objection.householdName}（{objection.uscc}，{districtName(objection.districtCode)}）
        </ProDescriptions.Item>
        <ProDescriptions.Item label="异议的分型">
          {contested?.year}年度 {label(TIER_LABELS, contested?.tier)}（基准日{proseDate(contested?.asOf)}）
        </ProDescriptions.Item>
        <ProDescriptions.Item label="判定依据">
          <OutcomeTags outcomes={contested?.trace?.outcomes} />
        </ProDescriptions.Item>
        <ProDescriptions.Item label="异议理由">{objection.reason}</ProDescriptions.Item>
        <ProDescriptions.Item label="经营者提供的更正数据">
          {objection.correctedFacts ? <pre style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{JSON.stringify(objection.correctedFacts, null, 2)}</pre> : '无'}
        </ProDescriptions.Item>
        <ProDescriptions.Item label="提出时间">{cstDateTime(objection.filedAt)}</ProDescriptions.Item>
        {objection.deadline && (
          <ProDescriptions.Item label="答复截止">
            <DueTag dueOn={objection.deadline.dueOn} />
          </ProDescriptions.Item>
        )}
        {objection.decision && (
          <ProDescriptions.Item label="处理结果">
            {label(TIER_OBJECTION_STATUS_LABELS, objection.decision.decision)}：{objection.decision.reason}
            {objection.decision.tier ? `；分型更正为${label(TIER_LABELS, objection.decision.tier)}` : ''}
          </ProDescriptions.Item>
        )}
      </ProDescriptions>
      {objection.status === 'open' && (
        <DecisionForm<{ decision: 'upheld' | 'dismissed'; reason: string; tier?: string; correctedFacts?: string }, unknown>
          ariaLabel="处理分型异议"
          submitText="提交答复"
          doneText="已答复分型异议"
          send={(values, headers) => {
            const body: DecisionBody = { decision: values.decision, reason: values.reason };
            if (values.tier) body.tier = values.tier as DecisionBody['tier'];
            if (values.correctedFacts?.trim()) body.correctedFacts = JSON.parse(values.correctedFacts) as DecisionBody['correctedFacts'];
            return api.POST('/tiering/objections/{objectionId}/decision', { headers, params: { path: { objectionId } }, body });
          }}
          onDone={onDecided}
        >
          <ProFormRadio.Group
            name="decision"
            label="处理结果"
            rules={[{ required: true, message: '请选择异议是否成立' }]}
            options={[
              { value: 'upheld', label: '异议成立（按更正后的数据重新判定）' },
              { value: 'dismissed', label: '异议不成立（维持原分型）' },
            ]}
          />
          <ProFormTextArea name="reason" label="答复理由" rules={[{ required: true, message: '请写明答复理由' }]} fieldProps={{ maxLength: 2000, showCount: true }} />
          <ProFormSelect
            name="tier"
            label="更正后的分型（可选）"
            tooltip="填写的，须与按更正数据重新判定的结果一致"
            options={labelOptions(TIER_LABELS)}
            allowClear
          />
          <ProFormTextArea
            name="correctedFacts"
            label="更正的数据（可选，JSON）"
            extra="不填的，按经营者提供的更正数据重新判定。"
            rules={[
              {
                validator: async (_: unknown, value: string | undefined) => {
                  if (!value?.trim()) return;
                  try {
                    JSON.parse(value);
                  } catch {
                    throw new Error('不是有效的JSON，请检查括号和引号');
                  }
                },
              },
            ]}
          />
        </DecisionForm>
      )}
    </Space>
  );
}
