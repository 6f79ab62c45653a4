import { Grid } from 'antd';

/**
 * Whether the window is narrower than antd's `md` breakpoint (768 px): a phone, which is how many
 * households reach the platform. Wide until the first measurement, as antd's own layout assumes.
 */
export function useNarrowScreen(): boolean {
  return Grid.useBreakpoint().md === false;
}
