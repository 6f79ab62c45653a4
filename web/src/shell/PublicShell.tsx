import { LoginOutlined } from '@ant-design/icons';
import { Button, Flex, Typography } from 'antd';
import type { ReactNode } from 'react';
import { NavLink, useNavigate } from 'react-router-dom';
import { useNarrowScreen } from '../components/useNarrowScreen';
import type { Section } from '../sections';
import { useSession } from '../session';
import { DemoBanner } from './DemoBanner';

/**
 * The public pages' frame: a light header with their menu, kept apart from the back-office
 * layout so that the first page anyone opens loads fast.
 */
export function PublicShell({ section, children }: { section: Section; children: ReactNode }) {
  const navigate = useNavigate();
  const { actor } = useSession();
  // On a phone a page keeps no margin of its own (Page): the frame keeps a narrow one, as the offices' layout does.
  const narrow = useNarrowScreen();
  return (
    <div style={{ minHeight: '100vh', background: '#f5f5f5' }}>
      <header style={{ background: '#fff', borderBottom: '1px solid #e5e5e5' }}>
        <Flex align="center" justify="space-between" wrap gap={12} style={{ maxWidth: 1200, margin: '0 auto', padding: narrow ? '10px 12px' : '10px 24px' }}>
          <Typography.Text strong style={{ fontSize: 18 }}>
            天津市“名特优新”个体工商户培育平台
          </Typography.Text>
          <nav aria-label="公众服务">
            <Flex wrap gap={4}>
              {section.menu.map((item) => (
                <NavLink
                  key={item.path}
                  to={item.path ? `/public/${item.path}` : '/public'}
                  end
                  className="public-nav"
                  style={({ isActive }) => ({
                    padding: '6px 12px',
                    borderRadius: 6,
                    color: isActive ? '#fff' : '#1f1f1f',
                    background: isActive ? '#b71c1c' : 'transparent',
                  })}
                >
                  {item.label}
                </NavLink>
              ))}
            </Flex>
          </nav>
          <Button type="primary" icon={<LoginOutlined />} onClick={() => navigate(actor ? `/${actor.role}` : '/login')}>
            {actor ? '进入我的办理' : '登录办理'}
          </Button>
        </Flex>
      </header>
      <DemoBanner />
      <main style={{ maxWidth: 1200, margin: '0 auto', paddingInline: narrow ? 12 : 0 }}>{children}</main>
    </div>
  );
}
