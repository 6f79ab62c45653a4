/**
 * A Descriptions table in two columns from `md` up, one below. antd merges a responsive `column`
 * with its defaults (3 from `md`, 4 from `xxl`), so every breakpoint is named here; `{ xs: 1, md: 2 }`
 * alone gave three cramped columns on an ordinary laptop screen.
 */
export const TWO_COLUMNS = { xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 2 } as const;
