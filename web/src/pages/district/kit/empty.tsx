import { Empty } from 'antd';

/** A table's empty state in Chinese, in the contrast WCAG AA asks for (a bare emptyText string is pale grey). */
export function emptyLocale(text: string) {
  return { emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={text} /> };
}
