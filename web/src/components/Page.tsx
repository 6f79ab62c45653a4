import { Flex, Spin, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useNarrowScreen } from './useNarrowScreen';
import { usePageTitle } from './usePageTitle';

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
  // On a phone the layout's own margin is all the frame a page needs: every pixel of width counts.
  const narrow = useNarrowScreen();
  usePageTitle(tabTitle ?? title);
  return (
    <div style={{ padding: narrow ? '8px 0 24px' : '16px 24px 32px' }}>
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
