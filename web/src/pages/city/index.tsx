import { lazy } from 'react';
import { Route, Routes } from 'react-router-dom';
import { NotFound } from '../../components/NotFound';
import { CaseDetail } from '../district/case/CaseDetail';
import Imports from './Imports';
import Recognitions, { REVOCATIONS, SPOT_CHECKS } from './Recognitions';
import RunDetail from './RunDetail';
import Runs from './Runs';
import Supervision from './Supervision';
import Thresholds from './Thresholds';
import TierObjections from './TierObjections';
import Transfers from './Transfers';

// The pages with charts (ECharts) load on their own, so the lists and forms open without them;
// a run's page shows its progress at once and loads its charts with its results.
const Quotas = lazy(() => import('./Quotas'));

/** The city office's pages 市市场监管委: supervision, feeds, tiering, quota, spot checks, revocation, mutual recognition, tier objections. */
export default function CityPages() {
  return (
    <Routes>
      <Route index element={<Supervision />} />
      <Route path="cases/:caseId" element={<CaseDetail office="city" backTo="/city" />} />
      <Route path="imports" element={<Imports />} />
      <Route path="runs" element={<Runs />} />
      <Route path="runs/:runId" element={<RunDetail />} />
      <Route path="thresholds" element={<Thresholds />} />
      <Route path="quotas" element={<Quotas />} />
      <Route path="spot-checks" element={<Recognitions focus={SPOT_CHECKS} />} />
      <Route path="revocations" element={<Recognitions focus={REVOCATIONS} />} />
      <Route path="transfers" element={<Transfers />} />
      <Route path="objections" element={<TierObjections />} />
      <Route path="*" element={<NotFound home="/city" homeLabel="督办事项" />} />
    </Routes>
  );
}
