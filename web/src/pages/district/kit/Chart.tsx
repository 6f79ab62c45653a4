import ReactEChartsCore from 'echarts-for-react/esm/core';
import { BarChart, GaugeChart, PieChart } from 'echarts/charts';
import { DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { EChartsOption } from 'echarts';

// Only the chart kinds the offices' pages draw, so the role's chunk stays small.
echarts.use([BarChart, PieChart, GaugeChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, DatasetComponent, SVGRenderer]);

/**
 * An ECharts chart with a text alternative for screen readers (the SVG itself says nothing);
 * drawn at once, without animation, so what a clerk (or a screenshot) sees is the final figure.
 */
export function Chart({ option, label, height = 300 }: { option: EChartsOption; label: string; height?: number }) {
  return (
    <div role="img" aria-label={label}>
      <ReactEChartsCore echarts={echarts} option={{ animation: false, ...option }} style={{ height }} opts={{ renderer: 'svg' }} notMerge />
    </div>
  );
}

export const TIER_COLOURS: Record<string, string> = {
  development: '#1677ff',
  growth: '#52c41a',
  survival: '#faad14',
  unclassified: '#bfbfbf',
};
