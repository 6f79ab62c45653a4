import { Alert, Button, Card, Descriptions, Form, Input, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { CategoryField, CriteriaChecklist } from '../../components/ApplicationFields';
import { EligibilityList } from '../../components/Eligibility';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Page } from '../../components/Page';
import { describeError, formFieldErrors } from '../../errors';
import type { Answer, Body } from '../../api/types';
import { proseDate } from '../../format';
import { useSession } from '../../session';
import { useFactColumns } from '../../components/columns';
import { HouseholdFinder } from './HouseholdFinder';

type RecommendationBody = Body<'/recommendations'>;
type Category = RecommendationBody['category'];
interface RecommendationValues {
  category: Category;
  claimedCriteria?: RecommendationBody['claimedCriteria'];
  reason: string;
  evidenceRefs?: string[];
}
const FORM_FIELDS = ['category', 'claimedCriteria', 'reason', 'evidenceRefs'] as const;
/** The criterion a department's recommendation stands for in each category (C-REC), implied by the recommendation. */
const DEPARTMENT_CRITERION: Record<Category, string> = { renowned: 'K5', distinctive: 'F6', quality: 'Q6', emerging: 'E4' };

/** C-REC: a department recommends a household; the operator must consent before the review starts. */
export function Recommend() {
  const { actor } = useSession();
  const [form, setForm] = useState<ApplicationForm | null>(null);
  const [lookupError, setLookupError] = useState<string | null>(null);
  const [looking, setLooking] = useState(false);

  // The household's application form as a recommendation would file it; a refusal (another
  // district's household, an unknown code) is shown under the field, in Chinese.
  const lookUp = async (uscc: string) => {
    setForm(null);
    setLookupError(null);
    setLooking(true);
    try {
      setForm(await unwrap(api.GET('/households/{uscc}/application-form', { params: { path: { uscc } } })));
    } catch (failure) {
      setLookupError(describeError(failure).message);
    } finally {
      setLooking(false);
    }
  };

  return (
    <Page title="推荐个体工商户" subTitle="推荐老字号、非遗传承人、乡村工匠、退役军人创业者等参加“名特优新”认定（须事先征得经营者同意）">
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Card title="1. 选择被推荐的个体工商户">
          <Typography.Paragraph type="secondary">
            {actor?.districtCode ? '区级部门只能推荐本区的个体工商户，由区市场监管局审核。' : '市级部门推荐的，由市市场监管委审核。'}
          </Typography.Paragraph>
          <HouseholdFinder
            districtCode={actor?.districtCode}
            looking={looking}
            error={lookupError}
            onFound={(uscc) => void lookUp(uscc)}
            onInvalid={(message) => {
              setForm(null);
              setLookupError(message);
            }}
          />
        </Card>
        {form && <RecommendationForm key={form.uscc} data={form} />}
      </Space>
    </Page>
  );
}
type ApplicationForm = Answer<'/households/{uscc}/application-form'>;

function RecommendationForm({ data }: { data: ApplicationForm }) {
  const uscc = data.uscc ?? '';
  const navigate = useNavigate();
  const [form] = Form.useForm<RecommendationValues>();
  const category = Form.useWatch('category', form);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const factColumns = useFactColumns();

  const submit = async (values: RecommendationValues) => {
    setBusy(true);
    setError(null);
    try {
      const started = await unwrap(
        api.POST('/recommendations', {
          body: { uscc, category: values.category, claimedCriteria: values.claimedCriteria ?? [], reason: values.reason, evidenceRefs: values.evidenceRefs ?? [] },
        }),
      );
      navigate(`/department/cases/${started.caseId}`);
    } catch (failure) {
      form.setFields(formFieldErrors(failure, FORM_FIELDS));
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const own = category ? DEPARTMENT_CRITERION[category] : undefined;
  const others = category ? (data.criteria?.[category] ?? []).filter((criterion) => criterion !== own) : [];
  return (
    <>
      <Card title="2. 申报条件逐条说明">
        <Descriptions size="small" bordered {...factColumns} style={{ marginBottom: 16 }}>
          <Descriptions.Item label="名称">{data.household?.name}</Descriptions.Item>
          <Descriptions.Item label="所属区">{data.household?.districtName}</Descriptions.Item>
          <Descriptions.Item label="经营者">{data.household?.operatorName}</Descriptions.Item>
          <Descriptions.Item label="成立日期">{proseDate(data.household?.establishedOn)}</Descriptions.Item>
        </Descriptions>
        {data.eligible ? (
          <Alert type="success" showIcon style={{ marginBottom: 12 }} message="符合推荐条件（部门推荐的，“生存型”个体工商户也可推荐，C-SRC）。" />
        ) : (
          <Alert type="warning" showIcon style={{ marginBottom: 12 }} message="该个体工商户目前不符合标为“不符合”的条件，暂不能推荐。" />
        )}
        <EligibilityList results={data.eligibility ?? []} />
      </Card>
      <Card title="3. 推荐内容">
        <ErrorAlert error={error} />
        <Form form={form} layout="vertical" disabled={!data.eligible} onFinish={(values) => void submit(values)}>
          <CategoryField form={form} label="推荐类别" requiredMessage="请选择推荐类别" />
          {own && (
            <Typography.Paragraph>
              本推荐即符合 {own}：{data.criterionText?.[own]}。如还符合以下标准，可一并勾选：
            </Typography.Paragraph>
          )}
          <Form.Item name="claimedCriteria" label="其他符合的认定标准（可选）">
            <CriteriaChecklist criteria={others} criterionText={data.criterionText} />
          </Form.Item>
          <Form.Item name="reason" label="推荐理由" rules={[{ required: true, whitespace: true, message: '请填写推荐理由' }]}>
            <Input.TextArea rows={4} maxLength={2000} showCount placeholder="如：市级老字号，传承技艺六十余年" />
          </Form.Item>
          <Form.Item name="evidenceRefs" label="证明材料（可选）" extra="填写材料的名称或编号，每项回车确认。">
            <Select mode="tags" open={false} tokenSeparators={['，', ',']} aria-label="证明材料" maxCount={50} />
          </Form.Item>
          <Alert type="info" showIcon style={{ marginBottom: 16 }} message="提交后，经营者在培育平台确认同意，推荐才进入审核；经营者不同意或逾期未确认的，推荐结束。" />
          <Button type="primary" htmlType="submit" loading={busy}>
            提交推荐
          </Button>
        </Form>
      </Card>
    </>
  );
}
