import { Flex, Spin, Typography } from 'antd';
import { createContext, useContext, type ReactNode } from 'react';
import { useNarrowScreen } from './useNarrowScreen';
import { usePageTitle } from './usePageTitle';

/** A page's margins inside its frame, on a wide screen and on a phone. */
export interface PageMargins {
  wide: string;
  narrow: string;
}

/**
 * The public frame pads its content itself; the signed-in layout pads nothing (so that its demo
 * banner runs edge to edge above every page alike) and a page takes the margins Ant Design Pro's
 * PageContainer takes there. On a phone the frame's own margin is all a page needs.
 */
export const PageMarginsContext = createContext<PageMargins>({ wide: '16px 24px 32px', narrow: '8px 0 24px' });

/**
 * A page of a role's section: its title as the page's one level-1 heading, what it is for, its
 * actions. The browser's tab shows `tabTitle`, by default the title.
 */
export function Page({
  title,
  tabTitle,
  subTitle,
  extra,
  loading,
  children,
}: {
  title: string;
  tabTitle?: string;
  subTitle?: ReactNode;
  extra?: ReactNode;
  loading?: boolean;
  children?: ReactNode;
}) {
  const narrow = useNarrowScreen();
  const margins = useContext(PageMarginsContext);
  usePageTitle(tabTitle ?? title);
  return (
    <div style={{ padding: narrow ? margins.narrow : margins.wide }}>
      <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 16 }}>
        <div>
          <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
            {title}
          </Typography.Title>
          {subTitle && (
            <Typography.Text type="secondary" style={{ display: 'block', marginTop: 4 }}>
              {subTitle}
            </Typography.Text>
          )}
        </div>
        {extra}
      </Flex>
      {loading ? <Spin size="large" style={{ display: 'block', margin: 48 }} /> : children}
    </div>
  );
}
