import { Card, Col, Row, Space } from 'antd';
import type { ReactNode } from 'react';
import type { CaseView } from '../api/types';
import { CaseOverview } from './CaseOverview';
import { CaseTimeline } from './CaseTimeline';
import { ErrorAlert } from './ErrorAlert';
import { Page } from './Page';
import { useCase } from './useCase';

/**
 * One case as a household or a department reads it: where it stands, what the reader has to do
 * now (`actions`, given the case and a reload for after a step), and every step so far.
 */
export function CasePage({ title, caseId, actions }: { title: string; caseId: string; actions: (view: CaseView, reload: () => void) => ReactNode }) {
  const { view, events, reload } = useCase(caseId);
  const data = view.data;
  return (
    <Page
      title={title}
      tabTitle={data ? `${data.householdName} · ${title}` : undefined}
      subTitle={data ? `${data.householdName} · ${data.year}年度` : undefined}
      loading={view.loading && !data}
    >
      <ErrorAlert error={view.error} />
      {data && (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={14}>
            <Space direction="vertical" size="middle" style={{ width: '100%' }}>
              <Card title="办理情况">
                <CaseOverview view={data} />
              </Card>
              {actions(data, reload)}
            </Space>
          </Col>
          <Col xs={24} lg={10}>
            <Card title="办理过程">
              <ErrorAlert error={events.error} />
              <CaseTimeline events={events.data ?? []} />
            </Card>
          </Col>
        </Row>
      )}
    </Page>
  );
}
