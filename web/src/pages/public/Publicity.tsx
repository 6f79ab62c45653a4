import { Page } from '../../components/Page';
import { App, Button, Card, Empty, Form, Input, Modal, Table, Typography } from 'antd';
import { useState } from 'react';
import { api, idempotencyKey, unwrap } from '../../api/client';
import type { Answer } from '../../api/types';
import { DueDate } from '../../components/DueDate';
import { ErrorAlert } from '../../components/ErrorAlert';
import { usePagedRead } from '../../components/paging';
import { formFieldErrors } from '../../errors';
import { CATEGORY_LABELS, districtName, label, tableDate } from '../../format';

type Notice = Answer<'/public/publicity'>[number];

/** C-SELF: the publicity notices in force, their objection window, and a form to object (no login needed). */
export function Publicity() {
  const { data, error, loading, pagination } = usePagedRead((page, pageSize) => unwrap(api.GET('/public/publicity', { params: { query: { page, pageSize } } })));
  const [objecting, setObjecting] = useState<Notice | null>(null);
  return (
    <Page title="认定公示与异议" subTitle="拟认定为“名特优新”的个体工商户在公示期内接受社会监督">
      <Card>
        <Typography.Paragraph>
          对公示的个体工商户有异议的，任何单位和个人均可在公示期截止日前提出异议并说明事实和理由。异议由区市场监管局在认定前逐一核实处理。
        </Typography.Paragraph>
        <ErrorAlert error={error} />
        <Table<Notice>
          rowKey="caseId"
          // On a phone the table scrolls sideways rather than stacking a name a character a line.
          scroll={{ x: 'max-content' }}
          loading={loading}
          dataSource={data ?? []}
          pagination={pagination}
          locale={{ emptyText: <Empty description="目前没有处于公示期的认定公示" /> }}
          columns={[
            { title: '个体工商户', dataIndex: 'name' },
            { title: '统一社会信用代码', dataIndex: 'uscc' },
            { title: '所属区', dataIndex: 'districtCode', render: (code: string) => districtName(code) },
            { title: '拟认定类别', dataIndex: 'category', render: (category: string) => label(CATEGORY_LABELS, category) },
            { title: '公示日期', dataIndex: 'publishedOn', render: (date: string) => tableDate(date) },
            { title: '异议截止', dataIndex: 'objectionsUntil', render: (date: string) => <DueDate dueOn={date} /> },
            {
              title: '操作',
              key: 'object',
              render: (_: unknown, notice) => (
                <Button onClick={() => setObjecting(notice)} aria-label={`对${notice.name}提出异议`}>
                  提出异议
                </Button>
              ),
            },
          ]}
        />
      </Card>
      {objecting && <ObjectionForm notice={objecting} onClose={() => setObjecting(null)} />}
    </Page>
  );
}

function ObjectionForm({ notice, onClose }: { notice: Notice; onClose: () => void }) {
  const [form] = Form.useForm<{ reason: string }>();
  const { message } = App.useApp();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // One key per form: a second click or a retry after a lost answer files the objection once.
  const [key] = useState(idempotencyKey);

  const submit = async ({ reason }: { reason: string }) => {
    setBusy(true);
    setError(null);
    try {
      const filed = await unwrap(
        api.POST('/publicity/{caseId}/objections', {
          params: { path: { caseId: notice.caseId! }, header: { 'idempotency-key': key } },
          body: { reason },
        }),
      );
      message.success(`异议已提交（第${filed.objectionNo}号），区市场监管局将在认定前核实处理。`);
      onClose();
    } catch (failure) {
      const fieldErrors = formFieldErrors(failure, ['reason']);
      if (fieldErrors.length > 0) form.setFields(fieldErrors);
      else setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open title={`对“${notice.name}”提出异议`} onCancel={onClose} okText="提交异议" cancelText="取消" confirmLoading={busy} onOk={() => form.submit()} destroyOnClose>
      <ErrorAlert error={error} />
      <Typography.Paragraph type="secondary">
        公示期至 <DueDate dueOn={notice.objectionsUntil} />。无需登录；请如实说明事实和理由，以便核实。
      </Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(values) => void submit(values)}>
        <Form.Item name="reason" label="异议内容" rules={[{ required: true, whitespace: true, message: '请填写异议的事实和理由' }]}>
          <Input.TextArea rows={5} maxLength={4000} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}
