import { ProTable, type ProColumns } from '@ant-design/pro-components';
import { Typography } from 'antd';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { CASE_STATUS_LABELS } from '../../../../policy/case-status-labels.js';
import { CATEGORY_LABELS, DISTRICT_OPTIONS, ROLE_LABELS, districtName, label, labelEnum, tableDate } from '../../format';
import { DueTag } from './kit/DueTag';
import type { CaseSummary } from '../../api/types';
import { ToneTag } from './kit/ToneTag';
import { emptyLocale } from './kit/empty';
import { useTableRequest } from './kit/tables';
import { pagedTotal } from '../../components/paging';

const statusOptions = labelEnum(CASE_STATUS_LABELS);
const categoryOptions = labelEnum(CATEGORY_LABELS);

/** The cases an office works on: a link to each, the step it is at, whom it waits for, due date by urgency. */
export function caseColumns(casePath: (caseId: string) => string, options: { searchable: boolean; showDistrict: boolean }): ProColumns<CaseSummary>[] {
  return [
    {
      title: '个体工商户',
      dataIndex: 'householdName',
      search: false,
      render: (_, row) => (
        <div>
          <Link to={casePath(row.caseId ?? '')}>{row.householdName}</Link>
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {row.uscc}
            </Typography.Text>
          </div>
        </div>
      ),
    },
    ...(options.showDistrict
      ? [
          {
            title: '所属区',
            dataIndex: 'districtCode',
            valueType: 'select' as const,
            fieldProps: { options: DISTRICT_OPTIONS, showSearch: true },
            search: options.searchable,
            render: (_: unknown, row: CaseSummary) => districtName(row.districtCode),
          },
        ]
      : []),
    { title: '申报类别', dataIndex: 'category', valueType: 'select', valueEnum: categoryOptions, search: options.searchable, render: (_, row) => label(CATEGORY_LABELS, row.category) },
    { title: '年度', dataIndex: 'year', valueType: 'digit', search: options.searchable, render: (_, row) => row.year },
    {
      title: '办理状态',
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: statusOptions,
      search: options.searchable,
      render: (_, row) => <ToneTag>{label(CASE_STATUS_LABELS, row.status)}</ToneTag>,
    },
    { title: '等待', dataIndex: 'waitingFor', search: false, render: (_, row) => (row.waitingFor ? label(ROLE_LABELS, row.waitingFor) : '—') },
    {
      title: '截止日期',
      dataIndex: 'dueOn',
      valueType: 'date',
      search: options.searchable ? { transform: (value: string) => ({ dueBefore: value }) } : false,
      fieldProps: { placeholder: '此日期前到期' },
      render: (_, row) => <DueTag dueOn={row.dueOn} />,
    },
    { title: '最近更新', dataIndex: 'updatedAt', search: false, render: (_, row) => tableDate(row.updatedAt) },
  ];
}

export function WorklistTable({ casePath, showDistrict, headerTitle }: { casePath: (caseId: string) => string; showDistrict: boolean; headerTitle: string }) {
  const loadTable = useTableRequest();
  return (
    <ProTable<CaseSummary>
      rowKey="caseId"
      headerTitle={headerTitle}
      locale={emptyLocale('目前没有等待办理的案件；有新的申报、推荐或到期需要办理的环节时，会显示在这里')}
      search={false}
      options={{ reload: true, density: false, setting: false }}
      columns={caseColumns(casePath, { searchable: false, showDistrict })}
      pagination={{ pageSize: 20, showSizeChanger: false }}
      rowClassName={(row) => (row.overdue ? 'office-row-overdue' : '')}
      request={({ current = 1, pageSize = 20 }) => loadTable(async () => {
        const rows = await unwrap(api.GET('/worklist', { params: { query: { page: current, pageSize } } }));
        return { data: rows, total: pagedTotal(current, pageSize, rows.length) };
      })}
    />
  );
}

export function CaseSearchTable({ casePath, showDistrict }: { casePath: (caseId: string) => string; showDistrict: boolean }) {
  const loadTable = useTableRequest();
  return (
    <ProTable<CaseSummary, { status?: string; category?: string; year?: number; dueBefore?: string; districtCode?: string }>
      rowKey="caseId"
      headerTitle="案件查询"
      locale={emptyLocale('没有符合条件的案件')}
      options={{ reload: true, density: false, setting: false }}
      search={{ labelWidth: 'auto', searchText: '查询', resetText: '重置', defaultCollapsed: false }}
      columns={caseColumns(casePath, { searchable: true, showDistrict })}
      pagination={{ pageSize: 20, showSizeChanger: false }}
      request={({ current = 1, pageSize = 20, status, category, year, dueBefore, districtCode }) => loadTable(async () => {
        const query = {
          page: current,
          pageSize,
          ...(districtCode ? { districtCode } : {}),
          ...(status ? { status: status as never } : {}),
          ...(category ? { category: category as never } : {}),
          ...(year ? { year: Number(year) } : {}),
          ...(dueBefore ? { dueBefore } : {}),
        };
        const rows = await unwrap(api.GET('/cases', { params: { query } }));
        return { data: rows, total: pagedTotal(current, pageSize, rows.length) };
      })}
    />
  );
}
