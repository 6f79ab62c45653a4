import { Tag, type TagProps } from 'antd';

/**
 * Ant Design's preset tag colours put 12 px text below the 4.5:1 contrast WCAG AA asks for
 * (green on pale green is 2.2:1). The same tones with dark text, for every status the offices read.
 */
const TONES: Record<string, { color: string; background: string; border: string }> = {
  success: { color: '#135200', background: '#f6ffed', border: '#b7eb8f' },
  green: { color: '#135200', background: '#f6ffed', border: '#b7eb8f' },
  processing: { color: '#002c8c', background: '#e6f4ff', border: '#91caff' },
  error: { color: '#820014', background: '#fff1f0', border: '#ffa39e' },
  red: { color: '#820014', background: '#fff1f0', border: '#ffa39e' },
  warning: { color: '#613400', background: '#fffbe6', border: '#ffe58f' },
  gold: { color: '#613400', background: '#fffbe6', border: '#ffe58f' },
  orange: { color: '#612500', background: '#fff7e6', border: '#ffd591' },
  volcano: { color: '#610b00', background: '#fff2e8', border: '#ffbb96' },
  default: { color: '#262626', background: '#fafafa', border: '#d9d9d9' },
};

export function ToneTag({ color = 'default', style, ...props }: Omit<TagProps, 'color'> & { color?: string }) {
  const tone = TONES[color] ?? TONES['default']!;
  return <Tag {...props} style={{ color: tone.color, background: tone.background, borderColor: tone.border, ...style }} />;
}
