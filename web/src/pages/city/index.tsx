import { Result } from 'antd';
import { Route, Routes } from 'react-router-dom';

export default function Pages() {
  return (
    <Routes>
      <Route path="*" element={<Result status="info" title="市市场监管委工作台" subTitle="页面建设中。" />} />
    </Routes>
  );
}
