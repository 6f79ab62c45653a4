import { Button, Card, Empty, Table, Tag } from 'antd';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { DueDate } from '../../components/DueDate';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Page } from '../../components/Page';
import { useApi } from '../../components/useApi';
import { CASE_STATUS_LABELS } from '../../../../policy/case-status-labels.js';
import { CATEGORY_LABELS, label, WAITING_FOR_TEXT } from '../../format';
import { useHouseholdUscc } from './useHousehold';

/** The household's cases, each with what it waits for and by when. */
export function Cases() {
  const uscc = useHouseholdUscc();
  const navigate = useNavigate();
  const { data, error, loading } = useApi(() => unwrap(api.GET('/households/{uscc}/cases', { params: { path: { uscc } } })), [uscc]);
  return (
    <Page title="我的认定事项" subTitle="自主申报、部门推荐和认定后的年度信息报告" extra={<Button type="primary" onClick={() => navigate('/household/apply')}>自主申报</Button>}>
      <Card>
        <ErrorAlert error={error} />
        <Table
          rowKey="caseId"
          // On a phone the table scrolls sideways rather than stacking a name a character a line.
          scroll={{ x: 'max-content' }}
          loading={loading}
          dataSource={data ?? []}
          pagination={false}
          locale={{ emptyText: <Empty description="还没有认定事项。符合条件的可自主申报，也可由相关部门推荐。" /> }}
          columns={[
            { title: '年度', dataIndex: 'year' },
            { title: '类别', dataIndex: 'category', render: (category: string) => label(CATEGORY_LABELS, category) },
            { title: '状态', dataIndex: 'status', render: (status: string) => <Tag color={status === 'recognised' ? 'green' : 'blue'}>{label(CASE_STATUS_LABELS, status)}</Tag> },
            {
              title: '等待',
              key: 'waiting',
              render: (_: unknown, row) =>
                row.waitingFor === 'household' ? <Tag color="orange">等待您办理</Tag> : (WAITING_FOR_TEXT[row.status ?? ''] ?? '—'),
            },
            { title: '截止日期', dataIndex: 'dueOn', render: (dueOn: string | null) => <DueDate dueOn={dueOn} /> },
            {
              title: '操作',
              key: 'open',
              // In reach on a phone, where the rest of the row scrolls sideways.
              fixed: 'right',
              render: (_: unknown, row) => (
                <Link to={`/household/cases/${row.caseId}`} aria-label={`查看${row.year}年度认定事项`}>
                  {row.waitingFor === 'household' ? '去办理' : '查看进度'}
                </Link>
              ),
            },
          ]}
        />
      </Card>
    </Page>
  );
}
