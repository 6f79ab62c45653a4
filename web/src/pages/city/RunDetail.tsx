import { PageContainer, ProCard, ProDescriptions } from '@ant-design/pro-components';
import { Alert, App, Button, Progress, Result, Skeleton, Space } from 'antd';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { describeError } from '../../errors';
import { cstDateTime, label, proseDate } from '../../format';
import { RUN_PHASE_LABELS, RUN_STATUS_LABELS } from '../district/kit/labels';
import type { TieringRun } from '../../api/types';
import { downloadWithToken } from './download';
import { ToneTag } from '../district/kit/ToneTag';

const POLL_MS = 1000;

// The charts (ECharts) load once there are results to draw: the progress shows without waiting for them.
const RunResults = lazy(() => import('./RunResults'));

/** Whether the run is still moving: computing, or its tiers being written as the households' current tiers. */
function inMotion(run: TieringRun): boolean {
  return run.status === 'running' || (run.status === 'completed' && run.inForce && !run.tiersAppliedAt);
}

/** One tiering run: its progress while it runs, then its results as charts and the CSV export. */
export default function RunDetail() {
  const { runId = '' } = useParams();
  const id = Number(runId);
  const { message } = App.useApp();
  const [run, setRun] = useState<TieringRun | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setRun(await unwrap(api.GET('/tiering/runs/{runId}', { params: { path: { runId: id } } })));
      setFailure(null);
    } catch (error) {
      setFailure(describeError(error).message);
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  const moving = run !== null && inMotion(run);
  useEffect(() => {
    if (!moving) return;
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [moving, load]);

  if (failure && !run) return <Result status="warning" title="无法读取此次分型" subTitle={failure} extra={<Link to="/city/runs">返回年度分型</Link>} />;
  if (!run) return <Skeleton active />;

  const makeInForce = async () => {
    try {
      await unwrap(api.POST('/tiering/runs/{runId}/in-force', { params: { path: { runId: id } } }));
      message.success('已设为当年生效的分型结果');
      void load();
    } catch (error) {
      message.error(describeError(error).message);
    }
  };

  const exportCsv = async () => {
    try {
      await downloadWithToken(`/tiering/runs/${id}/export.csv?bom=true`, `分型结果-${run.year}-第${run.version}版.csv`);
    } catch (error) {
      message.error(describeError(error).message);
    }
  };

  return (
    <PageContainer
      title={`${run.year}年度分型 第${run.version}版`}
      onBack={() => history.back()}
      tags={[
        <ToneTag key="status" color={run.status === 'completed' ? 'success' : run.status === 'failed' ? 'error' : 'processing'}>
          {RUN_STATUS_LABELS[run.status] ?? run.status}
        </ToneTag>,
        ...(run.inForce ? [<ToneTag key="in-force" color="gold">当年生效</ToneTag>] : []),
      ]}
      extra={
        <Space>
          {run.status === 'completed' && !run.inForce && <Button onClick={() => void makeInForce()}>设为当年生效</Button>}
          {run.status === 'completed' && (
            <Button type="primary" onClick={() => void exportCsv()}>
              导出结果（CSV）
            </Button>
          )}
        </Space>
      }
    >
      {failure && <Alert type="warning" showIcon message={failure} style={{ marginBottom: 16 }} />}
      <RunProgress run={run} />
      <ProCard bordered style={{ marginBottom: 16 }}>
        <ProDescriptions column={3}>
          <ProDescriptions.Item label="基准日">{proseDate(run.asOf)}</ProDescriptions.Item>
          <ProDescriptions.Item label="开始时间">{cstDateTime(run.startedAt)}</ProDescriptions.Item>
          <ProDescriptions.Item label="完成时间">{cstDateTime(run.completedAt)}</ProDescriptions.Item>
          <ProDescriptions.Item label="“成长型”营业收入标准">{run.thresholds?.growthRevenueYuan?.toLocaleString('zh-CN') ?? '—'} 元</ProDescriptions.Item>
          <ProDescriptions.Item label="“发展型”营业收入标准">{run.thresholds?.developmentRevenueYuan?.toLocaleString('zh-CN') ?? '—'} 元</ProDescriptions.Item>
          <ProDescriptions.Item label="规则版本">{run.ruleVersion ?? '—'}</ProDescriptions.Item>
        </ProDescriptions>
      </ProCard>
      {run.status === 'completed' && (
        <Suspense fallback={<Skeleton active />}>
          <RunResults run={run} />
        </Suspense>
      )}
    </PageContainer>
  );
}

function RunProgress({ run }: { run: TieringRun }) {
  if (!inMotion(run)) {
    if (run.status === 'failed') return <Alert type="error" showIcon message="此次分型运行失败，没有改变任何户的分型。请检查后重新运行。" style={{ marginBottom: 16 }} />;
    return null;
  }
  const progress = run.progress;
  const households = progress?.households ?? run.households ?? 0;
  const processed = progress?.processed ?? run.processed ?? 0;
  const percent = households > 0 ? Math.floor((processed / households) * 100) : 0;
  const phase = progress?.phase ?? (run.status === 'running' ? 'running' : 'applying');
  return (
    <ProCard bordered title="运行进度" style={{ marginBottom: 16 }}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <span aria-live="polite" data-testid="run-phase">
          {label(RUN_PHASE_LABELS, phase)}：已判定 {processed.toLocaleString('zh-CN')} / {households.toLocaleString('zh-CN')} 户
          {progress?.chunksTotal ? `（分段 ${progress.chunksDone ?? 0} / ${progress.chunksTotal}）` : ''}
        </span>
        <Progress percent={phase === 'applying' ? 100 : percent} status="active" aria-label="分型进度" />
      </Space>
    </ProCard>
  );
}
