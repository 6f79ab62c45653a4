import { LoginOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { ProLayout } from '@ant-design/pro-components';
import { Button, Space, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useNarrowScreen } from '../components/useNarrowScreen';
import { documentTitle, PageTitleContext } from '../components/usePageTitle';
import { PageMarginsContext, type PageMargins } from '../components/Page';
import { districtName, ROLE_LABELS } from '../format';
import type { Section } from '../sections';
import { useSession, type SessionActor } from '../session';
import { DemoBanner } from './DemoBanner';
import Inbox from './Inbox';

export function actorTitle(actor: SessionActor): string {
  if (actor.name) return actor.name;
  switch (actor.role) {
    case 'district':
      return `${districtName(actor.districtCode)}市场监管局`;
    case 'department':
      return actor.department ?? '相关部门';
    case 'household':
      return `个体工商户 ${actor.uscc ?? ''}`;
    default:
      return ROLE_LABELS[actor.role] ?? actor.role;
  }
}

/** The role and who acts in it, the role once where the two are the same office (市市场监管委). */
function signedInAs(actor: SessionActor): string {
  const role = ROLE_LABELS[actor.role] ?? actor.role;
  const title = actorTitle(actor);
  return title === role ? role : `${role}：${title}`;
}

/** PageContainer's margins in this layout (its tokens: 40 and 12 px on a phone), for the pages that are not one. */
const SIGNED_IN_PAGE_MARGINS: PageMargins = { wide: '24px 40px 32px', narrow: '8px 12px 24px' };

/** The frame of every page: the role's menu, who is signed in, and the demo notice. */
export default function Shell({ section, children }: { section: Section; children: ReactNode }) {
  const location = useLocation();
  const navigate = useNavigate();
  const { actor, signOut } = useSession();
  const narrow = useNarrowScreen();
  const [pageName, setPageName] = useState<string | null>(null);
  const base = `/${section.role}`;
  const paths = section.menu.map((item) => (item.path ? `${base}/${item.path}` : base));
  // The deepest menu entry the address is in; the section's first page only for addresses no other
  // entry holds (ProLayout would light it up for every address below it).
  const selected =
    paths
      .filter((path) => path !== base && (location.pathname === path || location.pathname.startsWith(`${path}/`)))
      .sort((a, b) => b.length - a.length)[0] ?? base;
  const menuEntry = section.menu[paths.indexOf(location.pathname)];
  return (
    <PageTitleContext.Provider value={setPageName}>
      <PageMarginsContext.Provider value={SIGNED_IN_PAGE_MARGINS}>
        <ProLayout
          title="名特优新培育平台"
          logo={false}
          layout="mix"
          fixSiderbar
          // The menu stays open on desktop widths; a narrow window gets ProLayout's drawer instead.
          breakpoint={false}
          defaultCollapsed={false}
          // ProLayout keeps a desktop's 40 px margins on a phone, which left a case's facts a third of its width.
          token={narrow ? { pageContainer: { paddingInlinePageContainerContent: 12, paddingBlockPageContainerContent: 12 } } : undefined}
          // Pages pad themselves (PageContainer, or Page with the margins above): the demo banner runs edge to edge above each.
          contentStyle={{ padding: 0 }}
          // The tab names the page: the one it says it is, or its menu entry (a case is in no menu).
          pageTitleRender={() => documentTitle(pageName ?? menuEntry?.label)}
          location={{ pathname: location.pathname }}
          selectedKeys={[selected]}
          route={{
            path: base,
            routes: section.menu.map((item, i) => ({ path: paths[i], name: item.label, icon: item.icon })),
          }}
          menuItemRender={(item, dom) => (item.path ? <Link to={item.path}>{dom}</Link> : dom)}
          onMenuHeaderClick={() => navigate(base)}
          actionsRender={() => [
            actor ? (
              <Space key="actor" align="center">
                {actor.role !== 'public' && <Inbox />}
                <UserOutlined aria-hidden />
                <Typography.Text ellipsis={narrow ? { tooltip: signedInAs(actor) } : false} style={narrow ? { maxWidth: '40vw', verticalAlign: 'middle' } : undefined}>
                  {signedInAs(actor)}
                </Typography.Text>
                <Button
                  icon={<LogoutOutlined />}
                  aria-label="退出登录"
                  title="退出登录"
                  onClick={() => {
                    signOut();
                    navigate('/login');
                  }}
                >
                  {narrow ? null : '退出登录'}
                </Button>
              </Space>
            ) : (
              <Button key="login" type="primary" icon={<LoginOutlined />} onClick={() => navigate('/login')}>
                登录办理
              </Button>
            ),
          ]}
        >
          <DemoBanner />
          {children}
        </ProLayout>
      </PageMarginsContext.Provider>
    </PageTitleContext.Provider>
  );
}
