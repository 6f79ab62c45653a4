import { LoginOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Form, Input, List, Row, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { useDemoActors, type DemoActor } from '../../demo';
import { ApiError, describeError } from '../../errors';
import { ROLE_LABELS } from '../../format';
import { homeOf, signIn, type Role, type SessionActor } from '../../session';
import { DemoBanner } from '../../shell/DemoBanner';

const ROLE_ORDER: Role[] = ['household', 'district', 'department', 'city'];

/**
 * Signing in. A development system lists its demo actors and signs in as one; a deployment
 * takes the token its identity provider issued, which the API checks (GET /session).
 */
export default function LoginPage() {
  const demoActors = useDemoActors();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const enter = (actor: SessionActor) => {
    const next = params.get('next');
    navigate(next && next.startsWith(`/${actor.role}`) ? next : homeOf(actor.role), { replace: true });
  };

  const signInAsDemo = async (demo: DemoActor) => {
    setBusy(demo.actor.id);
    setError(null);
    try {
      const session = await unwrap(api.POST('/demo/sessions', { body: { actorId: demo.actor.id } }));
      const actor = { ...(session.actor as SessionActor), name: demo.label };
      signIn(session.token, actor, true);
      enter(actor);
    } catch (failure) {
      setError(describeError(failure).message);
    } finally {
      setBusy(null);
    }
  };

  const signInWithToken = async ({ token }: { token: string }) => {
    setBusy('token');
    setError(null);
    try {
      const trimmed = token.trim();
      const actor = (await unwrap(api.GET('/session', { headers: { authorization: `Bearer ${trimmed}` } }))) as SessionActor;
      signIn(trimmed, actor, false);
      enter(actor);
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 401
          ? '该登录凭证无效或已过期，请从统一身份认证平台重新获取后粘贴。'
          : describeError(failure).message,
      );
    } finally {
      setBusy(null);
    }
  };

  return (
    <div style={{ minHeight: '100vh', background: '#f5f5f5' }}>
      <DemoBanner />
      <main style={{ maxWidth: 960, margin: '0 auto', padding: '32px 16px' }}>
        <Typography.Title level={1} style={{ fontSize: 26 }}>
          名特优新个体工商户培育平台 · 登录
        </Typography.Title>
        <Typography.Paragraph>
          查询分型结果、查看公示和名录、提出公示异议无需登录：<Link to="/public">进入公众服务</Link>。
        </Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} />}
        {demoActors === undefined ? null : demoActors ? (
          <Card title="选择演示账号登录">
            <Typography.Paragraph type="secondary">这是演示系统，以下账号仅用于试用，选择一个身份即可登录。</Typography.Paragraph>
            <TryItSteps />
            <Row gutter={[16, 16]}>
              {ROLE_ORDER.map((role) => {
                const actors = demoActors.filter((demo) => demo.actor.role === role);
                if (actors.length === 0) return null;
                return (
                  <Col xs={24} md={12} key={role}>
                    <Typography.Title level={2} style={{ fontSize: 18 }}>
                      {ROLE_LABELS[role]}
                    </Typography.Title>
                    <List
                      bordered
                      dataSource={actors}
                      renderItem={(demo) => (
                        <List.Item
                          actions={[
                            <Button
                              key="enter"
                              type="primary"
                              loading={busy === demo.actor.id}
                              aria-label={`以“${demo.label}”登录`}
                              onClick={() => void signInAsDemo(demo)}
                            >
                              登录
                            </Button>,
                          ]}
                        >
                          <List.Item.Meta
                            title={
                              // Wraps the code under the name on a phone, where beside it the name stood a character a line.
                              <Space wrap size={[8, 4]}>
                                {demo.label}
                                {demo.actor.uscc && <Tag>{demo.actor.uscc}</Tag>}
                              </Space>
                            }
                            description={demo.description}
                          />
                        </List.Item>
                      )}
                    />
                  </Col>
                );
              })}
            </Row>
          </Card>
        ) : (
          <Card title="使用统一身份认证登录">
            <Typography.Paragraph>
              请粘贴统一身份认证平台签发的登录凭证（令牌）。个体工商户、区市场监管局、相关部门和市市场监管委的工作人员均从此登录。
            </Typography.Paragraph>
            <Form layout="vertical" onFinish={(values: { token: string }) => void signInWithToken(values)}>
              <Form.Item name="token" label="登录凭证" rules={[{ required: true, message: '请粘贴登录凭证' }]}>
                <Input.TextArea rows={4} autoComplete="off" spellCheck={false} />
              </Form.Item>
              <Button type="primary" htmlType="submit" icon={<LoginOutlined />} loading={busy === 'token'}>
                登录
              </Button>
            </Form>
          </Card>
        )}
      </main>
    </div>
  );
}

/** A first case from application to publicity, role by role: what a newcomer to the demo can do first. */
function TryItSteps() {
  return (
    <Alert
      type="info"
      style={{ marginBottom: 16 }}
      message="试用一件认定事项"
      description={
        <ol style={{ margin: 0, paddingInlineStart: 20 }}>
          <li>以说明中写有“可自主申报”的个体工商户登录，在“自主申报”中提交申报。</li>
          <li>以该户所在区的区市场监管局登录，在“待办事项”中打开案件，审核通过并记录走访核实，案件进入公示。</li>
          <li>公示期内，任何人可在公众服务的“认定公示与异议”中提出异议，由区市场监管局处理。</li>
          <li>相关部门可在“推荐个体工商户”中推荐，经营者在“我的认定事项”中确认同意后进入审核。</li>
        </ol>
      }
    />
  );
}
