import type { TablePaginationConfig } from 'antd';
import { useState } from 'react';
import { useApi, type Loaded } from './useApi';

const PAGE_SIZE = 20;

/** A table's total when the API gives no count: one page more while a page comes back full. */
export function pagedTotal(page: number, pageSize: number, rows: number): number {
  return (page - 1) * pageSize + rows + (rows === pageSize ? 1 : 0);
}

/** A list the API gives a page at a time without its count, read page by page as the table's pager asks. */
export function usePagedRead<Row>(load: (page: number, pageSize: number) => Promise<Row[]>): Loaded<Row[]> & { pagination: TablePaginationConfig } {
  const [page, setPage] = useState(1);
  const read = useApi(() => load(page, PAGE_SIZE), [page]);
  const total = pagedTotal(page, PAGE_SIZE, read.data?.length ?? 0);
  return { ...read, pagination: { current: page, pageSize: PAGE_SIZE, total, showSizeChanger: false, onChange: setPage, hideOnSinglePage: true } };
}
