import { Alert } from 'antd';
import { api, unwrap } from '../api/client';
import { useApi } from '../components/useApi';
import { useDemoActors } from '../demo';

/** Whether the API is a training system (npm run training): `/health` says so. */
function useTrainingSystem(): boolean {
  const { data } = useApi(() => unwrap(api.GET('/health')), []);
  return data?.trainingSystem === true;
}

/** Every page of a development system says so: its accounts and data are demo ones; a training system's, that its clock is moved. */
export function DemoBanner() {
  const demoActors = useDemoActors();
  const training = useTrainingSystem();
  return (
    <>
      {training && (
        <Alert
          banner
          type="info"
          role="note"
          message="培训系统：日期由市级账号拨动（POST /training/clock），到期提醒、公示结束、年报等按拨动后的日期发生；办理结果不具有法律效力。"
        />
      )}
      {demoActors && (
        <Alert
          banner
          type="warning"
          role="note"
          message="演示系统：本页面的账号和数据均为演示数据，办理结果不具有法律效力。"
        />
      )}
    </>
  );
}
