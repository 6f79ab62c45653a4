import { InboxOutlined } from '@ant-design/icons';
import { PageContainer, ProCard, ProDescriptions, ProTable, type ActionType } from '@ant-design/pro-components';
import { Alert, Button, Form, Progress, Select, Space, Typography, Upload, type SelectProps, type UploadFile } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ApiError, describeError } from '../../errors';
import { cstDateTime } from '../../format';
import { FEED_LABELS } from '../district/kit/labels';
import type { ImportRecord, ImportRejection, ImportReport } from '../../api/types';
import { rejectionReasonText } from './rejection-text';
import { uploadFeed } from './upload';
import { emptyLocale } from '../district/kit/empty';

type Stage = { kind: 'idle' } | { kind: 'uploading'; sent: number } | { kind: 'checking' } | { kind: 'done'; report: ImportReport } | { kind: 'refused'; message: string };

const feedOptions = Object.entries(FEED_LABELS).map(([value, text]) => ({ value, label: `${text}（${value}）` }));

/** The city office imports the agencies' feed files (data contract) and reads what each import rejected. */
export default function Imports() {
  const [feed, setFeed] = useState<string | undefined>();
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const [shownImport, setShownImport] = useState<number | null>(null);
  const history = useRef<ActionType>(null);

  const start = async () => {
    const file = files[0]?.originFileObj;
    if (!feed || !file) return;
    setStage({ kind: 'uploading', sent: 0 });
    try {
      const report = await uploadFeed(file, feed, (sent) => setStage(sent < 1 ? { kind: 'uploading', sent } : { kind: 'checking' }));
      setStage({ kind: 'done', report });
      setShownImport(report.importId);
      history.current?.reload();
    } catch (error) {
      setStage({ kind: 'refused', message: refusalText(error) });
    }
  };

  const busy = stage.kind === 'uploading' || stage.kind === 'checking';

  return (
    <PageContainer
      title="数据导入"
      content="导入各部门的数据文件（CSV，表头须与数据约定一致）。有错误的行被拒收并列出行号、列和原因，其余的行照常写入；同一文件重复导入不会重复写入。年度分型运行期间不能导入。"
    >
      <ProCard title="上传数据文件" bordered style={{ marginBottom: 16 }}>
        <Form layout="vertical" onFinish={() => void start()} aria-label="上传数据文件">
          <Form.Item label="数据类别" name="feed" rules={[{ required: true, message: '请选择数据类别' }]}>
            <FeedSelect options={feedOptions} placeholder="选择文件所属的数据类别" onChange={setFeed} disabled={busy} />
          </Form.Item>
          <Form.Item label="数据文件" name="file" rules={[{ required: true, message: '请选择要上传的CSV文件' }]} valuePropName="fileList" getValueFromEvent={(event) => event?.fileList}>
            <Upload.Dragger
              accept=".csv,text/csv"
              maxCount={1}
              fileList={files}
              beforeUpload={() => false}
              onChange={({ fileList }) => setFiles(fileList.slice(-1))}
              disabled={busy}
            >
              <p className="ant-upload-drag-icon">
                <InboxOutlined aria-hidden />
              </p>
              <p>点击或拖拽CSV文件到此处</p>
            </Upload.Dragger>
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            开始导入
          </Button>
        </Form>
        <ImportProgress stage={stage} />
      </ProCard>
      {shownImport !== null && <ImportResult importId={shownImport} />}
      <ProTable<ImportRecord>
        actionRef={history}
        rowKey="id"
        headerTitle="导入记录"
        locale={emptyLocale('还没有导入记录')}
        search={false}
        options={{ reload: true, density: false, setting: false }}
        pagination={{ pageSize: 10, showSizeChanger: false }}
        request={async ({ current = 1, pageSize = 10 }) => {
          const answer = await unwrap(api.GET('/imports', { params: { query: { page: current, pageSize } } }));
          return { data: answer.items, total: answer.total, success: true };
        }}
        columns={[
          { title: '编号', dataIndex: 'id', width: 70 },
          { title: '数据类别', dataIndex: 'feed', render: (_, row) => FEED_LABELS[row.feed] ?? row.feed },
          { title: '文件', dataIndex: 'fileName' },
          { title: '导入时间', dataIndex: 'startedAt', render: (_, row) => cstDateTime(row.startedAt) },
          { title: '导入人', dataIndex: 'importedBy' },
          { title: '读取行数', dataIndex: 'rowsRead' },
          { title: '接收', dataIndex: 'rowsAccepted' },
          { title: '拒收', dataIndex: 'rowsRejected', render: (_, row) => (row.rowsRejected > 0 ? <Typography.Text type="danger">{row.rowsRejected}</Typography.Text> : 0) },
          { title: '有变化', dataIndex: 'rowsChanged' },
          {
            title: '操作',
            valueType: 'option',
            render: (_, row) => [
              <Button key="show" type="link" onClick={() => setShownImport(row.id)} aria-label={`查看第${row.id}次导入的结果`}>
                查看结果
              </Button>,
            ],
          },
        ]}
      />
    </PageContainer>
  );
}

/** A whole file refused (its header) says each fault of the header, not only that the file is wrong. */
function refusalText(error: unknown): string {
  const described = describeError(error).message;
  const faults = error instanceof ApiError ? (error.body.details?.['errors'] as { reason?: string }[] | undefined) : undefined;
  if (!Array.isArray(faults) || faults.length === 0) return described;
  return `${described} 文件表头的问题：${faults.map((fault) => rejectionReasonText(fault.reason ?? '')).join('；')}。`;
}

/**
 * A Select in a required Form.Item: antd puts aria-required on the select's outer element, where
 * ARIA does not allow it (axe: aria-allowed-attr); the label's mark and the rule still say it.
 */
function FeedSelect({ 'aria-required': _ariaRequired, ...props }: SelectProps<string> & { 'aria-required'?: unknown }) {
  return <Select {...props} />;
}

function ImportProgress({ stage }: { stage: Stage }) {
  switch (stage.kind) {
    case 'idle':
      return null;
    case 'uploading':
      return (
        <div style={{ marginTop: 16 }}>
          <Typography.Text>正在上传…</Typography.Text>
          <Progress percent={Math.floor(stage.sent * 100)} status="active" aria-label="上传进度" />
        </div>
      );
    case 'checking':
      return (
        <div style={{ marginTop: 16 }}>
          <Typography.Text>已上传，正在逐行校验并写入…</Typography.Text>
          <Progress percent={100} status="active" showInfo={false} aria-label="校验写入进度" />
        </div>
      );
    case 'done':
      return (
        <Alert
          style={{ marginTop: 16 }}
          showIcon
          type={stage.report.rowsRejected > 0 ? 'warning' : 'success'}
          message={`导入完成：读取${stage.report.rowsRead}行，接收${stage.report.rowsAccepted}行，拒收${stage.report.rowsRejected}行，其中${stage.report.rowsChanged}行带来变化。`}
          description={stage.report.rowsRejected > 0 ? '拒收的行见下方“拒收明细”，请更正后重新导入这些行。' : undefined}
        />
      );
    case 'refused':
      return <Alert style={{ marginTop: 16 }} showIcon type="error" role="alert" message="导入未成功，没有写入任何数据" description={stage.message} />;
  }
}

function ImportResult({ importId }: { importId: number }) {
  const [record, setRecord] = useState<ImportRecord | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setRecord(null);
    unwrap(api.GET('/imports/{id}', { params: { path: { id: importId } } })).then(
      (loaded) => live && setRecord(loaded),
      (error) => live && setFailure(describeError(error).message),
    );
    return () => {
      live = false;
    };
  }, [importId]);
  return (
    <ProCard title={`第${importId}次导入`} bordered style={{ marginBottom: 16 }}>
      {failure && <Alert type="error" showIcon message={failure} />}
      {record && (
        <ProDescriptions column={3}>
          <ProDescriptions.Item label="数据类别">{FEED_LABELS[record.feed] ?? record.feed}</ProDescriptions.Item>
          <ProDescriptions.Item label="文件">{record.fileName}</ProDescriptions.Item>
          <ProDescriptions.Item label="完成时间">{cstDateTime(record.finishedAt)}</ProDescriptions.Item>
          <ProDescriptions.Item label="读取行数">{record.rowsRead}</ProDescriptions.Item>
          <ProDescriptions.Item label="接收 / 拒收">
            {record.rowsAccepted} / {record.rowsRejected}
          </ProDescriptions.Item>
          <ProDescriptions.Item label="有变化">{record.rowsChanged}</ProDescriptions.Item>
        </ProDescriptions>
      )}
      {record && record.rowsRejected > 0 && (
        <ProTable<ImportRejection>
          key={importId}
          rowKey={(row) => `${row.line}-${row.column}-${row.reason}`}
          headerTitle={<Space>拒收明细</Space>}
          search={false}
          options={false}
          size="small"
          pagination={{ pageSize: 20, showSizeChanger: false }}
          request={async ({ current = 1, pageSize = 20 }) => {
            const answer = await unwrap(api.GET('/imports/{id}/rejections', { params: { path: { id: importId }, query: { page: current, pageSize } } }));
            return { data: answer.items, total: answer.total, success: true };
          }}
          columns={[
            { title: '行号', dataIndex: 'line', width: 80 },
            { title: '列', dataIndex: 'column', width: 160, render: (_, row) => (row.column === '(row)' ? '整行' : row.column) },
            { title: '原因', dataIndex: 'reason', render: (_, row) => rejectionReasonText(row.reason) },
          ]}
        />
      )}
    </ProCard>
  );
}
