import { Route, Routes } from 'react-router-dom';
import { NotFound } from '../../components/NotFound';
import { Publicity } from './Publicity';
import { Register } from './Register';
import { SupportMeasures } from './SupportMeasures';
import { TierLookup } from './TierLookup';

export default function PublicPages() {
  return (
    <Routes>
      <Route index element={<TierLookup />} />
      <Route path="households/:uscc" element={<TierLookup />} />
      <Route path="notices" element={<Publicity />} />
      <Route path="register" element={<Register />} />
      <Route path="measures" element={<SupportMeasures />} />
      <Route path="*" element={<NotFound home="/public" homeLabel="分型结果查询" />} />
    </Routes>
  );
}
