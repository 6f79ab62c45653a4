import { PageContainer, ProTable } from '@ant-design/pro-components';
import { Space } from 'antd';
import { useState } from 'react';
import { CATEGORY_LABELS, cstDateTime, label, tableDate } from '../../format';
import { DueTag } from './kit/DueTag';
import { REPORT_STATUS_LABELS } from './kit/labels';
import { ToneTag } from './kit/ToneTag';
import { emptyLocale } from './kit/empty';
import { caseViews, HouseholdCell, useTableRequest } from './kit/tables';
import { pagedTotal } from '../../components/paging';
import type { CaseView } from '../../api/types';

type Scope = 'waiting' | 'all';

interface ReportRow {
  caseId: string;
  householdName: string;
  category: string;
  /** The report shown: the one waiting for the office, otherwise the latest; none before the first July. */
  year: number | null;
  firstReportYear: number | null;
  status: string | null;
  dueOn: string | null;
  cancelOn: string | null;
  escalated: boolean;
  filedAt: string | null;
  late: boolean;
  revenue: number | null;
  employees: number | null;
  operatorChanged: boolean;
  /** The final year's evaluation waits for the office (C-EVAL): the other reason a recognition is on its list. */
  evaluationWaits: boolean;
}

type Report = NonNullable<CaseView['reports']>[number];

/** What waits for the office: a filed report to review, a missing one past its due date to chase or excuse. */
const waitsForOffice = (report: Report) => report.status === 'filed' || (report.status === 'due' && report.escalated === true);

/** A recognised household's row: its report waiting for the office if it has one, otherwise its latest. */
function reportRow(view: CaseView): ReportRow {
  const reports = view.reports ?? [];
  const report = reports.find(waitsForOffice) ?? reports.reduce<Report | undefined>((latest, r) => ((r.year ?? 0) > (latest?.year ?? 0) ? r : latest), undefined);
  return {
    caseId: view.caseId ?? '',
    householdName: view.householdName ?? '',
    category: view.category ?? '',
    year: report?.year ?? null,
    firstReportYear: view.firstReportYear ?? null,
    status: report?.status ?? null,
    dueOn: report?.dueOn ?? null,
    cancelOn: report?.cancelOn ?? null,
    escalated: report?.escalated ?? false,
    filedAt: report?.filing?.filedAt ?? null,
    late: report?.filing?.late ?? false,
    revenue: report?.filing?.revenue ?? null,
    employees: report?.filing?.employees ?? null,
    operatorChanged: report?.filing?.operatorChanged ?? false,
    evaluationWaits: Boolean(view.evaluation?.openedAt) && !view.extension,
  };
}

const SCOPES: { key: Scope; label: string }[] = [
  { key: 'waiting', label: '待本局办理' },
  { key: 'all', label: '全部已认定户' },
];

/**
 * The recognised households' annual reports (C-ANNUAL), a household a row: first those waiting for
 * the office (a filed report to review, a missing one past 31 July to chase or excuse), chosen and
 * paged by the API, since a district holds more recognitions than a page could read.
 */
export default function AnnualReports() {
  const loadTable = useTableRequest();
  const [scope, setScope] = useState<Scope>('waiting');
  return (
    <PageContainer
      title="年度信息报告"
      content="已认定个体工商户每年7月底前报送年度信息报告。已提交的请审核（仍符合分型基础条件的通过，不符合的不予通过并取消认定）；逾期未报的，宽限期满前可准予免报。点击户名进入案件办理。"
    >
      <ProTable<ReportRow, { scope: Scope }>
        rowKey="caseId"
        headerTitle="本区已认定户的年度信息报告"
        search={false}
        options={{ reload: true, density: false, setting: false }}
        toolbar={{ menu: { type: 'tab', activeKey: scope, items: SCOPES, onChange: (key) => setScope(key as Scope) } }}
        params={{ scope }}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        locale={emptyLocale(scope === 'waiting' ? '目前没有等待本局审核的年度信息报告或评估确认' : '本区暂无已认定的个体工商户')}
        request={({ current = 1, pageSize = 20 }) => loadTable(async () => {
          // A recognition waits for its district office for its annual report, or for its final-year evaluation.
          const views = await caseViews({ status: 'recognised', ...(scope === 'waiting' ? { waitingFor: 'district' as const } : {}), page: current, pageSize });
          return { data: views.map(reportRow), total: pagedTotal(current, pageSize, views.length) };
        })}
        columns={[
          {
            title: '个体工商户',
            dataIndex: 'householdName',
            render: (_, row) => <HouseholdCell to={`/district/cases/${row.caseId}`} name={row.householdName} note={label(CATEGORY_LABELS, row.category)} />,
          },
          {
            title: '年度',
            dataIndex: 'year',
            render: (_, row) => (row.year !== null ? `${row.year}年度` : row.firstReportYear !== null ? `${row.firstReportYear}年度起报送` : '—'),
          },
          {
            title: '状态',
            dataIndex: 'status',
            render: (_, row) => (
              <Space size={[4, 4]} wrap>
                {row.status === null ? (
                  '尚未到报送期'
                ) : (
                  <ToneTag color={row.status === 'filed' ? 'processing' : row.status === 'due' && row.escalated ? 'error' : 'default'}>
                    {label(REPORT_STATUS_LABELS, row.status)}
                    {row.escalated && row.status === 'due' ? '（已逾期）' : ''}
                  </ToneTag>
                )}
                {row.evaluationWaits && <ToneTag color="warning">评估确认待办理</ToneTag>}
              </Space>
            ),
          },
          { title: '报送截止', dataIndex: 'dueOn', render: (_, row) => (row.status === 'due' ? <DueTag dueOn={row.dueOn} /> : tableDate(row.dueOn)) },
          { title: '未报取消日', dataIndex: 'cancelOn', render: (_, row) => (row.status === 'due' ? tableDate(row.cancelOn) : '—') },
          { title: '提交时间', dataIndex: 'filedAt', render: (_, row) => (row.filedAt ? `${cstDateTime(row.filedAt)}${row.late ? '（逾期提交）' : ''}` : '—') },
          { title: '营业收入（元）', dataIndex: 'revenue', render: (_, row) => row.revenue?.toLocaleString('zh-CN') ?? '—' },
          { title: '从业人员', dataIndex: 'employees', render: (_, row) => row.employees ?? '—' },
          { title: '经营者变更', dataIndex: 'operatorChanged', render: (_, row) => (row.filedAt === null ? '—' : row.operatorChanged ? '是' : '否') },
        ]}
      />
    </PageContainer>
  );
}
