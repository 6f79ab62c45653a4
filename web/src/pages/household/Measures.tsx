import { Alert, Empty } from 'antd';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Page } from '../../components/Page';
import { useApi } from '../../components/useApi';
import { MeasureGroups } from '../public/SupportMeasures';
import { useHouseholdUscc } from './useHousehold';

/** T-AID, C-AID: the measures that apply to this household now, from its tier and recognition. */
export function Measures() {
  const uscc = useHouseholdUscc();
  const { data, error, loading } = useApi(() => unwrap(api.GET('/households/{uscc}/support-measures', { params: { path: { uscc } } })), [uscc]);
  return (
    <Page title="我的扶持措施" subTitle="依据本户的分型结果和“名特优新”认定，可享受的扶持措施" loading={loading}>
      <ErrorAlert error={error} />
      <Alert type="info" showIcon style={{ marginBottom: 16 }} message="标有“免申即享”的措施由相关部门依据数据直接落实，无需申请；其他措施请联系所列责任部门。" />
      {data && ((data.measures?.length ?? 0) > 0 ? <MeasureGroups measures={data.measures ?? []} /> : <Empty description="本户目前没有适用的扶持措施（未分型的个体工商户在情形消除、重新分型后适用）" />)}
    </Page>
  );
}
