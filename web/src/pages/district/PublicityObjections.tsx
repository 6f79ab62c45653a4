import { PageContainer, ProTable, type ActionType } from '@ant-design/pro-components';
import { Button, Modal, Typography } from 'antd';
import { useRef, useState } from 'react';
import { api } from '../../api/client';
import { CATEGORY_LABELS, label, tableDate } from '../../format';
import { DecisionForm } from './kit/DecisionForm';
import { DueTag } from './kit/DueTag';
import { emptyLocale } from './kit/empty';
import { ObjectionResolution, ObjectionResolutionFields } from './kit/objections';
import { caseViews, HouseholdCell, useTableRequest } from './kit/tables';

interface ObjectionRow {
  key: string;
  caseId: string;
  householdName: string;
  category: string;
  objectionsUntil: string | null;
  objectionNo: number;
  reason: string;
  filedBy: string;
  filedAt: string;
  resolution: string | null;
  resolutionReason: string | null;
}

/** Every objection filed against the district's publicity notices now up, for the office to resolve. */
async function publicityObjections(): Promise<ObjectionRow[]> {
  const views = await caseViews({ status: 'publicity', page: 1, pageSize: 100 });
  return views.flatMap((view) =>
    (view.objections ?? []).map((objection) => ({
      key: `${view.caseId}-${objection.objectionNo}`,
      caseId: view.caseId ?? '',
      householdName: view.householdName ?? '',
      category: view.category ?? '',
      objectionsUntil: view.publicity?.objectionsUntil ?? null,
      objectionNo: objection.objectionNo ?? 0,
      reason: objection.reason ?? '',
      filedBy: objection.filedBy ?? '',
      filedAt: objection.filedAt ?? '',
      resolution: objection.resolution ?? null,
      resolutionReason: objection.resolutionReason ?? null,
    })),
  );
}

export default function PublicityObjections() {
  const loadTable = useTableRequest();
  const table = useRef<ActionType>(null);
  const [resolving, setResolving] = useState<ObjectionRow | null>(null);

  return (
    <PageContainer title="公示异议" content="本区公示中案件收到的异议。每件异议都须处理完毕，案件才能继续；异议成立的，不予认定。">
      <ProTable<ObjectionRow>
        actionRef={table}
        rowKey="key"
        headerTitle="公示期内的异议"
        search={false}
        options={{ reload: true, density: false, setting: false }}
        pagination={false}
        request={() => loadTable(async () => {
          const rows = await publicityObjections();
          // Unresolved first: they hold their case back.
          rows.sort((a, b) => Number(a.resolution !== null) - Number(b.resolution !== null) || a.filedAt.localeCompare(b.filedAt));
          return { data: rows };
        })}
        locale={emptyLocale('目前本区公示中的案件没有异议')}
        columns={[
          {
            title: '个体工商户',
            dataIndex: 'householdName',
            render: (_, row) => <HouseholdCell to={`/district/cases/${row.caseId}`} name={row.householdName} note={label(CATEGORY_LABELS, row.category)} />,
          },
          { title: '异议期至', dataIndex: 'objectionsUntil', render: (_, row) => <DueTag dueOn={row.objectionsUntil} /> },
          { title: '编号', dataIndex: 'objectionNo', width: 60 },
          { title: '异议内容', dataIndex: 'reason', ellipsis: false },
          { title: '提出人', dataIndex: 'filedBy', render: (_, row) => (row.filedBy === 'anonymous' ? '匿名' : row.filedBy) },
          { title: '提出时间', dataIndex: 'filedAt', render: (_, row) => tableDate(row.filedAt) },
          {
            title: '处理',
            dataIndex: 'resolution',
            render: (_, row) =>
              row.resolution ? (
                <ObjectionResolution upheld={row.resolution === 'upheld'} reason={row.resolutionReason} />
              ) : (
                <Button type="primary" onClick={() => setResolving(row)} aria-label={`处理${row.householdName}的第${row.objectionNo}号异议`}>
                  处理
                </Button>
              ),
          },
        ]}
      />
      <Modal open={resolving !== null} title={resolving ? `处理异议：${resolving.householdName} 第${resolving.objectionNo}号` : ''} footer={null} onCancel={() => setResolving(null)} destroyOnHidden>
        {resolving && (
          <>
            <Typography.Paragraph>
              <Typography.Text type="secondary">异议内容：</Typography.Text>
              {resolving.reason}
            </Typography.Paragraph>
            <DecisionForm<{ upheld: boolean; reason: string }, unknown>
              ariaLabel="处理公示异议"
              submitText="提交处理结果"
              doneText="已记录异议处理结果"
              send={({ upheld, reason }, headers) =>
                api.POST('/cases/{caseId}/review', {
                  headers,
                  params: { path: { caseId: resolving.caseId } },
                  body: { decision: 'resolve_objection', objectionNo: resolving.objectionNo, upheld, reason },
                })
              }
              onDone={() => {
                setResolving(null);
                table.current?.reload();
              }}
            >
              <ObjectionResolutionFields />
            </DecisionForm>
          </>
        )}
      </Modal>
    </PageContainer>
  );
}
