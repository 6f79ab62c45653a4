/** A table's total when the API gives no count: one page more while a page comes back full. */
export function pagedTotal(page: number, pageSize: number, rows: number): number {
  return (page - 1) * pageSize + rows + (rows === pageSize ? 1 : 0);
}
