import { PageContainer, ProTable } from '@ant-design/pro-components';
import { CATEGORY_LABELS, cstDateTime, label, tableDate } from '../../format';
import { DueTag } from './kit/DueTag';
import { REPORT_STATUS_LABELS } from './kit/labels';
import { ToneTag } from './kit/ToneTag';
import { emptyLocale } from './kit/empty';
import { caseViews, HouseholdCell, useTableRequest } from './kit/tables';

interface ReportRow {
  key: string;
  caseId: string;
  householdName: string;
  category: string;
  year: number;
  status: string;
  dueOn: string;
  cancelOn: string;
  escalated: boolean;
  filedAt: string | null;
  late: boolean;
  revenue: number | null;
  employees: number | null;
  operatorChanged: boolean;
}

/** What waits for the office: a filed report to review, a missing one past its due date to chase or excuse. */
const waitsForOffice = (row: ReportRow) => row.status === 'filed' || (row.status === 'due' && row.escalated);

/** The recognised households' annual reports (C-ANNUAL): filed ones to review, missing ones past 31 July to chase or excuse. */
async function annualReports(): Promise<ReportRow[]> {
  const views = await caseViews({ status: 'recognised', page: 1, pageSize: 100 });
  return views.flatMap((view) =>
    (view.reports ?? []).map((report) => ({
      key: `${view.caseId}-${report.year}`,
      caseId: view.caseId ?? '',
      householdName: view.householdName ?? '',
      category: view.category ?? '',
      year: report.year ?? 0,
      status: report.status ?? '',
      dueOn: report.dueOn ?? '',
      cancelOn: report.cancelOn ?? '',
      escalated: report.escalated ?? false,
      filedAt: report.filing?.filedAt ?? null,
      late: report.filing?.late ?? false,
      revenue: report.filing?.revenue ?? null,
      employees: report.filing?.employees ?? null,
      operatorChanged: report.filing?.operatorChanged ?? false,
    })),
  );
}

export default function AnnualReports() {
  const loadTable = useTableRequest();
  return (
    <PageContainer
      title="年度信息报告"
      content="已认定个体工商户每年7月底前报送年度信息报告。已提交的请审核（仍符合分型基础条件的通过，不符合的不予通过并取消认定）；逾期未报的，宽限期满前可准予免报。点击户名进入案件办理。"
    >
      <ProTable<ReportRow>
        rowKey="key"
        headerTitle="本区已认定户的年度信息报告"
        search={false}
        options={{ reload: true, density: false, setting: false }}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        locale={emptyLocale('本区暂无已认定户的年度信息报告')}
        request={() => loadTable(async () => {
          const rows = await annualReports();
          rows.sort((a, b) => Number(!waitsForOffice(a)) - Number(!waitsForOffice(b)) || a.dueOn.localeCompare(b.dueOn));
          return { data: rows };
        })}
        columns={[
          {
            title: '个体工商户',
            dataIndex: 'householdName',
            render: (_, row) => <HouseholdCell to={`/district/cases/${row.caseId}`} name={row.householdName} note={label(CATEGORY_LABELS, row.category)} />,
          },
          { title: '年度', dataIndex: 'year' },
          {
            title: '状态',
            dataIndex: 'status',
            render: (_, row) => (
              <ToneTag color={row.status === 'filed' ? 'processing' : row.status === 'due' && row.escalated ? 'error' : 'default'}>
                {label(REPORT_STATUS_LABELS, row.status)}
                {row.escalated && row.status === 'due' ? '（已逾期）' : ''}
              </ToneTag>
            ),
          },
          { title: '报送截止', dataIndex: 'dueOn', render: (_, row) => (row.status === 'due' ? <DueTag dueOn={row.dueOn} /> : tableDate(row.dueOn)) },
          { title: '未报取消日', dataIndex: 'cancelOn', render: (_, row) => (row.status === 'due' ? tableDate(row.cancelOn) : '—') },
          { title: '提交时间', dataIndex: 'filedAt', render: (_, row) => (row.filedAt ? `${cstDateTime(row.filedAt)}${row.late ? '（逾期提交）' : ''}` : '—') },
          { title: '营业收入（元）', dataIndex: 'revenue', render: (_, row) => row.revenue?.toLocaleString('zh-CN') ?? '—' },
          { title: '从业人员', dataIndex: 'employees', render: (_, row) => row.employees ?? '—' },
          { title: '经营者变更', dataIndex: 'operatorChanged', render: (_, row) => (row.operatorChanged ? '是' : '否') },
        ]}
      />
    </PageContainer>
  );
}
