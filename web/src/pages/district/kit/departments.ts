import { useEffect, useState } from 'react';

export interface DepartmentOption {
  /** The registry ID the API takes and a department's token names. */
  value: string;
  label: string;
}

/**
 * The departments a case of this district may consult (GET /departments?districtCode=: the city's
 * and the district's), read without the typed client while the registry is not in the API's
 * document this branch was generated from. null when the API has no registry: the form then takes
 * the departments as typed, and the case shows them as it holds them.
 */
export function useDepartments(districtCode: string | undefined): DepartmentOption[] | null {
  const [options, setOptions] = useState<DepartmentOption[] | null>(null);
  useEffect(() => {
    let live = true;
    const query = districtCode ? `?${new URLSearchParams({ districtCode }).toString()}` : '';
    fetch(`/departments${query}`)
      .then(async (response) => (response.ok ? ((await response.json()) as unknown) : null))
      .then((body) => live && setOptions(Array.isArray(body) ? body.flatMap(departmentOption) : null))
      .catch(() => live && setOptions(null));
    return () => {
      live = false;
    };
  }, [districtCode]);
  return options;
}

function departmentOption(row: unknown): DepartmentOption[] {
  const entry = (row ?? {}) as { id?: unknown; name?: unknown; level?: unknown };
  if (typeof entry.id !== 'string') return [];
  const name = typeof entry.name === 'string' ? entry.name : entry.id;
  return [{ value: entry.id, label: entry.level === 'city' ? `${name}（市级）` : name }];
}

/** A department's name for its registry ID, or the ID as the case holds it. */
export function departmentName(options: DepartmentOption[] | null, id: string): string {
  return options?.find((option) => option.value === id)?.label ?? id;
}
