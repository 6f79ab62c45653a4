import { lazy } from 'react';
import { Route, Routes } from 'react-router-dom';
import { NotFound } from '../../components/NotFound';
import { useSession } from '../../session';
import AnnualReports from './AnnualReports';
import { CaseDetail } from './case/CaseDetail';
import PublicityObjections from './PublicityObjections';
import Worklist from './Worklist';

// The charts (ECharts) load with the dashboard only, so the worklist and the cases open without them.
const Dashboard = lazy(() => import('./Dashboard'));

/** The district office's pages 区市场监管局: its worklist, cases, publicity objections, annual reports, statistics. */
export default function DistrictPages() {
  const { actor } = useSession();
  return (
    <Routes>
      <Route index element={<Worklist />} />
      <Route path="cases/:caseId" element={<CaseDetail office="district" backTo="/district" districtCode={actor?.districtCode} />} />
      <Route path="publicity" element={<PublicityObjections />} />
      <Route path="annual-reports" element={<AnnualReports />} />
      <Route path="dashboard" element={<Dashboard />} />
      <Route path="*" element={<NotFound home="/district" homeLabel="待办事项" />} />
    </Routes>
  );
}
