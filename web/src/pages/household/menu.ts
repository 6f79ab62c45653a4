import type { ReactNode } from 'react';

export const menu: { path: string; label: string; icon?: ReactNode }[] = [
  { path: '', label: '我的分型' },
  { path: 'apply', label: '自主申报' },
  { path: 'cases', label: '我的认定事项' },
  { path: 'objection', label: '分型异议申诉' },
  { path: 'measures', label: '我的扶持措施' },
];
