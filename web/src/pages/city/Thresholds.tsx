import { PageContainer, ProCard, ProFormDigit } from '@ant-design/pro-components';
import { Alert, Select, Skeleton, Space } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { describeError } from '../../errors';
import { cstDateTime, todayCst } from '../../format';
import { DecisionForm } from '../district/kit/DecisionForm';
import type { Answer } from '../../api/types';

type Setting = Answer<'/tiering/thresholds/{year}'>;

/** The year's T-G1 / T-D1 revenue thresholds 营业收入标准 ("一定数额" / "较高"), set by the city office. */
export default function Thresholds() {
  const thisYear = Number(todayCst().slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const [setting, setSetting] = useState<Setting | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const load = useCallback(async () => {
    setSetting(null);
    try {
      setSetting(await unwrap(api.GET('/tiering/thresholds/{year}', { params: { path: { year } } })));
    } catch (error) {
      setFailure(describeError(error).message);
    }
  }, [year]);

  useEffect(() => {
    setNotice(null);
    void load();
  }, [load]);

  return (
    <PageContainer
      title="营业收入标准"
      content="“成长型”（T-G1：上年营业收入达到一定数额）和“发展型”（T-D1：上年营业收入较高）的营业收入标准，按年度设定。已生效的年度分型保持其运行时的标准，新标准从当年下一次分型起适用。"
      extra={
        <Select
          aria-label="年度"
          value={year}
          onChange={setYear}
          options={[thisYear + 1, thisYear, thisYear - 1].map((value) => ({ value, label: `${value}年度` }))}
          style={{ width: 120 }}
        />
      }
    >
      {failure && <Alert type="error" showIcon message={failure} style={{ marginBottom: 16 }} />}
      {notice && <Alert type="info" showIcon message={notice} style={{ marginBottom: 16 }} />}
      {!setting ? (
        <Skeleton active />
      ) : (
        <ProCard bordered title={`${year}年度`} subTitle={setting.isDefault ? '尚未设定，使用系统默认值（非政策规定）' : `${setting.updatedBy ?? ''} 于 ${cstDateTime(setting.updatedAt)} 设定`}>
          <DecisionForm<{ growthRevenueYuan: number; developmentRevenueYuan: number }, Answer<'/tiering/thresholds/{year}', 'put'>>
            key={`${year}-${setting.updatedAt ?? 'default'}`}
            ariaLabel="营业收入标准"
            layout="horizontal"
            submitText="保存"
            doneText="营业收入标准已保存"
            initialValues={{ growthRevenueYuan: setting.growthRevenueYuan, developmentRevenueYuan: setting.developmentRevenueYuan }}
            send={(values, headers) => api.PUT('/tiering/thresholds/{year}', { headers, params: { path: { year } }, body: values })}
            onDone={(saved) => {
              setNotice(
                saved.runInForce
                  ? `已保存。${year}年度生效的分型（第${saved.runInForce.version}版）仍按原标准（${saved.runInForce.growthRevenueYuan?.toLocaleString('zh-CN')}元 / ${saved.runInForce.developmentRevenueYuan?.toLocaleString('zh-CN')}元），新标准从下一次分型起适用。`
                  : `已保存。${year}年度尚无生效的分型，即时分型立即按新标准判定。`,
              );
              void load();
            }}
          >
            <Space direction="vertical" style={{ width: '100%' }}>
              <ProFormDigit
                name="growthRevenueYuan"
                label="“成长型”营业收入标准（元）"
                tooltip="T-G1：上年营业收入达到此数额"
                rules={[{ required: true, message: '请填写“成长型”营业收入标准' }]}
                min={0}
                fieldProps={{ precision: 2, style: { width: 240 } }}
              />
              <ProFormDigit
                name="developmentRevenueYuan"
                label="“发展型”营业收入标准（元）"
                tooltip="T-D1：上年营业收入达到此数额，须高于“成长型”标准"
                dependencies={['growthRevenueYuan']}
                rules={[
                  { required: true, message: '请填写“发展型”营业收入标准' },
                  ({ getFieldValue }: { getFieldValue: (name: string) => unknown }) => ({
                    validator: async (_: unknown, value: number | undefined) => {
                      const growth = getFieldValue('growthRevenueYuan') as number | undefined;
                      if (value !== undefined && growth !== undefined && value <= growth) {
                        throw new Error('“发展型”标准（较高）须高于“成长型”标准（一定数额），请调高');
                      }
                    },
                  }),
                ]}
                min={0}
                fieldProps={{ precision: 2, style: { width: 240 } }}
              />
            </Space>
          </DecisionForm>
        </ProCard>
      )}
    </PageContainer>
  );
}
