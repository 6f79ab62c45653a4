import type { ReactNode } from 'react';

export const menu: { path: string; label: string; icon?: ReactNode }[] = [
  { path: '', label: '督办事项' },
  { path: 'imports', label: '数据导入' },
  { path: 'runs', label: '年度分型' },
  { path: 'thresholds', label: '营业收入标准' },
  { path: 'quotas', label: '认定名额' },
  { path: 'spot-checks', label: '抽查' },
  { path: 'revocations', label: '撤销认定' },
  { path: 'transfers', label: '京津冀互认' },
  { path: 'objections', label: '分型异议' },
];
