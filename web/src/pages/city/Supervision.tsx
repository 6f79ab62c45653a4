import { PageContainer } from '@ant-design/pro-components';
import { Tabs } from 'antd';
import { CaseSearchTable, WorklistTable } from '../district/CaseTable';

const casePath = (caseId: string) => `/city/cases/${caseId}`;

/** The city office supervises: every case waiting for someone, overdue and escalated first; and every case of the city. */
export default function Supervision() {
  return (
    <PageContainer title="督办事项" content="全市等待办理的案件（含逾期上报市级的、待抽查的、市级部门推荐由市市场监管委审核的），已逾期的排在最前。">
      <Tabs
        items={[
          { key: 'waiting', label: '等待办理', children: <WorklistTable casePath={casePath} showDistrict headerTitle="全市等待办理的案件" /> },
          { key: 'all', label: '全市案件', children: <CaseSearchTable casePath={casePath} showDistrict /> },
        ]}
      />
    </PageContainer>
  );
}
