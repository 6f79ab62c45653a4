import { Alert, Button, Card, Form, Input, InputNumber, Radio, Select, Switch, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { CaseView } from '../../api/types';
import { CasePage } from '../../components/CasePage';
import { DueDate } from '../../components/DueDate';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useDecisionForm } from '../../components/useDecisionForm';
import { useDepartmentNames } from '../../components/useDepartmentNames';
import { requiredChoice } from '../../components/rules';
import { proseDate } from '../../format';

type AnnualReportDue = NonNullable<CaseView['reports']>[number];

/** One case of the household: where it stands, every step so far, and what it has to do now. */
export function CaseDetail() {
  const { caseId = '' } = useParams();
  return <CasePage title="认定事项详情" caseId={caseId} actions={(view, reload) => <HouseholdActions caseId={caseId} view={view} onDone={reload} />} />;
}

function HouseholdActions({ caseId, view, onDone }: { caseId: string; view: CaseView; onDone: () => void }) {
  const panels: ReactNode[] = [];
  if (view.status === 'awaiting_information') {
    panels.push(
      <EvidenceSupplement
        key="information"
        title="补充材料"
        request={`区市场监管局要求补充材料：${view.informationRequest?.reason ?? ''}`}
        dueOn={view.informationRequest?.dueOn ?? view.deadline?.dueOn}
        duePrefix="请在截止日期前提交："
        submitLabel="提交补充材料"
        success="补充材料已提交，区市场监管局将继续审核。"
        send={(values, key) => unwrap(api.POST('/cases/{caseId}/information', { params: { path: { caseId }, header: { 'idempotency-key': key } }, body: values }))}
        onDone={onDone}
      />,
    );
  }
  if (view.status === 'awaiting_consent') panels.push(<Consent key="consent" caseId={caseId} view={view} onDone={onDone} />);
  if (view.spotCheck?.status === 'awaiting_supplement') {
    panels.push(
      <EvidenceSupplement
        key="supplement"
        title="抽查补充材料"
        request={`市市场监管委抽查要求补充材料：${view.spotCheck.supplementRequest?.reason ?? ''}`}
        dueOn={view.spotCheck.supplementRequest?.dueOn}
        duePrefix="截止："
        submitLabel="提交"
        success="抽查补充材料已提交。"
        send={(values, key) => unwrap(api.POST('/cases/{caseId}/spot-check/supplement', { params: { path: { caseId }, header: { 'idempotency-key': key } }, body: values }))}
        onDone={onDone}
      />,
    );
  }
  const due = (view.reports ?? []).filter((report) => report.status === 'due');
  if (view.phase === 'recognised' && view.status === 'recognised' && due.length > 0) panels.push(<AnnualReport key="report" caseId={caseId} due={due} onDone={onDone} />);
  return <>{panels}</>;
}

interface SupplementValues {
  evidenceRefs: string[];
  note?: string;
}

/** Material the household was asked for (by the district office in its review, C-SELF, or by the city's spot check, C-FILE), by its due date. */
function EvidenceSupplement(props: {
  title: string;
  request: string;
  dueOn: string | undefined;
  duePrefix: string;
  submitLabel: string;
  success: string;
  send: (values: SupplementValues, key: string) => Promise<unknown>;
  onDone: () => void;
}) {
  const { form, error, busy, submit } = useDecisionForm<SupplementValues>(['evidenceRefs', 'note'], props.send, props.success, props.onDone);
  return (
    <Card title={props.title} styles={{ header: { background: '#fff7e6' } }}>
      <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={props.request} description={<DueDate dueOn={props.dueOn} prefix={props.duePrefix} />} />
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item name="evidenceRefs" label="补充的材料" extra="填写材料的名称或编号，每项回车确认。" rules={[requiredChoice('请至少填写一项补充的材料')]}>
          <Select mode="tags" open={false} tokenSeparators={['，', ',']} aria-label="补充的材料" maxCount={50} />
        </Form.Item>
        <Form.Item name="note" label="说明（可选）">
          <Input.TextArea rows={3} maxLength={2000} showCount />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {props.submitLabel}
        </Button>
      </Form>
    </Card>
  );
}

function Consent({ caseId, view, onDone }: { caseId: string; view: CaseView; onDone: () => void }) {
  const { form, error, busy, submit } = useDecisionForm<{ consent: boolean; reason?: string }>(
    ['consent', 'reason'],
    (values, key) => unwrap(api.POST('/cases/{caseId}/consent', { params: { path: { caseId }, header: { 'idempotency-key': key } }, body: values.consent ? { consent: true } : { consent: false, reason: values.reason } })),
    '已提交您的意见。',
    onDone,
  );
  const consent = Form.useWatch('consent', form);
  const departmentName = useDepartmentNames();
  return (
    <Card title="是否同意部门推荐" styles={{ header: { background: '#fff7e6' } }}>
      <Typography.Paragraph>
        {departmentName(view.recommendation?.department)}推荐本户参加“名特优新”个体工商户认定（{view.recommendation?.reason}）。依照规定，部门推荐须事先征得经营者同意（C-REC）。同意后由
        {view.recommendation?.level === 'city' ? '市市场监管委' : '区市场监管局'}审核；不同意的，本次推荐结束。
      </Typography.Paragraph>
      <Typography.Paragraph>
        <DueDate dueOn={view.deadline?.dueOn} prefix="请在截止日期前答复，逾期未答复推荐失效：" />
      </Typography.Paragraph>
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item name="consent" label="经营者意见" rules={[requiredChoice('请选择同意或不同意')]}>
          <Radio.Group>
            <Radio.Button value={true}>同意推荐</Radio.Button>
            <Radio.Button value={false}>不同意</Radio.Button>
          </Radio.Group>
        </Form.Item>
        {consent === false && (
          <Form.Item name="reason" label="不同意的理由（可选）">
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        )}
        <Button type="primary" htmlType="submit" loading={busy}>
          提交意见
        </Button>
      </Form>
    </Card>
  );
}

interface ReportValues {
  year: number;
  revenue?: number;
  employees?: number;
  operatorChanged?: boolean;
  newOperatorId?: string;
  note?: string;
}

function AnnualReport({ caseId, due, onDone }: { caseId: string; due: AnnualReportDue[]; onDone: () => void }) {
  const { form, error, busy, submit } = useDecisionForm<ReportValues>(
    ['year', 'revenue', 'employees', 'operatorChanged', 'newOperatorId', 'note'],
    (values, key) => unwrap(api.POST('/cases/{caseId}/annual-reports', { params: { path: { caseId }, header: { 'idempotency-key': key } }, body: values })),
    '年度信息报告已报送，区市场监管局将审核。',
    onDone,
  );
  const operatorChanged = Form.useWatch('operatorChanged', form);
  return (
    <Card title="年度信息报告">
      <Typography.Paragraph>有效期内每年7月底前报送年度信息报告（C-ANNUAL）；经营者变更的应及时报告。</Typography.Paragraph>
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" initialValues={{ year: due[0]?.year, operatorChanged: false }} onFinish={(values) => void submit(values)}>
        <Form.Item name="year" label="报告年度" rules={[requiredChoice('请选择报告年度')]}>
          <Select options={due.map((report) => ({ value: report.year, label: `${report.year}年度（${proseDate(report.dueOn)}前报送）` }))} aria-label="报告年度" />
        </Form.Item>
        <Form.Item name="revenue" label="上一年度营业收入（元）">
          <InputNumber min={0} style={{ width: 240 }} aria-label="上一年度营业收入（元）" />
        </Form.Item>
        <Form.Item name="employees" label="从业人员（人）">
          <InputNumber min={0} precision={0} style={{ width: 240 }} aria-label="从业人员（人）" />
        </Form.Item>
        <Form.Item name="operatorChanged" label="经营者是否变更" valuePropName="checked">
          <Switch checkedChildren="已变更" unCheckedChildren="未变更" />
        </Form.Item>
        {operatorChanged && (
          <Form.Item name="newOperatorId" label="新经营者身份证件号" rules={[{ required: true, message: '请填写新经营者的身份证件号（须已办理变更登记）' }]}>
            <Input maxLength={100} />
          </Form.Item>
        )}
        <Form.Item name="note" label="说明（可选）">
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          报送年度信息报告
        </Button>
      </Form>
    </Card>
  );
}
