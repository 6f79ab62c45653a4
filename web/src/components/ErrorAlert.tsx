import { Alert } from 'antd';
import { describeError } from '../errors';

/** A refusal or failure, in Chinese, with the API's own words folded away for a developer. */
export function ErrorAlert({ error, style }: { error: unknown; style?: React.CSSProperties }) {
  if (!error) return null;
  const described = describeError(error);
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      style={{ marginBottom: 16, ...style }}
      message={described.message}
      description={described.technical ? <details><summary>技术信息</summary>{described.technical}</details> : undefined}
    />
  );
}
