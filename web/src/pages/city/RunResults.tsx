import { ProCard, StatisticCard } from '@ant-design/pro-components';
import { Empty, Segmented } from 'antd';
import { useState } from 'react';
import { TIER_LABELS, districtName, label } from '../../format';
import { Chart, TIER_COLOURS } from '../district/kit/Chart';
import type { TieringRun } from '../../api/types';

const TIERS = ['development', 'growth', 'survival', 'unclassified'] as const;

type Scale = 'share' | 'count';
type TierCounts = Record<(typeof TIERS)[number], number>;

/** The tier's percentage of the district's households. */
function shareOf(tiers: TierCounts, tier: (typeof TIERS)[number]): number {
  const total = TIERS.reduce((sum, each) => sum + tiers[each], 0);
  return total === 0 ? 0 : (tiers[tier] / total) * 100;
}

/** A completed run's results: the counts, tiers by district and the movements since last year's run in force. */
export default function RunResults({ run }: { run: TieringRun }) {
  // Districts differ a hundredfold in size: shares compare their structure, counts their weight.
  const [scale, setScale] = useState<Scale>('share');
  const counts = run.countsByTier;
  const districts = Object.entries(run.countsByDistrict ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const moves = Object.entries(run.movements?.moves ?? {})
    .filter(([move]) => {
      const [from, to] = move.split('>');
      return from !== to;
    })
    .sort(([, a], [, b]) => b - a);
  const previous = run.movements?.previousRun;
  const moveLabel = (move: string) => {
    const [from, to] = move.split('>');
    return `${from === 'none' ? '上年未参与分型' : label(TIER_LABELS, from)} → ${label(TIER_LABELS, to)}`;
  };

  return (
    <>
      <StatisticCard.Group direction="row" style={{ marginBottom: 16 }}>
        <StatisticCard statistic={{ title: '参与分型户数', value: run.households ?? 0, suffix: '户' }} />
        {TIERS.map((tier) => (
          <StatisticCard key={tier} statistic={{ title: label(TIER_LABELS, tier), value: counts?.[tier] ?? 0, suffix: '户' }} />
        ))}
        <StatisticCard statistic={{ title: '认定名额基数（成长型+发展型）', value: run.quotaBase ?? 0, suffix: '户' }} />
      </StatisticCard.Group>
      <ProCard gutter={[16, 16]} wrap>
        <ProCard
          title="各区分型结构"
          colSpan={24}
          bordered
          extra={
            <Segmented
              aria-label="按户数或占比显示"
              value={scale}
              onChange={(value) => setScale(value as Scale)}
              options={[
                { value: 'share', label: '占比' },
                { value: 'count', label: '户数' },
              ]}
            />
          }
        >
          {districts.length > 0 ? (
            <Chart
              height={380}
              label={`各区分型结构：${districts.map(([code, tiers]) => `${districtName(code)}${TIERS.map((tier) => `${label(TIER_LABELS, tier)}${tiers[tier]}户`).join('、')}`).join('；')}`}
              option={{
                tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (value) => (scale === 'share' ? `${Number(value).toFixed(1)}%` : `${String(value)}户`) },
                legend: { top: 0, itemGap: 28 },
                grid: { left: 56, right: 16, top: 40, bottom: 64 },
                xAxis: { type: 'category', data: districts.map(([code]) => districtName(code)), axisLabel: { rotate: 30 } },
                yAxis: scale === 'share' ? { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } } : { type: 'value', name: '户', minInterval: 1 },
                series: TIERS.map((tier) => ({
                  name: label(TIER_LABELS, tier),
                  type: 'bar' as const,
                  stack: 'tiers',
                  barMaxWidth: 40,
                  itemStyle: { color: TIER_COLOURS[tier] },
                  data: districts.map(([, tiers]) => (scale === 'share' ? shareOf(tiers, tier) : tiers[tier])),
                })),
              }}
            />
          ) : (
            <Empty description="此次分型没有户" />
          )}
        </ProCard>
        <ProCard title={previous ? `与上年（${previous.year}年度第${previous.version}版）相比的分型变化` : '与上年相比的分型变化'} colSpan={24} bordered>
          {!previous ? (
            <Empty description="上年没有生效的分型结果，无法比较" />
          ) : moves.length === 0 ? (
            <Empty description="与上年相比，没有户的分型发生变化" />
          ) : (
            <Chart
              height={Math.max(200, moves.length * 36 + 40)}
              label={`分型变化：${moves.map(([move, count]) => `${moveLabel(move)} ${count}户`).join('；')}`}
              option={{
                tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
                grid: { left: 200, right: 48, top: 8, bottom: 24 },
                xAxis: { type: 'value', name: '户', minInterval: 1 },
                yAxis: { type: 'category', inverse: true, data: moves.map(([move]) => moveLabel(move)) },
                series: [
                  {
                    type: 'bar',
                    barMaxWidth: 24,
                    label: { show: true, position: 'right' },
                    data: moves.map(([move, count]) => ({ value: count, itemStyle: { color: TIER_COLOURS[move.split('>')[1] ?? ''] } })),
                  },
                ],
              }}
            />
          )}
        </ProCard>
      </ProCard>
    </>
  );
}
