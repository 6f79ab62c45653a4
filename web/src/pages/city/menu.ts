import type { ReactNode } from 'react';

export const menu: { path: string; label: string; icon?: ReactNode }[] = [{ path: '', label: '市市场监管委工作台' }];
