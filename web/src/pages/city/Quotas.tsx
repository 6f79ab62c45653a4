import { PageContainer, ProCard, ProTable, StatisticCard } from '@ant-design/pro-components';
import { Alert, App, Button, Empty, Result, Select, Skeleton } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { describeError } from '../../errors';
import { districtName, todayCst } from '../../format';
import { Chart } from '../district/kit/Chart';
import type { YearQuota } from '../../api/types';
import { emptyLocale } from '../district/kit/empty';

type DistrictQuota = YearQuota['districts'][number];

/** The year's recognition quota 认定名额 (C-QUOTA): the city cap, each district's share, places used and cases waiting. */
export default function Quotas() {
  const { message, modal } = App.useApp();
  const thisYear = Number(todayCst().slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const [quota, setQuota] = useState<YearQuota | null | 'missing'>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const load = useCallback(async () => {
    setQuota(null);
    setFailure(null);
    const answer = await api.GET('/quotas/{year}', { params: { path: { year } } });
    if (answer.response.status === 404) return setQuota('missing');
    try {
      setQuota(await unwrap(Promise.resolve(answer)));
    } catch (error) {
      setFailure(describeError(error).message);
    }
  }, [year]);

  useEffect(() => {
    void load();
  }, [load]);

  const setYearQuota = async () => {
    const confirmed = await modal.confirm({
      title: `确定${year}年度认定名额`,
      content: '按当年生效的年度分型，认定名额上限为“成长型”“发展型”户数之和的5%（向下取整），按各区所占比例以最大余数法分配。名额一经确定不再改变。确认？',
      okText: '确定名额',
      cancelText: '取消',
    });
    if (!confirmed) return;
    try {
      await unwrap(api.POST('/quotas/{year}', { params: { path: { year } } }));
      message.success(`${year}年度认定名额已确定`);
      void load();
    } catch (error) {
      message.error(describeError(error).message);
    }
  };

  return (
    <PageContainer
      title="认定名额"
      content="认定数量不超过当年年度分型中“成长型”“发展型”户数之和的5%（C-QUOTA），各区按所占比例分配；名额用满的，通过公示的案件进入候补。"
      extra={
        <Select
          aria-label="年度"
          value={year}
          onChange={setYear}
          options={[thisYear, thisYear - 1, thisYear - 2].map((value) => ({ value, label: `${value}年度` }))}
          style={{ width: 120 }}
        />
      }
    >
      {failure && <Alert type="error" showIcon message={failure} />}
      {quota === null && !failure && <Skeleton active />}
      {quota === 'missing' && (
        <Result
          status="info"
          title={`${year}年度认定名额尚未确定`}
          subTitle="可以现在按当年生效的年度分型确定；未确定的，第一件需要名额的案件将自动确定。"
          extra={
            <Button type="primary" onClick={() => void setYearQuota()}>
              确定{year}年度认定名额
            </Button>
          }
        />
      )}
      {quota !== null && quota !== 'missing' && <QuotaView quota={quota} />}
    </PageContainer>
  );
}

function QuotaView({ quota }: { quota: YearQuota }) {
  const districts = [...quota.districts].sort((a, b) => a.districtCode.localeCompare(b.districtCode));
  return (
    <>
      <StatisticCard.Group direction="row" style={{ marginBottom: 16 }}>
        <StatisticCard statistic={{ title: '全市名额上限', value: quota.city.cap, suffix: '个', description: `比例 ${(quota.rate * 100).toFixed(0)}%` }} />
        <StatisticCard statistic={{ title: '已使用', value: quota.city.used, suffix: '个' }} />
        <StatisticCard statistic={{ title: '剩余', value: quota.city.free, suffix: '个' }} />
        <StatisticCard statistic={{ title: '候补中', value: quota.city.waiting, suffix: '件' }} />
      </StatisticCard.Group>
      {quota.runInForceId !== null && quota.runInForceId !== quota.tieringRunId && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message="名额按首次确定时生效的年度分型计算；此后生效的分型版本不改变已确定的名额。" />
      )}
      <ProCard title="各区名额使用" bordered style={{ marginBottom: 16 }}>
        {districts.length > 0 ? (
          <Chart
            height={360}
            label={`各区名额：${districts.map((row) => `${districtName(row.districtCode)}已用${row.used}个，上限${row.cap}个`).join('；')}`}
            option={{
              tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
              legend: { top: 0, itemGap: 28 },
              grid: { left: 48, right: 16, top: 40, bottom: 64 },
              xAxis: { type: 'category', data: districts.map((row) => districtName(row.districtCode)), axisLabel: { rotate: 30 } },
              yAxis: { type: 'value', minInterval: 1, name: '个' },
              series: [
                { name: '名额上限', type: 'bar', barMaxWidth: 28, data: districts.map((row) => row.cap), itemStyle: { color: '#d9d9d9' } },
                { name: '已使用', type: 'bar', barMaxWidth: 28, data: districts.map((row) => row.used), itemStyle: { color: '#b71c1c' } },
                { name: '候补', type: 'bar', barMaxWidth: 28, data: districts.map((row) => row.waiting), itemStyle: { color: '#faad14' } },
              ],
            }}
          />
        ) : (
          <Empty />
        )}
      </ProCard>
      <ProTable<DistrictQuota>
        rowKey="districtCode"
        headerTitle="各区名额"
        locale={emptyLocale('没有各区名额')}
        search={false}
        options={false}
        pagination={false}
        dataSource={districts}
        columns={[
          { title: '区', dataIndex: 'districtCode', render: (_, row) => row.districtName ?? districtName(row.districtCode) },
          { title: '名额上限', dataIndex: 'cap' },
          { title: '已使用', dataIndex: 'used' },
          { title: '剩余', dataIndex: 'free' },
          { title: '候补中', dataIndex: 'waiting' },
        ]}
      />
    </>
  );
}
