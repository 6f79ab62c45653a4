import type { ReactNode } from 'react';

export const menu: { path: string; label: string; icon?: ReactNode }[] = [{ path: '', label: '区市场监管局工作台' }];
