import { ProFormRadio, ProFormTextArea } from '@ant-design/pro-components';
import { ToneTag } from './ToneTag';

/** Whether a publicity objection holds (an upheld one ends the case unrecognised, C-SELF), and why. */
export function ObjectionResolutionFields() {
  return (
    <>
      <ProFormRadio.Group
        name="upheld"
        label="处理结果"
        rules={[{ required: true, message: '请选择异议是否成立' }]}
        options={[
          { value: false, label: '异议不成立' },
          { value: true, label: '异议成立（不予认定）' },
        ]}
      />
      <ProFormTextArea name="reason" label="处理理由" rules={[{ required: true, message: '请填写处理理由' }]} fieldProps={{ maxLength: 2000, showCount: true }} />
    </>
  );
}

/** How a publicity objection was resolved, and why. */
export function ObjectionResolution({ upheld, reason }: { upheld: boolean; reason: string | null | undefined }) {
  return (
    <span>
      <ToneTag color={upheld ? 'error' : 'success'}>{upheld ? '异议成立' : '异议不成立'}</ToneTag>
      {reason}
    </span>
  );
}
