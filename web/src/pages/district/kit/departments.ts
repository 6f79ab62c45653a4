import { useEffect, useState } from 'react';
import { currentToken } from '../../../session';

export interface DepartmentOption {
  value: string;
  label: string;
}

/**
 * The departments an office may consult (GET /departments, the departments registry). Read
 * untyped while the registry is not yet in the API's OpenAPI document; null when the API has no
 * registry, so the form takes the departments' names as typed instead.
 */
export function useDepartments(districtCode: string | undefined): DepartmentOption[] | null {
  const [options, setOptions] = useState<DepartmentOption[] | null>(null);
  useEffect(() => {
    let live = true;
    const token = currentToken();
    fetch('/departments', { headers: token ? { authorization: `Bearer ${token}` } : {} })
      .then(async (response) => (response.ok ? ((await response.json()) as unknown) : null))
      .then((body) => live && setOptions(body === null ? null : departmentOptions(body, districtCode)))
      .catch(() => live && setOptions(null));
    return () => {
      live = false;
    };
  }, [districtCode]);
  return options;
}

function departmentOptions(body: unknown, districtCode: string | undefined): DepartmentOption[] {
  const rows: unknown[] = Array.isArray(body) ? body : Array.isArray((body as { items?: unknown[] })?.items) ? (body as { items: unknown[] }).items : [];
  return rows.flatMap((row) => {
    if (typeof row === 'string') return [{ value: row, label: row }];
    if (row && typeof row === 'object') {
      const entry = row as { name?: string; id?: string; districtCode?: string | null };
      const name = entry.name ?? entry.id;
      if (!name) return [];
      // A district office consults the city's departments and its own district's.
      if (districtCode && entry.districtCode && entry.districtCode !== districtCode) return [];
      return [{ value: name, label: name }];
    }
    return [];
  });
}
