import { PageContainer, ProCard, ProFormDatePicker, ProFormSelect, ProFormText } from '@ant-design/pro-components';
import { Alert } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { CATEGORY_LABELS, labelOptions, proseDate } from '../../format';
import { DecisionForm } from '../district/kit/DecisionForm';
import { REGION_LABELS } from '../district/kit/labels';
import type { Answer } from '../../api/types';

type Registered = Answer<'/recognitions/transfers', 'post'>;


/** 京津冀互认 (C-XREGION): a household recognised in Beijing or Hebei that moved here keeps its recognition. */
export default function Transfers() {
  const [registered, setRegistered] = useState<Registered | null>(null);
  return (
    <PageContainer
      title="京津冀互认"
      content="在北京市、河北省认定的“名特优新”个体工商户迁入天津的，登记后在剩余有效期内继续有效。该户须已在本市登记、状态存续（T-B1），未持有本市认定（C-ONE-TYPE），其经营者在同一区没有其他已认定户（C-ONE-PERSON）。互认不占用认定名额，不参加抽查。"
    >
      {registered && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 16 }}
          message={`已登记互认，有效期至${proseDate(registered.validUntil)}。`}
          description={registered.caseId && <Link to={`/city/cases/${registered.caseId}`}>查看该户的认定</Link>}
        />
      )}
      <ProCard bordered title="登记迁入的认定">
        <DecisionForm<{ uscc: string; origin: 'beijing' | 'hebei'; category: 'renowned' | 'distinctive' | 'quality' | 'emerging'; recognisedOn: string; validUntil: string; originRef: string }, Registered>
          ariaLabel="登记京津冀互认"
          submitText="登记互认"
          doneText="已登记互认"
          send={(values, headers) => api.POST('/recognitions/transfers', { headers, body: values })}
          onDone={setRegistered}
        >
          <ProFormText
            name="uscc"
            label="统一社会信用代码"
            rules={[
              { required: true, message: '请填写统一社会信用代码' },
              { len: 18, message: '统一社会信用代码为18位' },
            ]}
            fieldProps={{ maxLength: 18 }}
          />
          <ProFormSelect name="origin" label="原认定地" rules={[{ required: true, message: '请选择原认定地' }]} options={labelOptions({ beijing: REGION_LABELS['beijing']!, hebei: REGION_LABELS['hebei']! })} />
          <ProFormSelect name="category" label="认定类别" rules={[{ required: true, message: '请选择认定类别' }]} options={labelOptions(CATEGORY_LABELS)} />
          <ProFormDatePicker name="recognisedOn" label="原认定日期" rules={[{ required: true, message: '请选择原认定日期' }]} />
          <ProFormDatePicker name="validUntil" label="有效期至" rules={[{ required: true, message: '请选择有效期截止日期' }]} />
          <ProFormText
            name="originRef"
            label="原认定文号"
            rules={[{ required: true, message: '请填写原认定地的认定文号或编号' }]}
            fieldProps={{ maxLength: 200 }}
          />
        </DecisionForm>
      </ProCard>
    </PageContainer>
  );
}
