import { Button, Card } from 'antd';
import { useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { Page } from '../../components/Page';
import { CaseList } from './CaseList';

/** The households this department recommended (C-REC), before and after recognition. */
export function Recommended() {
  const navigate = useNavigate();
  return (
    <Page title="本部门推荐" subTitle="本部门推荐的个体工商户及其认定进度" extra={<Button type="primary" onClick={() => navigate('/department/recommend')}>推荐个体工商户</Button>}>
      <Card>
        <CaseList
          load={(page, pageSize) => unwrap(api.GET('/cases', { params: { query: { page, pageSize } } }))}
          empty="本部门还没有推荐个体工商户"
          action={() => '查看'}
        />
      </Card>
    </Page>
  );
}
