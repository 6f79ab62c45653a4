import { useEffect, useState } from 'react';
import { api, unwrap } from '../../../api/client';
import type { Answer } from '../../../api/types';

export interface DepartmentOption {
  /** The registry ID the API takes and a department's token names. */
  value: string;
  label: string;
}

type Department = Answer<'/departments'>[number];

/**
 * The departments a case of this district may consult (the city's and the district's). null
 * while they load or when the registry cannot be read: the form then takes the departments as
 * typed, and the case shows them as it holds them.
 */
export function useDepartments(districtCode: string | undefined): DepartmentOption[] | null {
  const [options, setOptions] = useState<DepartmentOption[] | null>(null);
  useEffect(() => {
    let live = true;
    unwrap(api.GET('/departments', { params: { query: districtCode ? { districtCode } : {} } })).then(
      (rows) => live && setOptions(rows.flatMap(departmentOption)),
      () => live && setOptions(null),
    );
    return () => {
      live = false;
    };
  }, [districtCode]);
  return options;
}

function departmentOption({ id, name, level }: Department): DepartmentOption[] {
  if (!id) return [];
  return [{ value: id, label: level === 'city' ? `${name ?? id}（市级）` : (name ?? id) }];
}

/** A department's name for its registry ID, or the ID as the case holds it. */
export function departmentName(options: DepartmentOption[] | null, id: string): string {
  return options?.find((option) => option.value === id)?.label ?? id;
}
