import { Button, Card } from 'antd';
import { useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Page } from '../../components/Page';
import { useApi } from '../../components/useApi';
import { CaseList } from './CaseList';

/** The households this department recommended (C-REC), before and after recognition. */
export function Recommended() {
  const navigate = useNavigate();
  const { data, error, loading } = useApi(() => unwrap(api.GET('/cases', { params: { query: { pageSize: 100 } } })), []);
  return (
    <Page title="本部门推荐" subTitle="本部门推荐的个体工商户及其认定进度" extra={<Button type="primary" onClick={() => navigate('/department/recommend')}>推荐个体工商户</Button>}>
      <Card>
        <ErrorAlert error={error} />
        <CaseList rows={data ?? []} loading={loading} empty="本部门还没有推荐个体工商户" action={() => '查看'} />
      </Card>
    </Page>
  );
}
