import { Empty, Table, Tag } from 'antd';
import { Link } from 'react-router-dom';
import type { CaseSummary } from '../../api/types';
import { DueDate } from '../../components/DueDate';
import { CASE_STATUS_LABELS } from '../../../../policy/case-status-labels.js';
import { CATEGORY_LABELS, districtName, label } from '../../format';


/** Cases as a department reads them: whose, which category, where they stand, by when. */
export function CaseList({ rows, loading, empty, action }: { rows: CaseSummary[]; loading: boolean; empty: string; action: (row: CaseSummary) => string }) {
  return (
    <Table<CaseSummary>
      rowKey="caseId"
      loading={loading}
      dataSource={rows}
      pagination={false}
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
  );
}
