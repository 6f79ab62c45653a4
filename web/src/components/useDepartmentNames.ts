import { useEffect, useState } from 'react';
import { api, unwrap } from '../api/client';

let registry: Promise<Map<string, string>> | null = null;

/** The departments' names by their registry IDs (what tokens and cases carry), read once per page load. */
export function useDepartmentNames(): (id: string | null | undefined) => string {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    registry ??= unwrap(api.GET('/departments')).then((rows) => new Map(rows.map((row) => [row.id ?? '', row.name ?? row.id ?? ''])));
    registry.then((loaded) => live && setNames(loaded), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  return (id) => (id ? (names.get(id) ?? id) : '');
}
