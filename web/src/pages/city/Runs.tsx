import { ModalForm, PageContainer, ProFormCheckbox, ProFormDatePicker, ProFormDigit, ProTable } from '@ant-design/pro-components';
import { Alert, App, Button, Collapse } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useDemoActors, type DemoActor } from '../../demo';
import { describeError, formFieldErrors } from '../../errors';
import { cstDateTime, todayCst } from '../../format';
import { RUN_STATUS_LABELS } from '../district/kit/labels';
import type { TieringRun } from '../../api/types';
import { ToneTag } from '../district/kit/ToneTag';
import { emptyLocale } from '../district/kit/empty';
import { useTableRequest } from '../district/kit/tables';

/**
 * Who started a run, in words: the yearly schedule (its actor is `schedule:<id>`), the demo's own
 * data preparation, a demo actor by its label, otherwise the account's ID as the token names it.
 */
function initiatorOf(requestedBy: string, demoActors: DemoActor[] | null | undefined): string {
  if (requestedBy.startsWith('schedule:')) return '年度分型定时任务';
  if (requestedBy === 'demo-data') return '演示数据准备';
  return demoActors?.find((demo) => demo.actor.id === requestedBy)?.label ?? `账号 ${requestedBy}`;
}

/** The yearly tiering runs 年度分型: every version of every year, which one is in force, and a new run. */
export default function Runs() {
  const navigate = useNavigate();
  const { message } = App.useApp();
  const loadTable = useTableRequest();
  const demoActors = useDemoActors();
  const [refusal, setRefusal] = useState<string | null>(null);
  const today = todayCst();

  return (
    <PageContainer
      title="年度分型"
      content="每年7月年度报告期结束后开展全市年度分型（T-RUN）。每次运行是当年的一个新版本，完成后默认成为当年生效的分型结果。"
      extra={
        <ModalForm<{ year: number; asOf: string; makeInForce: boolean; chunkSize?: number; concurrency?: number }>
          title="开始年度分型"
          trigger={<Button type="primary">开始年度分型</Button>}
          initialValues={{ year: Number(today.slice(0, 4)), asOf: today, makeInForce: true }}
          modalProps={{ destroyOnHidden: true, onCancel: () => setRefusal(null) }}
          submitter={{ searchConfig: { submitText: '开始运行', resetText: '取消' } }}
          onFinish={async (values) => {
            setRefusal(null);
            const answer = await api.POST('/tiering/runs', {
              body: {
                year: values.year,
                asOf: values.asOf,
                makeInForce: values.makeInForce,
                ...(values.chunkSize ? { chunkSize: values.chunkSize } : {}),
                ...(values.concurrency ? { concurrency: values.concurrency } : {}),
              },
            });
            if (answer.error !== undefined || !answer.response.ok) {
              try {
                await unwrap(Promise.resolve(answer));
              } catch (error) {
                const fields = formFieldErrors(error, ['year', 'asOf']);
                setRefusal(describeError(error).message);
                if (fields.length === 0) message.error(describeError(error).message);
              }
              return false;
            }
            message.success(`已开始${values.year}年度分型（第${answer.data.version}版）`);
            navigate(`/city/runs/${answer.data.runId}`);
            return true;
          }}
        >
          {refusal && <Alert type="error" showIcon role="alert" message={refusal} style={{ marginBottom: 16 }} />}
          <ProFormDigit name="year" label="分型年度" rules={[{ required: true, message: '请填写分型年度' }]} fieldProps={{ precision: 0 }} min={2000} max={9999} />
          <ProFormDatePicker
            name="asOf"
            label="基准日"
            rules={[{ required: true, message: '请选择基准日' }]}
            extra="按基准日当天的数据判定；不能晚于今天，须在分型年度之内。营业收入标准按当年设定（见“营业收入标准”）。"
          />
          <ProFormCheckbox name="makeInForce">完成后作为当年生效的分型结果</ProFormCheckbox>
          <Collapse
            ghost
            items={[
              {
                key: 'tuning',
                label: '运行参数（一般无需填写）',
                children: (
                  <>
                    <ProFormDigit
                      name="chunkSize"
                      label="每段户数"
                      tooltip="全市户数按统一社会信用代码分段判定，每段一项任务；不填为50,000户"
                      min={1}
                      max={200000}
                      fieldProps={{ precision: 0 }}
                    />
                    <ProFormDigit name="concurrency" label="同时判定的段数" tooltip="不填为2段；最多8段" min={1} max={8} fieldProps={{ precision: 0 }} />
                  </>
                ),
              },
            ]}
          />
        </ModalForm>
      }
    >
      <ProTable<TieringRun>
        rowKey="runId"
        headerTitle="分型运行记录"
        locale={emptyLocale('还没有分型运行记录')}
        search={false}
        options={{ reload: true, density: false, setting: false }}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        request={() => loadTable(async () => {
          const runs = await unwrap(api.GET('/tiering/runs', {}));
          return { data: runs };
        })}
        columns={[
          { title: '年度', dataIndex: 'year', render: (_, run) => <Link to={`/city/runs/${run.runId}`}>{run.year}年度 第{run.version}版</Link> },
          { title: '基准日', dataIndex: 'asOf' },
          {
            title: '状态',
            dataIndex: 'status',
            render: (_, run) => (
              <>
                <ToneTag color={run.status === 'completed' ? 'success' : run.status === 'failed' ? 'error' : 'processing'}>{RUN_STATUS_LABELS[run.status] ?? run.status}</ToneTag>
                {run.inForce && <ToneTag color="gold">当年生效</ToneTag>}
              </>
            ),
          },
          { title: '户数', dataIndex: 'households', render: (_, run) => run.households?.toLocaleString('zh-CN') ?? '—' },
          { title: '开始时间', dataIndex: 'startedAt', render: (_, run) => cstDateTime(run.startedAt) },
          { title: '完成时间', dataIndex: 'completedAt', render: (_, run) => cstDateTime(run.completedAt) },
          { title: '发起人', dataIndex: 'requestedBy', render: (_, run) => (run.requestedBy ? initiatorOf(run.requestedBy, demoActors) : '—') },
        ]}
      />
    </PageContainer>
  );
}
