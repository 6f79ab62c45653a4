import type { ReactNode } from 'react';

export const menu: { path: string; label: string; icon?: ReactNode }[] = [
  { path: '', label: '待办事项' },
  { path: 'recommend', label: '推荐个体工商户' },
  { path: 'recommended', label: '本部门推荐' },
];
