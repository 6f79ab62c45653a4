import { PageContainer } from '@ant-design/pro-components';
import { Tabs } from 'antd';
import { CaseSearchTable, WorklistTable } from './CaseTable';

const casePath = (caseId: string) => `/district/cases/${caseId}`;

/** The district office's inbox: what waits for its move, overdue first; and every case of the district. */
export default function Worklist() {
  return (
    <PageContainer title="待办事项" content="本区等待区市场监管局办理的案件，已逾期的排在最前；截止日期按剩余工作日着色。">
      <Tabs
        items={[
          { key: 'todo', label: '待我办理', children: <WorklistTable casePath={casePath} showDistrict={false} headerTitle="待办案件" /> },
          { key: 'all', label: '本区全部案件', children: <CaseSearchTable casePath={casePath} showDistrict={false} /> },
        ]}
      />
    </PageContainer>
  );
}
