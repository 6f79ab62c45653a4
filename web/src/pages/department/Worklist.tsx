import { Card, Typography } from 'antd';
import { api, unwrap } from '../../api/client';
import { Page } from '../../components/Page';
import { CaseList } from './CaseList';

/** What waits for the department: opinions asked of it (征求意见) and X4 answers of evaluations (C-EVAL), overdue first. */
export function Worklist() {
  return (
    <Page title="待办事项" subTitle="征求本部门意见的认定事项，以及本部门推荐的“名特优新”个体工商户的评估确认（逾期的排在最前）">
      <Card>
        <Typography.Paragraph type="secondary">区市场监管局走访核实后征求相关部门意见；本部门推荐认定的，在有效期最后一年评估确认时请本部门答复是否同意延长（X4）。</Typography.Paragraph>
        <CaseList
          load={(page, pageSize) => unwrap(api.GET('/worklist', { params: { query: { page, pageSize } } }))}
          empty="目前没有等待本部门办理的事项"
          action={(row) => (row.status === 'soliciting_opinions' ? '反馈意见' : '评估确认')}
        />
      </Card>
    </Page>
  );
}
