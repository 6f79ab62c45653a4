import { Route, Routes } from 'react-router-dom';
import { NotFound } from '../../components/NotFound';
import { DepartmentCase } from './DepartmentCase';
import { Recommend } from './Recommend';
import { Recommended } from './Recommended';
import { Worklist } from './Worklist';

export default function DepartmentPages() {
  return (
    <Routes>
      <Route index element={<Worklist />} />
      <Route path="recommend" element={<Recommend />} />
      <Route path="recommended" element={<Recommended />} />
      <Route path="cases/:caseId" element={<DepartmentCase />} />
      <Route path="*" element={<NotFound home="/department" homeLabel="待办事项" />} />
    </Routes>
  );
}
