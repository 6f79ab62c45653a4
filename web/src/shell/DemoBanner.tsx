import { Alert } from 'antd';
import { useDemoActors } from '../demo';

/** Every page of a development system says so: its accounts and data are demo ones. */
export function DemoBanner() {
  const demoActors = useDemoActors();
  if (!demoActors) return null;
  return (
    <Alert
      banner
      type="warning"
      role="note"
      message="演示系统：本页面的账号和数据均为演示数据，办理结果不具有法律效力。"
    />
  );
}
