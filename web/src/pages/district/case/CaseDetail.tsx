import { PageContainer, ProCard, ProDescriptions } from '@ant-design/pro-components';
import { Alert, Col, List, Result, Row, Skeleton, Space, Table, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, unwrap } from '../../../api/client';
import { CRITERION_TEXT } from '../../../../../policy/criteria-text.js';
import { describeError } from '../../../errors';
import { CASE_STATUS_LABELS } from '../../../../../policy/case-status-labels.js';
import { CATEGORY_LABELS, DEADLINE_KIND_LABELS, TIER_LABELS, WAITING_FOR_TEXT, cstDateTime, districtName, label, proseDate, tableDate } from '../../../format';
import { departmentName, useDepartments } from '../kit/departments';
import { DueTag } from '../kit/DueTag';
import { EVALUATION_CRITERIA, OPINION_LABELS, REGION_LABELS, REPORT_STATUS_LABELS, REVOCATION_GROUND_LABELS, SPOT_CHECK_LABELS } from '../kit/labels';
import type { CaseEvent, CaseView } from '../../../api/types';
import { CaseDecisions, type Office } from './Decisions';
import { CaseTimeline } from '../../../components/CaseTimeline';
import type { EligibilityResult } from '../../../components/Eligibility';
import { usePageTitle } from '../../../components/usePageTitle';
import { ObjectionResolution } from '../kit/objections';
import { ToneTag } from '../kit/ToneTag';

const ROUTE_LABELS: Record<string, string> = { self: '自主申报', department: '部门推荐', transfer: '京津冀互认' };

/** The eligibility the case was admitted on, clause by clause, as its first audit record keeps it. */
function admissionEligibility(events: CaseEvent[]): EligibilityResult[] {
  const first = events.find((event) => event.action === 'submitted' || event.action === 'recommended');
  const eligibility = (first?.details as { eligibility?: EligibilityResult[] } | undefined)?.eligibility;
  return Array.isArray(eligibility) ? eligibility : [];
}

/** One case for an office: where it stands, the facts, how it got here, and the decisions open to the office now. */
export function CaseDetail({ office, backTo, districtCode }: { office: Office; backTo: string; districtCode?: string }) {
  const { caseId = '' } = useParams();
  const [view, setView] = useState<CaseView | null>(null);
  const [events, setEvents] = useState<CaseEvent[]>([]);
  const [failure, setFailure] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const path = { params: { path: { caseId } } };
      const [loaded, trail] = await Promise.all([unwrap(api.GET('/cases/{caseId}', path)), unwrap(api.GET('/cases/{caseId}/events', path))]);
      setView(loaded);
      setEvents(trail);
      setFailure(null);
    } catch (error) {
      setFailure(describeError(error).message);
    }
  }, [caseId]);

  useEffect(() => {
    void load();
  }, [load]);

  const changed = () => void load();
  usePageTitle(view?.householdName);

  if (failure) return <Result status="warning" title="无法打开此案件" subTitle={failure} extra={<Link to={backTo}>{office === 'city' ? '返回督办事项' : '返回待办事项'}</Link>} />;
  if (!view) return <Skeleton active />;

  const status = view.status ?? '';
  const deadline = view.deadline && !view.deadline.passed ? view.deadline : null;
  const eligibility = admissionEligibility(events);

  return (
    <PageContainer
      title={view.householdName}
      subTitle={view.caseId}
      onBack={() => history.back()}
      tags={[
        <ToneTag key="status" color="processing">
          {label(CASE_STATUS_LABELS, status)}
        </ToneTag>,
        <ToneTag key="category">{label(CATEGORY_LABELS, view.category)}</ToneTag>,
        <ToneTag key="route">{label(ROUTE_LABELS, view.route)}</ToneTag>,
      ]}
    >
      {WAITING_FOR_TEXT[status] && (
        <Alert
          showIcon
          type={view.deadline?.passed ? 'error' : 'info'}
          style={{ marginBottom: 16 }}
          message={
            <Space wrap>
              <span>{WAITING_FOR_TEXT[status]}</span>
              {deadline && (
                <>
                  <span>{label(DEADLINE_KIND_LABELS, deadline.kind)}截止：</span>
                  <DueTag dueOn={deadline.dueOn} />
                </>
              )}
            </Space>
          }
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Space direction="vertical" size={16} style={{ width: '100%' }}>
            <CaseDecisions view={view} office={office} districtCode={districtCode} onChanged={changed} />
            <CaseFacts view={view} />
            {view.phase === 'recognised' && <RecognisedFacts view={view} />}
          </Space>
        </Col>
        <Col xs={24} xl={10}>
          <Space direction="vertical" size={16} style={{ width: '100%' }}>
            {eligibility.length > 0 && (
              <ProCard title="申报时的资格审查" size="small" bordered>
                <List
                  size="small"
                  dataSource={eligibility}
                  renderItem={(line) => (
                    <List.Item>
                      <Space align="start">
                        <ToneTag color={line.passed ? 'success' : 'error'}>{line.passed ? '符合' : '不符合'}</ToneTag>
                        <span>
                          <Typography.Text strong>{line.clause}</Typography.Text> {line.reason}
                        </span>
                      </Space>
                    </List.Item>
                  )}
                />
              </ProCard>
            )}
            <ProCard title="办理记录" size="small" bordered>
              <CaseTimeline events={events} showAccounts />
            </ProCard>
          </Space>
        </Col>
      </Row>
    </PageContainer>
  );
}

function CaseFacts({ view }: { view: CaseView }) {
  const departments = useDepartments(view.districtCode);
  return (
    <ProCard title="案件信息" size="small" bordered>
      <ProDescriptions column={2}>
        <ProDescriptions.Item label="统一社会信用代码">{view.uscc}</ProDescriptions.Item>
        <ProDescriptions.Item label="所属区">{districtName(view.districtCode)}</ProDescriptions.Item>
        <ProDescriptions.Item label="申报年度">{view.year}</ProDescriptions.Item>
        <ProDescriptions.Item label="申报时间">{cstDateTime(view.submittedAt ?? view.openedAt)}</ProDescriptions.Item>
        {view.recommendation && (
          <ProDescriptions.Item label="推荐部门" span={2}>
            {departmentName(departments, view.recommendation.department ?? '')}（{view.recommendation.level === 'city' ? '市级' : '区级'}）：{view.recommendation.reason}
          </ProDescriptions.Item>
        )}
        <ProDescriptions.Item label="申报标准" span={2}>
          {(view.claimedCriteria ?? []).length === 0 ? (
            '—'
          ) : (
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {(view.claimedCriteria ?? []).map((criterion) => (
                <li key={criterion}>
                  <Typography.Text strong>{criterion}</Typography.Text> {CRITERION_TEXT[criterion] ?? ''}
                </li>
              ))}
            </ul>
          )}
        </ProDescriptions.Item>
        <ProDescriptions.Item label="证明材料" span={2}>
          {(view.evidenceRefs ?? []).length === 0 ? '无' : (view.evidenceRefs ?? []).join('；')}
        </ProDescriptions.Item>
        {view.informationRequest && (
          <ProDescriptions.Item label="要求补充的材料" span={2}>
            {view.informationRequest.reason}（{proseDate(view.informationRequest.dueOn)}前）
          </ProDescriptions.Item>
        )}
        {view.verification && (
          <ProDescriptions.Item label="走访核实" span={2}>
            {view.verification.findings}（{cstDateTime(view.verification.at)}）
          </ProDescriptions.Item>
        )}
        {(view.consultedDepartments ?? []).length > 0 && (
          <ProDescriptions.Item label="征求意见部门" span={2}>
            {(view.consultedDepartments ?? []).map((id) => departmentName(departments, id)).join('、')}
          </ProDescriptions.Item>
        )}
        {view.publicity && (
          <ProDescriptions.Item label="信息公示" span={2}>
            {proseDate(view.publicity.publishedOn)}起公示
            {view.publicity.objectionsUntil ? `，异议期至${proseDate(view.publicity.objectionsUntil)}` : ''}
            {view.publicity.windowClosed ? '（公示期已结束）' : ''}
          </ProDescriptions.Item>
        )}
        {view.quotaWait && (
          <ProDescriptions.Item label="候补名额">
            第{view.quotaWait.rank}位（{cstDateTime(view.quotaWait.readyAt)}起）
          </ProDescriptions.Item>
        )}
        {view.lastDecision && (
          <ProDescriptions.Item label="最近决定" span={2}>
            {cstDateTime(view.lastDecision.at)} {view.lastDecision.reason ?? ''}
          </ProDescriptions.Item>
        )}
      </ProDescriptions>
      {(view.opinions ?? []).length > 0 && (
        <Table
          size="small"
          rowKey={(row) => `${row.department}-${row.at}`}
          pagination={false}
          caption="相关部门意见"
          dataSource={view.opinions}
          columns={[
            { title: '部门', dataIndex: 'department', render: (id: string) => departmentName(departments, id) },
            { title: '意见', dataIndex: 'opinion', render: (value: string) => <ToneTag color={value === 'object' ? 'error' : value === 'support' ? 'success' : 'default'}>{label(OPINION_LABELS, value)}</ToneTag> },
            { title: '说明', dataIndex: 'comment', render: (value: string | null) => value ?? '—' },
            { title: '时间', dataIndex: 'at', render: (value: string) => tableDate(value) },
          ]}
        />
      )}
      {(view.objections ?? []).length > 0 && (
        <Table
          size="small"
          style={{ marginTop: 12 }}
          rowKey="objectionNo"
          pagination={false}
          caption="公示异议"
          dataSource={view.objections}
          columns={[
            { title: '编号', dataIndex: 'objectionNo', width: 60 },
            { title: '异议内容', dataIndex: 'reason' },
            { title: '提出人', dataIndex: 'filedBy', render: (value: string) => (value === 'anonymous' ? '匿名' : value) },
            { title: '提出时间', dataIndex: 'filedAt', render: (value: string) => tableDate(value) },
            {
              title: '处理结果',
              dataIndex: 'resolution',
              render: (value: string | null, row) =>
                value ? (
                  <ObjectionResolution upheld={value === 'upheld'} reason={row.resolutionReason} />
                ) : (
                  <ToneTag color="warning">待处理</ToneTag>
                ),
            },
          ]}
        />
      )}
    </ProCard>
  );
}

function RecognisedFacts({ view }: { view: CaseView }) {
  const findings = view.evaluation?.findings ?? [];
  return (
    <ProCard title="认定信息" size="small" bordered>
      <ProDescriptions column={2}>
        <ProDescriptions.Item label="认定日期">{proseDate(view.recognition?.recognisedOn)}</ProDescriptions.Item>
        <ProDescriptions.Item label="有效期至">{proseDate(view.recognition?.validUntil)}</ProDescriptions.Item>
        <ProDescriptions.Item label="享受扶持起始">{proseDate(view.recognition?.benefitsFrom)}</ProDescriptions.Item>
        <ProDescriptions.Item label="认定地">{label(REGION_LABELS, view.origin)}</ProDescriptions.Item>
        <ProDescriptions.Item label="第几个有效期">第{view.termNo ?? 1}个</ProDescriptions.Item>
        <ProDescriptions.Item label="认定时分型">{view.tierAtTermStart ? `${view.tierAtTermStart.year}年 ${label(TIER_LABELS, view.tierAtTermStart.tier)}` : '—'}</ProDescriptions.Item>
        {view.spotCheck && (
          <ProDescriptions.Item label="抽查" span={2}>
            {label(SPOT_CHECK_LABELS, view.spotCheck.status)}
            {view.spotCheck.supplementRequest ? `：${view.spotCheck.supplementRequest.reason}（${proseDate(view.spotCheck.supplementRequest.dueOn)}前）` : ''}
          </ProDescriptions.Item>
        )}
        {view.operatorChange && (
          <ProDescriptions.Item label="经营者变更" span={2}>
            {proseDate(view.operatorChange.changedOn)}变更为 {view.operatorChange.newOperatorId}
          </ProDescriptions.Item>
        )}
        {view.evaluation?.openedAt && (
          <ProDescriptions.Item label="评估确认" span={2}>
            {findings.length === 0
              ? '已开始，尚无结论'
              : findings.map((finding) => `${label(EVALUATION_CRITERIA, finding.criterion)}：${finding.met ? '符合' : '不符合'}`).join('；')}
          </ProDescriptions.Item>
        )}
        {view.extension && (
          <ProDescriptions.Item label="有效期延长" span={2}>
            延长至{proseDate(view.extension.toValidUntil)}（依据 {(view.extension.criteria ?? []).join('、')}）
          </ProDescriptions.Item>
        )}
        {view.revocation && (
          <ProDescriptions.Item label="撤销认定" span={2}>
            {proseDate(view.revocation.revokedOn)}因{label(REVOCATION_GROUND_LABELS, view.revocation.ground)}撤销：{view.revocation.reason}；{proseDate(view.revocation.bannedUntil)}前不得再次申报
          </ProDescriptions.Item>
        )}
        {view.transferOut && (
          <ProDescriptions.Item label="迁出" span={2}>
            {proseDate(view.transferOut.movedOn)}迁往{label(REGION_LABELS, view.transferOut.destination)}
          </ProDescriptions.Item>
        )}
      </ProDescriptions>
      {(view.reports ?? []).length > 0 && (
        <Table
          size="small"
          rowKey="year"
          pagination={false}
          caption="年度信息报告"
          dataSource={view.reports}
          columns={[
            { title: '年度', dataIndex: 'year' },
            { title: '报送截止', dataIndex: 'dueOn', render: (value: string) => tableDate(value) },
            { title: '状态', dataIndex: 'status', render: (value: string) => label(REPORT_STATUS_LABELS, value) },
            { title: '营业收入（元）', render: (_, row) => row.filing?.revenue?.toLocaleString('zh-CN') ?? '—' },
            { title: '从业人员', render: (_, row) => row.filing?.employees ?? '—' },
            { title: '提交时间', render: (_, row) => (row.filing ? cstDateTime(row.filing.filedAt) : '—') },
          ]}
        />
      )}
    </ProCard>
  );
}
