import { PageContainer, ProCard, StatisticCard } from '@ant-design/pro-components';
import { Alert, Empty, Select, Skeleton } from 'antd';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { describeError } from '../../errors';
import { CASE_STATUS_LABELS } from '../../../../policy/case-status-labels.js';
import { CATEGORY_LABELS, TIER_LABELS, WAITING_FOR_TEXT, districtName, label, todayCst } from '../../format';
import { useSession } from '../../session';
import { Chart, TIER_COLOURS } from './kit/Chart';
import type { CaseSummary, TieringYear, YearQuota } from '../../api/types';

const TIERS = ['development', 'growth', 'survival', 'unclassified'] as const;
const CASE_PAGES = 20;

interface DashboardData {
  tiering: TieringYear | null;
  quota: YearQuota | null;
  cases: CaseSummary[];
}

/** Every case of the year the office may see, page by page (a district's year is a few hundred cases). */
async function casesOf(year: number): Promise<CaseSummary[]> {
  const all: CaseSummary[] = [];
  for (let page = 1; page <= CASE_PAGES; page++) {
    const rows = await unwrap(api.GET('/cases', { params: { query: { year, page, pageSize: 100 } } }));
    all.push(...rows);
    if (rows.length < 100) break;
  }
  return all;
}

/** A year without a run in force or a quota yet answers 404: that is "not yet", not a failure. */
async function unlessMissing<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T | null> {
  const answer = await call;
  if (answer.response.status === 404) return null;
  return unwrap(Promise.resolve(answer));
}

function countBy<T>(rows: T[], key: (row: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[key(row)] = (counts[key(row)] ?? 0) + 1;
  return counts;
}

export default function Dashboard() {
  const { actor } = useSession();
  const thisYear = Number(todayCst().slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const [data, setData] = useState<DashboardData | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const district = actor?.districtCode ?? '';

  useEffect(() => {
    let live = true;
    setData(null);
    Promise.all([
      unlessMissing(api.GET('/tiering/years/{year}', { params: { path: { year } } })),
      unlessMissing(api.GET('/quotas/{year}', { params: { path: { year } } })),
      casesOf(year),
    ]).then(
      ([tiering, quota, cases]) => live && (setData({ tiering, quota, cases }), setFailure(null)),
      (error) => live && setFailure(describeError(error).message),
    );
    return () => {
      live = false;
    };
  }, [year]);

  const yearPicker = (
    <Select
      aria-label="统计年度"
      value={year}
      onChange={setYear}
      options={[thisYear, thisYear - 1, thisYear - 2].map((value) => ({ value, label: `${value}年度` }))}
      style={{ width: 120 }}
    />
  );

  return (
    <PageContainer title={`${districtName(district)}统计`} extra={yearPicker} content="本区个体工商户分型结构、认定案件办理情况和认定名额使用情况。">
      {failure && <Alert type="error" showIcon message={failure} />}
      {!data && !failure && <Skeleton active />}
      {data && <DashboardCharts data={data} district={district} year={year} />}
    </PageContainer>
  );
}

function DashboardCharts({ data, district, year }: { data: DashboardData; district: string; year: number }) {
  const tierCounts = data.tiering?.countsByDistrict?.[district] ?? null;
  const quota = data.quota?.districts.find((row) => row.districtCode === district) ?? null;
  const byStatus = countBy(data.cases, (row) => row.status ?? '');
  const recognisedByCategory = countBy(
    data.cases.filter((row) => row.status === 'recognised'),
    (row) => row.category ?? '',
  );
  // A case is open while it is at a step with something to wait for (WAITING_FOR_TEXT lists those steps).
  const open = data.cases.filter((row) => WAITING_FOR_TEXT[row.status ?? ''] !== undefined).length;
  const overdue = data.cases.filter((row) => row.overdue).length;

  return (
    <>
      <StatisticCard.Group direction="row" style={{ marginBottom: 16 }}>
        <StatisticCard statistic={{ title: `${year}年度申报案件`, value: data.cases.length, suffix: '件' }} />
        <StatisticCard statistic={{ title: '办理中', value: open, suffix: '件' }} />
        <StatisticCard statistic={{ title: '已逾期', value: overdue, suffix: '件', status: overdue > 0 ? 'error' : 'success' }} />
        <StatisticCard statistic={{ title: '已认定', value: byStatus['recognised'] ?? 0, suffix: '户' }} />
        <StatisticCard
          statistic={{
            title: '认定名额（已用 / 上限）',
            value: quota ? `${quota.used} / ${quota.cap}` : '尚未确定',
            description: quota ? `候补 ${quota.waiting} 件，剩余 ${quota.free} 个` : undefined,
          }}
        />
      </StatisticCard.Group>
      <ProCard gutter={[16, 16]} wrap>
        <ProCard title={`${year}年度本区分型结构`} colSpan={{ xs: 24, lg: 12 }} bordered>
          {tierCounts ? (
            <Chart
              label={`分型结构：${TIERS.map((tier) => `${label(TIER_LABELS, tier)}${tierCounts[tier]}户`).join('，')}`}
              option={{
                tooltip: { trigger: 'item', formatter: '{b}：{c}户（{d}%）' },
                legend: { top: 0, itemGap: 28 },
                series: [
                  {
                    type: 'pie',
                    radius: ['35%', '62%'],
                    center: ['50%', '56%'],
                    label: { formatter: '{b}\n{c}户' },
                    data: TIERS.map((tier) => {
                      // A tier with no household keeps its legend entry but draws no label on the ring.
                      const shown = tierCounts[tier] > 0;
                      return { name: label(TIER_LABELS, tier), value: tierCounts[tier], itemStyle: { color: TIER_COLOURS[tier] }, label: { show: shown }, labelLine: { show: shown } };
                    }),
                  },
                ],
              }}
            />
          ) : (
            <Empty description={`${year}年度尚无生效的年度分型结果`} />
          )}
        </ProCard>
        <ProCard title="认定名额使用" colSpan={{ xs: 24, lg: 12 }} bordered>
          {quota && quota.cap === 0 ? (
            <Empty description={`${year}年度本区认定名额为0个：全市名额按“成长型”“发展型”户数的5%向下取整后分配到各区，本区未分到名额，通过公示的案件将候补（现候补${quota.waiting}件）`} />
          ) : quota ? (
            <Chart
              label={`认定名额已用${quota.used}个，上限${quota.cap}个，候补${quota.waiting}件`}
              option={{
                series: [
                  {
                    type: 'gauge',
                    min: 0,
                    max: quota.cap,
                    splitNumber: Math.min(quota.cap, 10),
                    axisLabel: { formatter: (value: number) => (Number.isInteger(value) ? String(value) : '') },
                    progress: { show: true, width: 18 },
                    axisLine: { lineStyle: { width: 18 } },
                    detail: { formatter: `已用 ${quota.used} / 上限 ${quota.cap}`, fontSize: 16, offsetCenter: [0, '70%'] },
                    data: [{ value: quota.used, name: '已用名额' }],
                  },
                ],
              }}
            />
          ) : (
            <Empty description={`${year}年度认定名额尚未确定（市市场监管委设定，或第一件需要名额的案件确定）`} />
          )}
        </ProCard>
        <ProCard title="案件办理状态" colSpan={{ xs: 24, lg: 12 }} bordered>
          {data.cases.length > 0 ? (
            <Chart
              label={`案件办理状态：${Object.entries(byStatus).map(([status, count]) => `${label(CASE_STATUS_LABELS, status)}${count}件`).join('，')}`}
              option={{
                tooltip: { trigger: 'axis' },
                grid: { left: 120, right: 24, top: 8, bottom: 24 },
                xAxis: { type: 'value', minInterval: 1 },
                yAxis: { type: 'category', data: Object.keys(byStatus).map((status) => label(CASE_STATUS_LABELS, status)) },
                series: [{ type: 'bar', barMaxWidth: 28, data: Object.values(byStatus), itemStyle: { color: '#b71c1c' }, label: { show: true, position: 'right' } }],
              }}
            />
          ) : (
            <Empty description={`${year}年度本区尚无认定案件`} />
          )}
        </ProCard>
        <ProCard title="已认定户的类别" colSpan={{ xs: 24, lg: 12 }} bordered>
          {Object.keys(recognisedByCategory).length > 0 ? (
            <Chart
              label={`已认定户类别：${Object.entries(recognisedByCategory).map(([category, count]) => `${label(CATEGORY_LABELS, category)}${count}户`).join('，')}`}
              option={{
                tooltip: { trigger: 'axis' },
                xAxis: { type: 'category', data: Object.keys(CATEGORY_LABELS).map((category) => label(CATEGORY_LABELS, category)) },
                yAxis: { type: 'value', minInterval: 1 },
                series: [{ type: 'bar', barMaxWidth: 40, data: Object.keys(CATEGORY_LABELS).map((category) => recognisedByCategory[category] ?? 0), itemStyle: { color: '#1677ff' }, label: { show: true, position: 'top' } }],
              }}
            />
          ) : (
            <Empty description={`${year}年度本区尚无已认定户`} />
          )}
        </ProCard>
      </ProCard>
    </>
  );
}
