import { Alert, Button, Card, Descriptions, Form, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { Body } from '../../api/types';
import { CategoryField, CriteriaChecklist } from '../../components/ApplicationFields';
import { EligibilityList } from '../../components/Eligibility';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Page } from '../../components/Page';
import { useApi } from '../../components/useApi';
import { formFieldErrors } from '../../errors';
import { requiredChoice } from '../../components/rules';
import { proseDate } from '../../format';
import { useHouseholdUscc } from './useHousehold';
import { useFactColumns } from '../../components/columns';

type ApplicationBody = Body<'/applications'>;
type Category = ApplicationBody['category'];
interface ApplicationValues {
  category: Category;
  claimedCriteria: ApplicationBody['claimedCriteria'];
  evidenceRefs?: string[];
}
const FORM_FIELDS = ['category', 'claimedCriteria', 'evidenceRefs'] as const;

/**
 * C-SELF with C-NOFEE: the application pre-filled from what the government holds, every
 * eligibility clause explained before anything is filed, the criteria in the plan's words.
 */
export function Apply() {
  const uscc = useHouseholdUscc();
  const navigate = useNavigate();
  const [form] = Form.useForm<ApplicationValues>();
  const category = Form.useWatch('category', form);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const factColumns = useFactColumns();
  const { data, error: loadError, loading } = useApi(() => unwrap(api.GET('/households/{uscc}/application-form', { params: { path: { uscc } } })), [uscc]);

  const submit = async (values: ApplicationValues) => {
    setBusy(true);
    setError(null);
    try {
      const started = await unwrap(api.POST('/applications', { body: { uscc, category: values.category, claimedCriteria: values.claimedCriteria, evidenceRefs: values.evidenceRefs ?? [] } }));
      navigate(`/household/cases/${started.caseId}`);
    } catch (failure) {
      const fieldErrors = formFieldErrors(failure, FORM_FIELDS);
      form.setFields(fieldErrors);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const criteria = category ? (data?.criteria?.[category] ?? []) : [];
  const existingCase = data?.eligibility?.find((result) => result.clause === 'C-ONE-TYPE' && !result.passed);
  return (
    <Page title="自主申报“名特优新”个体工商户" subTitle={data ? `${data.year}年度 · 认定不收取任何费用` : undefined} loading={loading}>
      <ErrorAlert error={loadError} />
      {data && (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Card title="申报主体（由系统根据登记信息自动填写）">
            <Typography.Paragraph type="secondary">政府部门已掌握的信息无需重复提交（C-NOFEE）。信息有误的，请联系区市场监管局更正登记信息。</Typography.Paragraph>
            <Descriptions bordered size="small" {...factColumns}>
              <Descriptions.Item label="名称">{data.household?.name}</Descriptions.Item>
              <Descriptions.Item label="统一社会信用代码">{data.uscc}</Descriptions.Item>
              <Descriptions.Item label="经营者">{data.household?.operatorName}</Descriptions.Item>
              <Descriptions.Item label="所属区">{data.household?.districtName}</Descriptions.Item>
              <Descriptions.Item label="成立日期">{proseDate(data.household?.establishedOn)}</Descriptions.Item>
              <Descriptions.Item label="受理部门">{data.household?.districtName}市场监管局</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card title="申报条件逐条说明（提交前）">
            {data.eligible ? (
              <Alert type="success" showIcon style={{ marginBottom: 12 }} message="符合全部申报条件，可以提交申报。" />
            ) : (
              <Alert
                type="warning"
                showIcon
                style={{ marginBottom: 12 }}
                message="目前不符合以下标为“不符合”的条件，暂不能提交申报。"
                description={existingCase ? <Link to="/household/cases">查看本年度已有的认定事项</Link> : '请按各条说明消除相应情形后再申报；对分型结果有异议的，可提出分型异议申诉。'}
              />
            )}
            <EligibilityList results={data.eligibility ?? []} />
          </Card>
          <Card title="申报内容">
            <ErrorAlert error={error} />
            <Form form={form} layout="vertical" onFinish={(values) => void submit(values)} disabled={!data.eligible} requiredMark>
              <CategoryField form={form} label="申报类别" requiredMessage="请选择申报类别" />
              <Form.Item
                name="claimedCriteria"
                label="符合的认定标准（可多选，符合其中一项即可申报）"
                rules={[requiredChoice('请至少选择一项符合的认定标准')]}
                extra={category ? undefined : '请先选择申报类别'}
              >
                <CriteriaChecklist criteria={criteria} criterionText={data.criterionText} />
              </Form.Item>
              <Form.Item
                name="evidenceRefs"
                label="证明材料（可选）"
                extra="填写证书、荣誉等材料的名称或编号，每项回车确认；政府部门已掌握的材料无需填写。"
              >
                <Select mode="tags" open={false} tokenSeparators={['，', ',']} placeholder="如：老字号认定证书 津商2019-015" aria-label="证明材料" maxCount={50} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={busy} size="large">
                提交申报
              </Button>
            </Form>
          </Card>
        </Space>
      )}
    </Page>
  );
}
