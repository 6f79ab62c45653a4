import { BellOutlined } from '@ant-design/icons';
import { App, Badge, Button, Drawer, List, Segmented, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import type { Answer } from '../api/types';
import { describeError } from '../errors';
import { cstDateTime } from '../format';
import { useSession, type Role } from '../session';
import { trailPagePath } from '../../../policy/platform-paths.js';

type InboxPage = Answer<'/notifications'>;
type Notification = InboxPage['items'][number];

/** The notification's page for the role reading it, and what the link says: a case's, or the tier objections'. */
function trailLink(role: Role, trailId: string): { to: string; label: string } | null {
  const to = trailPagePath(role, trailId);
  if (!to) return null;
  const household = role === 'household';
  if (to.startsWith(`/${role}/cases/`)) return { to, label: household ? '查看认定事项' : '查看案件' };
  return { to, label: household ? '查看异议申诉' : '查看分型异议' };
}

/** How often the bell asks for the unread count: new notifications show within a minute. */
const UNREAD_POLL_MS = 60_000;
const PAGE_SIZE = 20;

/**
 * The signed-in actor's inbox: a bell with the unread count in the header, opening a drawer with
 * the notifications addressed to the actor, newest first. Opening one marks it read.
 */
export default function Inbox() {
  const { message } = App.useApp();
  const { actor } = useSession();
  const [unreadCount, setUnreadCount] = useState(0);
  const [open, setOpen] = useState(false);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [items, setItems] = useState<Notification[]>([]);
  const [nextBeforeId, setNextBeforeId] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [expandedId, setExpandedId] = useState<number | null>(null);

  const refreshCount = useCallback(async () => {
    try {
      setUnreadCount((await unwrap(api.GET('/notifications/unread-count'))).unreadCount);
    } catch {
      // A missed poll is not worth a message: the next one comes within a minute.
    }
  }, []);

  useEffect(() => {
    void refreshCount();
    const timer = window.setInterval(() => void refreshCount(), UNREAD_POLL_MS);
    return () => window.clearInterval(timer);
  }, [refreshCount]);

  const loadPage = useCallback(
    async (beforeId: number | null) => {
      setLoading(true);
      try {
        const page = await unwrap(
          api.GET('/notifications', {
            params: { query: { unreadOnly, limit: PAGE_SIZE, ...(beforeId === null ? {} : { beforeId }) } },
          }),
        );
        setItems((shown) => (beforeId === null ? page.items : [...shown, ...page.items]));
        setNextBeforeId(page.nextBeforeId);
        setUnreadCount(page.unreadCount);
      } catch (error) {
        message.error(`消息读取失败：${describeError(error).message}`);
      } finally {
        setLoading(false);
      }
    },
    [unreadOnly, message],
  );

  useEffect(() => {
    if (open) void loadPage(null);
  }, [open, loadPage]);

  async function openNotification(notification: Notification) {
    setExpandedId((current) => (current === notification.id ? null : notification.id));
    if (notification.readAt) return;
    try {
      const read = await unwrap(api.POST('/notifications/{id}/read', { params: { path: { id: notification.id } } }));
      setItems((shown) => shown.map((item) => (item.id === read.id ? read : item)));
      setUnreadCount((count) => Math.max(0, count - 1));
    } catch (error) {
      message.error(`未能标为已读：${describeError(error).message}`);
    }
  }

  async function markAllRead() {
    try {
      const { marked } = await unwrap(api.POST('/notifications/read-all'));
      message.success(marked > 0 ? `已将${marked}条消息标为已读` : '没有未读消息');
      await loadPage(null);
    } catch (error) {
      message.error(`未能全部标为已读：${describeError(error).message}`);
    }
  }

  return (
    <>
      <Badge count={unreadCount} overflowCount={99} size="small">
        <Button
          type="text"
          icon={<BellOutlined />}
          aria-label={unreadCount > 0 ? `消息，${unreadCount}条未读` : '消息，没有未读'}
          onClick={() => setOpen(true)}
        />
      </Badge>
      <Drawer
        title="我的消息"
        open={open}
        onClose={() => setOpen(false)}
        width={440}
        extra={
          <Button size="small" disabled={unreadCount === 0} onClick={() => void markAllRead()}>
            全部标为已读
          </Button>
        }
      >
        <Space direction="vertical" style={{ width: '100%' }}>
          <Segmented
            value={unreadOnly ? 'unread' : 'all'}
            options={[
              { label: '全部消息', value: 'all' },
              { label: `只看未读（${unreadCount}）`, value: 'unread' },
            ]}
            onChange={(value) => setUnreadOnly(value === 'unread')}
          />
          <List<Notification>
            loading={loading}
            dataSource={items}
            locale={{ emptyText: unreadOnly ? '没有未读消息' : '暂无消息' }}
            loadMore={
              nextBeforeId !== null && (
                <div style={{ textAlign: 'center', marginTop: 12 }}>
                  <Button onClick={() => void loadPage(nextBeforeId)} loading={loading}>
                    加载更早的消息
                  </Button>
                </div>
              )
            }
            renderItem={(notification) => {
              const link = actor ? trailLink(actor.role, notification.caseId) : null;
              return (
                <List.Item
                  key={notification.id}
                  onClick={() => void openNotification(notification)}
                  style={{ cursor: 'pointer' }}
                  aria-expanded={expandedId === notification.id}
                >
                  <List.Item.Meta
                    title={
                      <Space size={4} wrap>
                        {!notification.readAt && <Tag color="red">未读</Tag>}
                        <Typography.Text strong={!notification.readAt}>{notification.title}</Typography.Text>
                      </Space>
                    }
                    description={
                      <>
                        <Typography.Paragraph
                          style={{ marginBottom: 4 }}
                          ellipsis={expandedId === notification.id ? false : { rows: 2 }}
                        >
                          {notification.body}
                        </Typography.Paragraph>
                        <Space size="middle" wrap>
                          <Typography.Text type="secondary">{cstDateTime(notification.createdAt)}</Typography.Text>
                          {link && (
                            // Opening it from here reads the notification too (the click reaches the item).
                            <Link to={link.to} onClick={() => setOpen(false)}>
                              {link.label}
                            </Link>
                          )}
                        </Space>
                      </>
                    }
                  />
                </List.Item>
              );
            }}
          />
        </Space>
      </Drawer>
    </>
  );
}
