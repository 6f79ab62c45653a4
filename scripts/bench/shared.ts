/** What the bench's parts print their figures with. */

export function count(value: number): string {
  return Math.round(value).toLocaleString('en');
}

/** The nearest-rank percentile of `values` (milliseconds), 0 when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
