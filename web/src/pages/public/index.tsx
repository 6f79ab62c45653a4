import { Result } from 'antd';
import { Route, Routes } from 'react-router-dom';

export default function Pages() {
  return (
    <Routes>
      <Route path="*" element={<Result status="info" title="公众服务" subTitle="页面建设中。" />} />
    </Routes>
  );
}
