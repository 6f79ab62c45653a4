import type { ReactNode } from 'react';

export const menu: { path: string; label: string; icon?: ReactNode }[] = [
  { path: '', label: '分型结果查询' },
  { path: 'notices', label: '认定公示与异议' },
  { path: 'register', label: '“名特优新”名录' },
  { path: 'measures', label: '扶持措施' },
];
