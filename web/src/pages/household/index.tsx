import { Route, Routes } from 'react-router-dom';
import { NotFound } from '../../components/NotFound';
import { Apply } from './Apply';
import { CaseDetail } from './CaseDetail';
import { Cases } from './Cases';
import { Measures } from './Measures';
import { MyTier } from './MyTier';
import { Objection } from './Objection';

export default function HouseholdPages() {
  return (
    <Routes>
      <Route index element={<MyTier />} />
      <Route path="apply" element={<Apply />} />
      <Route path="cases" element={<Cases />} />
      <Route path="cases/:caseId" element={<CaseDetail />} />
      <Route path="objection" element={<Objection />} />
      <Route path="measures" element={<Measures />} />
      <Route path="*" element={<NotFound home="/household" homeLabel="我的分型" />} />
    </Routes>
  );
}
