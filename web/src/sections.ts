import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import { menu as cityMenu } from './pages/city/menu';
import { menu as departmentMenu } from './pages/department/menu';
import { menu as districtMenu } from './pages/district/menu';
import { menu as householdMenu } from './pages/household/menu';
import { menu as publicMenu } from './pages/public/menu';
import type { Role } from './session';

export interface MenuItem {
  path: string;
  label: string;
  icon?: ReactNode;
}

export interface Section {
  role: Role;
  title: string;
  menu: MenuItem[];
  /** Loaded when first visited, so each role's pages are a chunk of their own. */
  Pages: LazyExoticComponent<ComponentType>;
  /** Needs no login. */
  open: boolean;
}

export const SECTIONS: Section[] = [
  { role: 'public', title: '社会公众', menu: publicMenu, Pages: lazy(() => import('./pages/public/index')), open: true },
  { role: 'household', title: '个体工商户', menu: householdMenu, Pages: lazy(() => import('./pages/household/index')), open: false },
  { role: 'department', title: '相关部门', menu: departmentMenu, Pages: lazy(() => import('./pages/department/index')), open: false },
  { role: 'district', title: '区市场监管局', menu: districtMenu, Pages: lazy(() => import('./pages/district/index')), open: false },
  { role: 'city', title: '市市场监管委', menu: cityMenu, Pages: lazy(() => import('./pages/city/index')), open: false },
];
