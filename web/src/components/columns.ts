import type { DescriptionsProps } from 'antd';
import { useNarrowScreen } from './useNarrowScreen';

/**
 * A Descriptions table in two columns from `md` up, one below. antd merges a responsive `column`
 * with its defaults (3 from `md`, 4 from `xxl`), so every breakpoint is named here; `{ xs: 1, md: 2 }`
 * alone gave three cramped columns on an ordinary laptop screen.
 */
const TWO_COLUMNS = { xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 2 } as const;

/**
 * How a bordered table of facts lays out: two columns, labels beside their values; on a phone one
 * column with each label above its value, where a label beside it was squeezed to a character a line.
 */
export function useFactColumns(): Pick<DescriptionsProps, 'column' | 'layout'> {
  return { column: TWO_COLUMNS, layout: useNarrowScreen() ? 'vertical' : 'horizontal' };
}
