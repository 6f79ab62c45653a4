import type { ReactNode } from 'react';

export const menu: { path: string; label: string; icon?: ReactNode }[] = [{ path: '', label: '公众服务' }];
