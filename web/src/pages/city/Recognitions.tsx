import { PageContainer, ProTable } from '@ant-design/pro-components';
import { Link } from 'react-router-dom';
import { CATEGORY_LABELS, DISTRICT_OPTIONS, districtName, label, proseDate } from '../../format';
import { caseViews, HouseholdCell, useTableRequest } from '../district/kit/tables';
import { pagedTotal } from '../../components/paging';
import { REGION_LABELS, SPOT_CHECK_LABELS } from '../district/kit/labels';
import type { CaseView } from '../../api/types';
import { ToneTag } from '../district/kit/ToneTag';
import { emptyLocale } from '../district/kit/empty';

const AWAITING_CITY = ['selected', 'supplement_received'];

interface Focus {
  title: string;
  content: string;
  /** The table's title, and what it says when it lists nothing. */
  listTitle: string;
  emptyText: string;
  /** Which recognitions the page lists, chosen by the API so that every page of the table is full. */
  query: { waitingFor?: 'city'; route?: 'self' };
  /** The decision the case page opens at. */
  decision: 'spot_check' | 'revocation';
  actionText: string;
}

export const SPOT_CHECKS: Focus = {
  title: '抽查',
  content: '各区认定的“名特优新”个体工商户报市市场监管委备案，按比例抽查（C-FILE）。抽中的可确认、要求限期补充材料或不予认定。',
  listTitle: '待抽查的认定',
  emptyText: '目前没有待抽查的认定',
  // A recognition waits for the city office only for its spot check.
  query: { waitingFor: 'city' },
  decision: 'spot_check',
  actionText: '抽查',
};

export const REVOCATIONS: Focus = {
  title: '撤销认定',
  content: '以弄虚作假、行贿、隐瞒真实情况等方式取得认定的，撤销认定，该户5年内不得再次申报（C-REVOKE）。此处列出自主申报取得的认定；部门推荐和京津冀互认迁入的不在此撤销。',
  listTitle: '自主申报取得的认定',
  emptyText: '没有自主申报取得的认定',
  // C-REVOKE concerns recognitions obtained by self-application.
  query: { route: 'self' },
  decision: 'revocation',
  actionText: '撤销认定',
};

/** Recognised households city-wide, with the spot check or the revocation one click away. */
export default function Recognitions({ focus }: { focus: Focus }) {
  const loadTable = useTableRequest();
  return (
    <PageContainer title={focus.title} content={focus.content}>
      <ProTable<CaseView, { districtCode?: string }>
        rowKey="caseId"
        headerTitle={focus.listTitle}
        search={{ labelWidth: 'auto', searchText: '查询', resetText: '重置' }}
        options={{ reload: true, density: false, setting: false }}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        locale={emptyLocale(focus.emptyText)}
        request={({ current = 1, pageSize = 20, districtCode }) => loadTable(async () => {
          const views = await caseViews({ status: 'recognised', ...focus.query, page: current, pageSize, ...(districtCode ? { districtCode } : {}) });
          return { data: views, total: pagedTotal(current, pageSize, views.length) };
        })}
        columns={[
          {
            title: '个体工商户',
            dataIndex: 'householdName',
            search: false,
            render: (_, view) => <HouseholdCell to={`/city/cases/${view.caseId}`} name={view.householdName} note={view.uscc} />,
          },
          {
            title: '所属区',
            dataIndex: 'districtCode',
            valueType: 'select',
            fieldProps: { options: DISTRICT_OPTIONS, showSearch: true },
            render: (_, view) => districtName(view.districtCode),
          },
          { title: '类别', dataIndex: 'category', search: false, render: (_, view) => label(CATEGORY_LABELS, view.category) },
          { title: '认定日期', dataIndex: 'recognition', search: false, render: (_, view) => proseDate(view.recognition?.recognisedOn) },
          { title: '有效期至', dataIndex: 'validUntil', search: false, render: (_, view) => proseDate(view.recognition?.validUntil) },
          { title: '认定地', dataIndex: 'origin', search: false, render: (_, view) => label(REGION_LABELS, view.origin) },
          {
            title: '抽查',
            dataIndex: 'spotCheck',
            search: false,
            render: (_, view) => (view.spotCheck ? <ToneTag color={AWAITING_CITY.includes(view.spotCheck.status ?? '') ? 'warning' : 'default'}>{label(SPOT_CHECK_LABELS, view.spotCheck.status)}</ToneTag> : '未抽中'),
          },
          {
            title: '操作',
            valueType: 'option',
            render: (_, view) => [
              <Link key="act" to={`/city/cases/${view.caseId}?decision=${focus.decision}`} aria-label={`${focus.actionText}：${view.householdName}`}>
                {focus.actionText}
              </Link>,
            ],
          },
        ]}
      />
    </PageContainer>
  );
}
