import { Alert, Descriptions, Tag } from 'antd';
import type { CaseView } from '../api/types';
import { CASE_STATUS_LABELS } from '../../../policy/case-status-labels.js';
import { CATEGORY_LABELS, DEADLINE_KIND_LABELS, districtName, label, proseDate, WAITING_FOR_TEXT } from '../format';
import { DueDate } from './DueDate';
import { useDepartmentNames } from './useDepartmentNames';
import { useFactColumns } from './columns';


/** What the case is, where it stands, what it waits for and by when. */
export function CaseOverview({ view }: { view: CaseView }) {
  const departmentName = useDepartmentNames();
  const factColumns = useFactColumns();
  const waiting = WAITING_FOR_TEXT[view.status ?? ''];
  return (
    <>
      {waiting && (
        <Alert
          type={view.status === 'awaiting_information' || view.status === 'awaiting_consent' ? 'warning' : 'info'}
          showIcon
          style={{ marginBottom: 16 }}
          message={`当前：${waiting}`}
          description={view.deadline?.dueOn ? <DueDate dueOn={view.deadline.dueOn} prefix={`${label(DEADLINE_KIND_LABELS, view.deadline.kind)}截止：`} /> : undefined}
        />
      )}
      <Descriptions bordered size="small" {...factColumns}>
        <Descriptions.Item label="个体工商户">{view.householdName}</Descriptions.Item>
        <Descriptions.Item label="统一社会信用代码">{view.uscc}</Descriptions.Item>
        <Descriptions.Item label="年度">{view.year}年度</Descriptions.Item>
        <Descriptions.Item label="所属区">{districtName(view.districtCode)}</Descriptions.Item>
        <Descriptions.Item label="类别">{label(CATEGORY_LABELS, view.category)}</Descriptions.Item>
        <Descriptions.Item label="申报方式">{view.route === 'department' ? `部门推荐（${departmentName(view.recommendation?.department)}）` : '自主申报'}</Descriptions.Item>
        <Descriptions.Item label="认定标准">{(view.claimedCriteria ?? []).join('、') || '—'}</Descriptions.Item>
        <Descriptions.Item label="状态">
          <Tag color={view.status === 'recognised' ? 'green' : 'blue'}>{label(CASE_STATUS_LABELS, view.status)}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label="证明材料" span={2}>
          {(view.evidenceRefs ?? []).join('；') || '—'}
        </Descriptions.Item>
        {view.recommendation?.reason && (
          <Descriptions.Item label="推荐理由" span={2}>
            {view.recommendation.reason}
          </Descriptions.Item>
        )}
        {view.publicity && (
          <Descriptions.Item label="公示" span={2}>
            {proseDate(view.publicity.publishedOn)}起公示，异议截止 {view.publicity.objectionsUntil ? <DueDate dueOn={view.publicity.objectionsUntil} /> : '—'}
          </Descriptions.Item>
        )}
        {view.recognition && (
          <Descriptions.Item label="认定" span={2}>
            {proseDate(view.recognition.recognisedOn)}认定，有效期至{proseDate(view.recognition.validUntil)}，自{proseDate(view.recognition.benefitsFrom)}起享受扶持措施
          </Descriptions.Item>
        )}
      </Descriptions>
    </>
  );
}
