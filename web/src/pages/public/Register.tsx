import { Page } from '../../components/Page';
import { Card, Empty, Form, Input, Select, Space, Statistic, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useApi } from '../../components/useApi';
import { CASE_STATUS_LABELS } from '../../../../policy/case-status-labels.js';
import { CATEGORY_LABELS, DISTRICT_OPTIONS, label, labelOptions, tableDate } from '../../format';

type Category = 'renowned' | 'distinctive' | 'quality' | 'emerging';
const CATEGORY_OPTIONS = labelOptions(CATEGORY_LABELS);
const PAGE_SIZE = 20;
const ORIGIN_LABELS: Record<string, string> = { tianjin: '天津认定', beijing: '北京认定（京津冀互认）', hebei: '河北认定（京津冀互认）' };

/** C-FILE: the register of recognised households, by category and district. */
export function Register() {
  const [filters, setFilters] = useState<{ category?: Category; districtCode?: string; name?: string }>({});
  const [page, setPage] = useState(1);
  const chosen = { districtCode: filters.districtCode, name: filters.name && filters.name.length >= 2 ? filters.name : undefined };
  // The counts are of every category, so that they stay in view while one category is listed.
  const counts = useApi(() => unwrap(api.GET('/public/recognitions/counts', { params: { query: chosen } })), [JSON.stringify(chosen)]);
  const query = { ...chosen, category: filters.category, page, pageSize: PAGE_SIZE };
  const { data, error, loading } = useApi(() => unwrap(api.GET('/public/recognitions', { params: { query } })), [JSON.stringify(query)]);
  const rows = data ?? [];
  const total = filters.category ? counts.data?.byCategory?.[filters.category] : counts.data?.total;
  const choose = (changed: Partial<typeof filters>) => {
    setFilters((f) => ({ ...f, ...changed }));
    setPage(1);
  };
  return (
    <Page title="“名特优新”个体工商户名录" subTitle="经认定并备案的“名特优新”个体工商户，按类别和所属区查询">
      <Card>
        <Form layout="inline" style={{ marginBottom: 16, rowGap: 8 }}>
          <Form.Item label="类别" htmlFor="register-category">
            <Select id="register-category" allowClear placeholder="全部类别" style={{ width: 160 }} options={CATEGORY_OPTIONS} value={filters.category} onChange={(category?: Category) => choose({ category })} />
          </Form.Item>
          <Form.Item label="所属区" htmlFor="register-district">
            <Select id="register-district" allowClear placeholder="全部区" style={{ width: 160 }} options={DISTRICT_OPTIONS} value={filters.districtCode} onChange={(districtCode?: string) => choose({ districtCode })} />
          </Form.Item>
          <Form.Item label="名称" htmlFor="register-name">
            <Input.Search id="register-name" allowClear placeholder="至少2个字" maxLength={100} onSearch={(name) => choose({ name: name.trim() || undefined })} />
          </Form.Item>
        </Form>
        <Space size="large" style={{ marginBottom: 16 }} wrap>
          {CATEGORY_OPTIONS.map((option) => (
            <Statistic key={option.value} title={`${option.label}类`} value={counts.data?.byCategory?.[option.value as Category] ?? '—'} suffix="户" loading={counts.loading} />
          ))}
        </Space>
        <ErrorAlert error={error ?? counts.error} />
        <Table
          rowKey={(row) => `${row.uscc}-${row.recognisedOn}`}
          // On a phone the table scrolls sideways rather than stacking a name a character a line.
          scroll={{ x: 'max-content' }}
          loading={loading}
          dataSource={rows}
          pagination={{ current: page, pageSize: PAGE_SIZE, total, showSizeChanger: false, onChange: setPage, showTotal: (all) => `共 ${all} 户` }}
          locale={{ emptyText: <Empty description="暂无符合条件的“名特优新”个体工商户" /> }}
          columns={[
            { title: '个体工商户', dataIndex: 'name' },
            { title: '统一社会信用代码', dataIndex: 'uscc' },
            { title: '所属区', dataIndex: 'districtName' },
            { title: '类别', dataIndex: 'category', render: (category: string) => label(CATEGORY_LABELS, category) },
            { title: '认定日期', dataIndex: 'recognisedOn', render: (date: string) => tableDate(date) },
            { title: '有效期至', dataIndex: 'validUntil', render: (date: string) => tableDate(date) },
            { title: '状态', dataIndex: 'status', render: (status: string) => <Tag color={status === 'recognised' ? 'green' : 'default'}>{label(CASE_STATUS_LABELS, status)}</Tag> },
            { title: '来源', dataIndex: 'origin', render: (origin: string) => ORIGIN_LABELS[origin] ?? origin },
          ]}
        />
      </Card>
    </Page>
  );
}
