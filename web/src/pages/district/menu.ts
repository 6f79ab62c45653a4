import type { ReactNode } from 'react';

export const menu: { path: string; label: string; icon?: ReactNode }[] = [
  { path: '', label: '待办事项' },
  { path: 'publicity', label: '公示异议' },
  { path: 'annual-reports', label: '年度信息报告' },
  { path: 'dashboard', label: '本区统计' },
];
