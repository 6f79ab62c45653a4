import { Alert, Button, Card, Form, Input, Radio, Select, Typography } from 'antd';
import { useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { CasePage } from '../../components/CasePage';
import { DueDate } from '../../components/DueDate';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useDecisionForm } from '../../components/useDecisionForm';
import { requiredChoice } from '../../components/rules';
import { useSession } from '../../session';

/** A case as the department sees it, with the opinion or X4 answer it owes, if any. */
export function DepartmentCase() {
  const { caseId = '' } = useParams();
  const { actor } = useSession();
  const department = actor?.department ?? '';
  return (
    <CasePage
      title="认定事项"
      caseId={caseId}
      actions={(view, reload) => {
        const owesOpinion =
          view.status === 'soliciting_opinions' && (view.consultedDepartments ?? []).includes(department) && !(view.opinions ?? []).some((o) => o.department === department);
        const owesX4 =
          view.status === 'recognised' && view.recommendingDepartment === department && !!view.evaluation?.openedAt && !(view.evaluation.findings ?? []).some((f) => f.criterion === 'X4');
        return (
          <>
            {owesOpinion && <OpinionForm caseId={caseId} dueOn={view.deadline?.dueOn} onDone={reload} />}
            {owesX4 && <X4Form caseId={caseId} onDone={reload} />}
          </>
        );
      }}
    />
  );
}

function OpinionForm({ caseId, dueOn, onDone }: { caseId: string; dueOn?: string; onDone: () => void }) {
  const { form, error, busy, submit } = useDecisionForm<{ opinion: 'support' | 'object'; comment?: string }>(
    ['opinion', 'comment'],
    (values, key) => unwrap(api.POST('/cases/{caseId}/opinions', { params: { path: { caseId }, header: { 'idempotency-key': key } }, body: values })),
    '意见已反馈。',
    onDone,
  );
  return (
    <Card title="反馈意见（征求意见）">
      <Typography.Paragraph>
        <DueDate dueOn={dueOn} prefix="请在截止日期前反馈，逾期视为未反馈：" />
      </Typography.Paragraph>
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item name="opinion" label="意见" rules={[requiredChoice('请选择同意或不同意')]}>
          <Radio.Group>
            <Radio.Button value="support">同意</Radio.Button>
            <Radio.Button value="object">不同意</Radio.Button>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="comment" label="意见说明（可选）">
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          提交意见
        </Button>
      </Form>
    </Card>
  );
}

function X4Form({ caseId, onDone }: { caseId: string; onDone: () => void }) {
  const { form, error, busy, submit } = useDecisionForm<{ met: boolean; note?: string; evidenceRefs?: string[] }>(
    ['met', 'note', 'evidenceRefs'],
    (values, key) => unwrap(api.POST('/cases/{caseId}/evaluation', { params: { path: { caseId }, header: { 'idempotency-key': key } }, body: { criterion: 'X4', ...values } })),
    '评估确认意见已提交。',
    onDone,
  );
  return (
    <Card title="评估确认：推荐部门意见（X4）">
      <Alert type="info" showIcon style={{ marginBottom: 16 }} message="本部门推荐认定的“名特优新”个体工商户进入有效期最后一年。推荐部门同意的，有效期延长3年（C-EVAL X4）。" />
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item name="met" label="是否同意延长有效期" rules={[requiredChoice('请选择同意或不同意')]}>
          <Radio.Group>
            <Radio.Button value={true}>同意延长</Radio.Button>
            <Radio.Button value={false}>不同意</Radio.Button>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="evidenceRefs" label="依据材料（可选）">
          <Select mode="tags" open={false} aria-label="依据材料" maxCount={50} />
        </Form.Item>
        <Form.Item name="note" label="说明（可选）">
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          提交
        </Button>
      </Form>
    </Card>
  );
}
