import { Empty, Table, Tag } from 'antd';
import { Link } from 'react-router-dom';
import type { CaseSummary } from '../../api/types';
import { DueDate } from '../../components/DueDate';
import { ErrorAlert } from '../../components/ErrorAlert';
import { usePagedRead } from '../../components/paging';
import { CASE_STATUS_LABELS } from '../../../../policy/case-status-labels.js';
import { CATEGORY_LABELS, districtName, label } from '../../format';

/** Cases as a department reads them, a page at a time: whose, which category, where they stand, by when. */
export function CaseList({ load, empty, action }: { load: (page: number, pageSize: number) => Promise<CaseSummary[]>; empty: string; action: (row: CaseSummary) => string }) {
  const { data, error, loading, pagination } = usePagedRead(load);
  return (
    <>
      <ErrorAlert error={error} />
      <Table<CaseSummary>
        rowKey="caseId"
        loading={loading}
        dataSource={data ?? []}
        pagination={pagination}
        locale={{ emptyText: <Empty description={empty} /> }}
        columns={[
          { title: '个体工商户', dataIndex: 'householdName' },
          { title: '所属区', dataIndex: 'districtCode', render: (code: string) => districtName(code) },
          { title: '年度', dataIndex: 'year' },
          { title: '类别', dataIndex: 'category', render: (category: string) => label(CATEGORY_LABELS, category) },
          { title: '状态', dataIndex: 'status', render: (status: string) => <Tag>{label(CASE_STATUS_LABELS, status)}</Tag> },
          { title: '截止日期', dataIndex: 'dueOn', render: (dueOn: string | null) => <DueDate dueOn={dueOn} /> },
          {
            title: '操作',
            key: 'open',
            render: (_: unknown, row) => (
              <Link to={`/department/cases/${row.caseId}`} aria-label={`${action(row)}：${row.householdName}`}>
                {action(row)}
              </Link>
            ),
          },
        ]}
      />
    </>
  );
}
