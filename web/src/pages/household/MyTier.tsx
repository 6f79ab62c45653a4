import { Button, Card, Space } from 'antd';
import { useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Page } from '../../components/Page';
import { useApi } from '../../components/useApi';
import { TierDetail } from '../public/TierLookup';
import { useHouseholdUscc } from './useHousehold';

/** The household's own tier, why, and what it can do next. */
export function MyTier() {
  const uscc = useHouseholdUscc();
  const navigate = useNavigate();
  const { data, error, loading } = useApi(() => unwrap(api.GET('/public/households/{uscc}', { params: { path: { uscc } } })), [uscc]);
  return (
    <Page
      title="我的分型"
      subTitle={data?.name}
      loading={loading}
      extra={
        <Space wrap>
          <Button type="primary" onClick={() => navigate('/household/apply')}>
            自主申报“名特优新”
          </Button>
          <Button onClick={() => navigate('/household/measures')}>我的扶持措施</Button>
        </Space>
      }
    >
      <ErrorAlert error={error} />
      {data?.tier && (
        <Card>
          <TierDetail tier={data} objectAction={<Button type="link" onClick={() => navigate('/household/objection')}>提出异议申诉</Button>} />
        </Card>
      )}
    </Page>
  );
}
