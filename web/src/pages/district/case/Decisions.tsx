import {
  ProFormDatePicker,
  ProFormDependency,
  ProFormRadio,
  ProFormSelect,
  ProFormTextArea,
} from '@ant-design/pro-components';
import { Card, Empty, Tabs, Typography } from 'antd';
import dayjs from 'dayjs';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../../../api/client';
import { addWorkingDays, isWorkingDay } from '../../../../../policy/calendar.js';
import { CATEGORY_LABELS, labelOptions, todayCst, useWorkingDayCalendar } from '../../../format';
import { useDepartments } from '../kit/departments';
import { DecisionForm, type DecisionHeaders } from '../kit/DecisionForm';
import { ObjectionResolutionFields } from '../kit/objections';
import { EVALUATION_CRITERIA, REGION_LABELS, REVOCATION_GROUND_LABELS } from '../kit/labels';
import type { CaseView, ReviewBody } from '../../../api/types';

export type Office = 'district' | 'city';

interface DecisionsProps {
  view: CaseView;
  office: Office;
  districtCode?: string;
  onChanged: () => void;
}

/** How far ahead information may be asked for (the API's limit of the same name, cases routes). */
const INFORMATION_MAX_WORKING_DAYS = 30;
const reasonRules = [{ required: true, message: '请填写理由' }];
/** A due date the office sets lies after today (CST). */
const todayOrEarlier = (current: dayjs.Dayjs) => current.format('YYYY-MM-DD') <= todayCst();
const notAfterToday = (current: dayjs.Dayjs) => current.format('YYYY-MM-DD') > todayCst();

/** Stages at which the reviewing office may still refuse (REJECTABLE in the case rules). */
const REJECTABLE = ['under_review', 'on_site_verification', 'soliciting_opinions', 'publicity', 'awaiting_quota'];

/**
 * Only the decisions the case's state allows the office, each a form that sends it to the API
 * and shows the API's refusal next to the field at fault.
 */
export function CaseDecisions({ view, office, districtCode, onChanged }: DecisionsProps) {
  const caseId = view.caseId ?? '';
  const path = { params: { path: { caseId } } };
  // A list that sends the clerk here for one decision names it: ?decision=revocation.
  const [searchParams] = useSearchParams();
  const openAt = searchParams.get('decision');
  const departments = useDepartments(districtCode ?? view.districtCode);
  const status = view.status ?? '';
  const reviewingOffice: Office = view.recommendation?.level === 'city' ? 'city' : 'district';
  const reviews = office === reviewingOffice;
  const review = (headers: DecisionHeaders, body: ReviewBody) => api.POST('/cases/{caseId}/review', { headers, ...path, body });

  // The API takes a working day within INFORMATION_MAX_WORKING_DAYS for information asked for; the picker offers only those.
  const calendar = useWorkingDayCalendar();
  const latestInformationDueOn = calendar ? addWorkingDays(calendar, todayCst(), INFORMATION_MAX_WORKING_DAYS).date : null;
  const informationDueOnRefused = (current: dayjs.Dayjs) => {
    const day = current.format('YYYY-MM-DD');
    if (todayOrEarlier(current)) return true;
    return calendar !== null && (!isWorkingDay(calendar, day).working || (latestInformationDueOn !== null && day > latestInformationDueOn));
  };

  const tabs: { key: string; label: string; children: ReactNode }[] = [];
  const add = (key: string, tabLabel: string, children: ReactNode) => tabs.push({ key, label: tabLabel, children });

  if (reviews && status === 'under_review') {
    add(
      'accept',
      '通过审核',
      <DecisionForm<{ category?: string; reason?: string }, unknown>
        ariaLabel="通过审核"
        submitText="通过审核"
        doneText="已通过审核，案件进入走访核实"
        send={(values, headers) => review(headers, { decision: 'accept', ...(values.category ? { category: values.category as never } : {}), ...(values.reason ? { reason: values.reason } : {}) })}
        onDone={onChanged}
        onStale={onChanged}
      >
        <ProFormSelect
          name="category"
          label="认定类别"
          tooltip="符合多个类别时，由审核部门选择最适合的一个（C-ONE-TYPE）；不选则按申报类别"
          options={labelOptions(CATEGORY_LABELS)}
          placeholder={`按申报类别：${CATEGORY_LABELS[view.category ?? ''] ?? ''}`}
          allowClear
        />
        <ProFormTextArea name="reason" label="审核意见（可选）" fieldProps={{ maxLength: 2000, showCount: true }} />
      </DecisionForm>,
    );
    add(
      'request_information',
      '要求补充材料',
      <DecisionForm<{ reason: string; informationDueOn: string }, unknown>
        ariaLabel="要求补充材料"
        submitText="要求补充材料"
        doneText="已通知经营者补充材料，审核计时暂停"
        send={(values, headers) => review(headers, { decision: 'request_information', reason: values.reason, informationDueOn: values.informationDueOn })}
        onDone={onChanged}
        onStale={onChanged}
      >
        <ProFormTextArea
          name="reason"
          label="需要补充的材料"
          rules={[{ required: true, message: '请写明需要经营者补充哪些材料' }]}
          placeholder="例如：请补充近三年获得的区级以上表彰证书"
          fieldProps={{ maxLength: 2000, showCount: true }}
        />
        <ProFormDatePicker
          name="informationDueOn"
          label="补充截止日期"
          rules={[{ required: true, message: '请选择补充材料的截止日期' }]}
          fieldProps={{ disabledDate: informationDueOnRefused }}
          extra={`须为工作日，最迟为${latestInformationDueOn ?? `今天起${INFORMATION_MAX_WORKING_DAYS}个工作日内`}。补充材料期间审核计时暂停；逾期未补充的，申报失效。`}
        />
      </DecisionForm>,
    );
  }

  if (reviews && status === 'on_site_verification') {
    add(
      'verified',
      '走访核实',
      <DecisionForm<{ findings: string; departments?: string[] }, unknown>
        ariaLabel="走访核实"
        submitText="提交核实情况"
        doneText="已记录走访核实情况"
        send={(values, headers) => review(headers, { decision: 'verified', findings: values.findings, departments: values.departments ?? [] })}
        onDone={onChanged}
        onStale={onChanged}
      >
        <ProFormTextArea
          name="findings"
          label="核实情况"
          rules={[{ required: true, message: '请填写走访核实的情况' }]}
          fieldProps={{ maxLength: 4000, showCount: true }}
        />
        <ProFormSelect
          name="departments"
          label="征求意见部门"
          mode={departments ? 'multiple' : 'tags'}
          options={departments ?? []}
          placeholder={departments ? '选择需要征求意见的相关部门' : '输入部门名称后回车'}
          extra="不选择部门的，核实后直接开始信息公示。"
        />
      </DecisionForm>,
    );
  }

  const openObjections = (view.objections ?? []).filter((objection) => !objection.resolution);
  if (reviews && status === 'publicity' && openObjections.length > 0) {
    add(
      'resolve_objection',
      '处理公示异议',
      <DecisionForm<{ objectionNo: number; upheld: boolean; reason: string }, unknown>
        ariaLabel="处理公示异议"
        submitText="提交处理结果"
        doneText="已记录异议处理结果"
        initialValues={{ objectionNo: openObjections[0]?.objectionNo }}
        confirm="异议成立的，不予认定；异议不成立的，案件继续。确认提交？"
        send={(values, headers) => review(headers, { decision: 'resolve_objection', objectionNo: values.objectionNo, upheld: values.upheld, reason: values.reason })}
        onDone={onChanged}
        onStale={onChanged}
      >
        <ProFormSelect
          name="objectionNo"
          label="异议"
          rules={[{ required: true, message: '请选择要处理的异议' }]}
          options={openObjections.map((objection) => ({ value: objection.objectionNo, label: `第${objection.objectionNo}号：${objection.reason}` }))}
        />
        <ObjectionResolutionFields />
      </DecisionForm>,
    );
  }

  if (reviews && REJECTABLE.includes(status)) {
    add(
      'reject',
      '不予通过',
      <DecisionForm<{ reason: string }, unknown>
        ariaLabel="不予通过"
        submitText="不予通过"
        doneText="已作出不予通过的决定，并通知经营者"
        confirm="不予通过后案件即告结束，经营者本年度不能再次申报。确认？"
        send={(values, headers) => review(headers, { decision: 'reject', reason: values.reason })}
        onDone={onChanged}
        onStale={onChanged}
      >
        <ProFormTextArea name="reason" label="不予通过的理由" rules={reasonRules} fieldProps={{ maxLength: 2000, showCount: true }} />
      </DecisionForm>,
    );
  }

  if (view.phase === 'recognised' && status === 'recognised') addRecognisedDecisions(view, office, caseId, onChanged, add);

  if (tabs.length === 0) {
    return (
      <Card title="可办理事项" size="small">
        <Empty description="此案件当前没有需要本部门作出的决定" />
      </Card>
    );
  }
  // What happens next without the office, so that a lone "reject" is not read as the next step.
  const nextStep =
    status === 'publicity' && openObjections.length === 0
      ? '公示期内暂无待处理的异议；公示期满后案件自动进入认定名额环节，无需办理。'
      : status === 'soliciting_opinions'
        ? '正在等待相关部门反馈意见；全部反馈或期满后自动开始信息公示。'
        : status === 'awaiting_quota'
          ? '案件正在候补认定名额；有名额时自动认定。'
          : null;
  return (
    <Card title="可办理事项" size="small">
      {nextStep && <Typography.Paragraph type="secondary">{nextStep}</Typography.Paragraph>}
      <Tabs items={tabs} destroyOnHidden defaultActiveKey={tabs.some((tab) => tab.key === openAt) ? (openAt ?? undefined) : undefined} />
    </Card>
  );
}

function addRecognisedDecisions(
  view: CaseView,
  office: Office,
  caseId: string,
  onChanged: () => void,
  add: (key: string, label: string, children: ReactNode) => void,
) {
  const path = { params: { path: { caseId } } };
  if (office === 'district') {
    // A filed report is reviewed; a missing one, once past its due date (escalated), may be excused.
    const reviewable = (view.reports ?? []).filter((report) => report.status === 'filed' || (report.status === 'due' && report.escalated));
    if (reviewable.length > 0) {
      add(
        'annual_report',
        '年度信息报告',
        <DecisionForm<{ year: number; decision: 'accept' | 'reject' | 'excuse'; reason?: string }, unknown>
          ariaLabel="年度信息报告审核"
          submitText="提交审核结果"
          doneText="已记录年度信息报告的审核结果"
          initialValues={{ year: reviewable[0]?.year }}
          send={({ year, decision, reason }, headers) =>
            api.POST('/cases/{caseId}/annual-reports/{year}/decision', { headers, params: { path: { caseId, year } }, body: { decision, ...(reason ? { reason } : {}) } })
          }
          onDone={onChanged}
          onStale={onChanged}
        >
          <ProFormSelect
            name="year"
            label="报告年度"
            rules={[{ required: true, message: '请选择报告年度' }]}
            options={reviewable.map((report) => ({ value: report.year, label: `${report.year}年度（${report.status === 'filed' ? '已提交，待审核' : '逾期未报'}）` }))}
          />
          <ProFormDependency name={['year']}>
            {({ year }) => {
              const filed = reviewable.find((report) => report.year === year)?.status === 'filed';
              return (
                <ProFormRadio.Group
                  name="decision"
                  label="审核结果"
                  rules={[{ required: true, message: '请选择审核结果' }]}
                  options={
                    filed
                      ? [
                          { value: 'accept', label: '通过（仍符合分型基础条件）' },
                          { value: 'reject', label: '不予通过（取消认定）' },
                        ]
                      : [{ value: 'excuse', label: '准予免报（不因未报取消认定）' }]
                  }
                />
              );
            }}
          </ProFormDependency>
          <ProFormTextArea
            name="reason"
            label="理由"
            extra="不予通过、准予免报须写明理由；当前分型为未分型而审核通过的，也须写明理由。"
            fieldProps={{ maxLength: 2000, showCount: true }}
          />
        </DecisionForm>,
      );
    }
    if (view.evaluation?.openedAt && !view.extension) {
      add(
        'evaluation',
        '评估确认',
        <DecisionForm<{ criterion: 'X1' | 'X2'; met: boolean; evidence?: string; note?: string }, unknown>
          ariaLabel="评估确认"
          submitText="记录评估结论"
          doneText="已记录评估结论"
          send={({ criterion, met, evidence, note }, headers) =>
            api.POST('/cases/{caseId}/evaluation', {
              headers,
              ...path,
              body: { criterion, met, evidenceRefs: splitRefs(evidence), ...(note ? { note } : {}) },
            })
          }
          onDone={onChanged}
          onStale={onChanged}
        >
          <ProFormSelect
            name="criterion"
            label="评估条件"
            rules={[{ required: true, message: '请选择评估条件' }]}
            options={(['X1', 'X2'] as const).map((value) => ({ value, label: EVALUATION_CRITERIA[value] }))}
          />
          <ProFormRadio.Group
            name="met"
            label="是否符合"
            rules={[{ required: true, message: '请选择是否符合' }]}
            options={[
              { value: true, label: '符合' },
              { value: false, label: '不符合' },
            ]}
          />
          <ProFormTextArea name="evidence" label="证明材料（每行一项）" />
          <ProFormTextArea name="note" label="说明" fieldProps={{ maxLength: 2000 }} />
        </DecisionForm>,
      );
    }
    add(
      'cancellation',
      '取消认定',
      <DecisionForm<{ reason: string }, unknown>
        ariaLabel="取消认定"
        submitText="取消认定"
        doneText="已取消认定"
        confirm="取消认定后，认定名额退回本区。确认取消？"
        send={({ reason }, headers) => api.POST('/cases/{caseId}/cancellation', { headers, ...path, body: { reason } })}
        onDone={onChanged}
        onStale={onChanged}
      >
        <Typography.Paragraph type="secondary">个体工商户不再符合分型基础条件的，取消认定（C-ANNUAL）。</Typography.Paragraph>
        <ProFormTextArea name="reason" label="取消理由" rules={reasonRules} fieldProps={{ maxLength: 2000, showCount: true }} />
      </DecisionForm>,
    );
    add(
      'transfer_out',
      '迁出',
      <DecisionForm<{ destination: 'beijing' | 'hebei'; movedOn?: string; note?: string }, unknown>
        ariaLabel="迁出京冀"
        submitText="登记迁出"
        doneText="已登记迁出，认定在迁入地继续有效"
        send={({ destination, movedOn, note }, headers) =>
          api.POST('/cases/{caseId}/transfer-out', { headers, ...path, body: { destination, ...(movedOn ? { movedOn } : {}), ...(note ? { note } : {}) } })
        }
        onDone={onChanged}
        onStale={onChanged}
      >
        <ProFormSelect
          name="destination"
          label="迁往"
          rules={[{ required: true, message: '请选择迁往地区' }]}
          options={labelOptions({ beijing: REGION_LABELS['beijing']!, hebei: REGION_LABELS['hebei']! })}
        />
        <ProFormDatePicker name="movedOn" label="迁出日期" fieldProps={{ disabledDate: notAfterToday }} extra="不填为今天" />
        <ProFormTextArea name="note" label="说明" fieldProps={{ maxLength: 2000 }} />
      </DecisionForm>,
    );
  }

  if (office === 'city') {
    const spotCheck = view.spotCheck;
    if (spotCheck && (spotCheck.status === 'selected' || spotCheck.status === 'supplement_received')) {
      add(
        'spot_check',
        '抽查',
        <DecisionForm<{ decision: 'confirm' | 'request_supplement' | 'refuse'; reason?: string; dueOn?: string }, unknown>
          ariaLabel="抽查"
          submitText="提交抽查结果"
          doneText="已记录抽查结果"
          send={({ decision, reason, dueOn }, headers) =>
            api.POST('/cases/{caseId}/spot-check', { headers, ...path, body: { decision, ...(reason ? { reason } : {}), ...(dueOn ? { dueOn } : {}) } })
          }
          onDone={onChanged}
          onStale={onChanged}
        >
          <ProFormRadio.Group
            name="decision"
            label="抽查结果"
            rules={[{ required: true, message: '请选择抽查结果' }]}
            options={[
              { value: 'confirm', label: '确认认定' },
              { value: 'request_supplement', label: '要求补充材料' },
              { value: 'refuse', label: '不予认定' },
            ]}
          />
          <ProFormTextArea name="reason" label="理由 / 需补充的材料" fieldProps={{ maxLength: 2000 }} extra="要求补充材料、不予认定的须写明。" />
          <ProFormDatePicker name="dueOn" label="补充截止日期" fieldProps={{ disabledDate: todayOrEarlier }} extra="要求补充材料时必填；逾期未补充的，不予认定。" />
        </DecisionForm>,
      );
    }
  }

  if (view.route !== 'transfer') {
    add(
      'revocation',
      '撤销认定',
      <DecisionForm<{ ground: 'fraud' | 'bribery' | 'concealment'; reason: string; evidence?: string }, unknown>
        ariaLabel="撤销认定"
        submitText="撤销认定"
        doneText="已撤销认定，该户5年内不得再次申报"
        confirm="撤销认定后，该户5年内不得再次申报（C-REVOKE）。确认撤销？"
        send={({ ground, reason, evidence }, headers) => api.POST('/cases/{caseId}/revocation', { headers, ...path, body: { ground, reason, evidenceRefs: splitRefs(evidence) } })}
        onDone={onChanged}
        onStale={onChanged}
      >
        <ProFormSelect name="ground" label="撤销事由" rules={[{ required: true, message: '请选择撤销事由' }]} options={labelOptions(REVOCATION_GROUND_LABELS)} />
        <ProFormTextArea name="reason" label="撤销理由" rules={reasonRules} fieldProps={{ maxLength: 2000, showCount: true }} />
        <ProFormTextArea name="evidence" label="证据材料（每行一项）" />
      </DecisionForm>,
    );
  }
}

export function splitRefs(text: string | undefined): string[] {
  return (text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}
