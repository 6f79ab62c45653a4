import { Page } from '../../components/Page';
import { Card, Descriptions, Empty, Input, List, Space, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { Answer } from '../../api/types';
import { ErrorAlert } from '../../components/ErrorAlert';
import { TierAdvice } from '../../components/TierAdvice';
import { useApi } from '../../components/useApi';
import { proseDate, tierText } from '../../format';
import { useFactColumns } from '../../components/columns';
import { looksLikeUscc } from '../../../../policy/uscc.js';

/** Read by the browser test that measures the first page (performance.mark). */
export const INTERACTIVE_MARK = 'tier-lookup-interactive';

export const TIER_COLORS: Record<string, string> = { development: 'green', growth: 'blue', survival: 'gold', unclassified: 'default' };

/** T-PUB: anyone looks a household's tier up by name or USCC, and reads why and what to do about it. */
export function TierLookup() {
  const { uscc } = useParams();
  const navigate = useNavigate();
  const [query, setQuery] = useState('');
  const [searched, setSearched] = useState<string | null>(null);
  const [queryError, setQueryError] = useState<string | null>(null);
  // The first page's load-to-interactive moment: the search box is on screen and takes input.
  useEffect(() => {
    if (performance.getEntriesByName(INTERACTIVE_MARK).length === 0) performance.mark(INTERACTIVE_MARK);
  }, []);

  const search = (value: string) => {
    const text = value.trim().toUpperCase();
    if (looksLikeUscc(text)) {
      navigate(`/public/households/${text}`);
      return;
    }
    if ([...value.trim()].length < 2) {
      setQueryError('名称至少输入2个字，或输入18位统一社会信用代码');
      return;
    }
    setQueryError(null);
    navigate('/public');
    setSearched(value.trim());
  };

  return (
    <Page title="分型结果查询" subTitle="按个体工商户名称或统一社会信用代码查询年度分型结果及原因">
      <Card>
        <label htmlFor="tier-search">
          <Typography.Text strong>名称或统一社会信用代码</Typography.Text>
        </label>
        <Input.Search
          id="tier-search"
          aria-label="名称或统一社会信用代码"
          placeholder="如：泥人张，或 18 位统一社会信用代码"
          enterButton="查询"
          size="large"
          maxLength={100}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onSearch={search}
          status={queryError ? 'error' : undefined}
          aria-describedby={queryError ? 'tier-search-error' : undefined}
          style={{ marginTop: 8 }}
        />
        {queryError && (
          <Typography.Text id="tier-search-error" type="danger" role="alert">
            {queryError}
          </Typography.Text>
        )}
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          名称至少输入2个字。分型结果每年8月由年度分型产生；对结果有异议的，经营者可提出异议申诉。
        </Typography.Paragraph>
      </Card>
      {uscc ? <HouseholdTier uscc={uscc} /> : searched !== null && <SearchResults name={searched} />}
    </Page>
  );
}

function SearchResults({ name }: { name: string }) {
  const { data, error, loading } = useApi(() => unwrap(api.GET('/public/households', { params: { query: { name, pageSize: 50 } } })), [name]);
  return (
    <Card title={`“${name}”的查询结果`} style={{ marginTop: 16 }} loading={loading}>
      <ErrorAlert error={error} />
      {data && data.items?.length === 0 && <Empty description="没有找到名称包含该文字的个体工商户，请换个关键字或输入统一社会信用代码" />}
      {data && (data.items?.length ?? 0) > 0 && (
        <List
          dataSource={data.items}
          footer={data.total !== undefined && data.total > (data.items?.length ?? 0) ? `共${data.total}户，仅显示前${data.items?.length}户，请输入更完整的名称` : undefined}
          renderItem={(item) => (
            <List.Item
              actions={[
                <Link key="detail" to={`/public/households/${item.uscc}`} aria-label={`查看${item.name}的分型原因`}>
                  查看原因
                </Link>,
              ]}
            >
              <List.Item.Meta
                title={item.name}
                description={
                  <Space wrap>
                    <span>{item.uscc}</span>
                    <span>{item.district?.name}</span>
                    {item.tier ? (
                      <Tag color={TIER_COLORS[item.tier]}>
                        {item.year}年度 {tierText(item.tier, item.tierLabel)}
                      </Tag>
                    ) : (
                      <Tag>尚未分型</Tag>
                    )}
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

function HouseholdTier({ uscc }: { uscc: string }) {
  const { data, error, loading } = useApi(() => unwrap(api.GET('/public/households/{uscc}', { params: { path: { uscc } } })), [uscc]);
  return (
    <Card style={{ marginTop: 16 }} loading={loading} title={data ? data.name : '分型结果'}>
      <ErrorAlert error={error} />
      {data && data.tier && <TierDetail tier={data} objectAction={<Link to="/login?next=/household/objection">经营者登录后提出异议申诉</Link>} />}
    </Card>
  );
}

type TierView = Answer<'/public/households/{uscc}'>;

const SOURCE_LABELS: Record<string, string> = { run: '年度分型', on_demand: '即时分型', objection: '异议申诉更正' };

/** A tier with its reasons and what to do: the public lookup and the household's own page. */
export function TierDetail({ tier, objectAction }: { tier: TierView; objectAction: React.ReactNode }) {
  const factColumns = useFactColumns();
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Descriptions {...factColumns} bordered size="small">
        <Descriptions.Item label="分型结果">
          <Tag color={TIER_COLORS[tier.tier ?? '']} style={{ fontSize: 15, padding: '2px 10px' }}>
            {tierText(tier.tier, tier.tierLabel)}
          </Tag>
        </Descriptions.Item>
        <Descriptions.Item label="年度">{tier.year}年度</Descriptions.Item>
        <Descriptions.Item label="统一社会信用代码">{tier.uscc}</Descriptions.Item>
        <Descriptions.Item label="所属区">{tier.district?.name ?? '—'}</Descriptions.Item>
        <Descriptions.Item label="判定日">{proseDate(tier.asOf)}</Descriptions.Item>
        <Descriptions.Item label="来源">{SOURCE_LABELS[tier.source ?? ''] ?? tier.source}</Descriptions.Item>
      </Descriptions>
      <div>
        <Typography.Title level={2} style={{ fontSize: 16 }}>
          分型原因
        </Typography.Title>
        {tier.ruleVersionDrift ? (
          <Typography.Paragraph>分型规则已更新，原因说明暂不可用；判定条款：{tier.clauses}</Typography.Paragraph>
        ) : (
          <List size="small" bordered dataSource={tier.reasons ?? []} renderItem={(reason) => <List.Item>{reason}</List.Item>} />
        )}
      </div>
      <TierAdvice tier={tier.tier ?? ''} clauses={tier.clauses} objectAction={objectAction} />
    </Space>
  );
}
