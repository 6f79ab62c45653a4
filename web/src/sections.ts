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
  load: () => Promise<{ default: ComponentType }>;
  /** Needs no login. */
  open: boolean;
}

function section(role: Role, title: string, menu: MenuItem[], load: Section['load'], open = false): Section {
  return { role, title, menu, load, Pages: lazy(load), open };
}

export const SECTIONS: Section[] = [
  section('public', '社会公众', publicMenu, () => import('./pages/public/index'), true),
  section('household', '个体工商户', householdMenu, () => import('./pages/household/index')),
  section('department', '相关部门', departmentMenu, () => import('./pages/department/index')),
  section('district', '区市场监管局', districtMenu, () => import('./pages/district/index')),
  section('city', '市市场监管委', cityMenu, () => import('./pages/city/index')),
];

/**
 * Starts fetching the pages of the address being opened while React starts, rather than after
 * its first render asks for them (`/` opens the public pages).
 */
export function preloadSectionOf(pathname: string): void {
  const role = pathname.split('/')[1] || 'public';
  void SECTIONS.find((s) => s.role === role)?.load();
}
