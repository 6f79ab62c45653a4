import { Result, Spin } from 'antd';
import { Suspense, lazy } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { NotFound } from './components/NotFound';
import { SECTIONS, type Section } from './sections';
import { useSession } from './session';
import { PublicShell } from './shell/PublicShell';

const LoginPage = lazy(() => import('./pages/login/LoginPage'));
// The back-office layout is loaded with the first signed-in page, not with the public ones.
const Shell = lazy(() => import('./shell/Shell'));

export function Loading() {
  return (
    <div style={{ padding: 48, textAlign: 'center' }}>
      <Spin tip="正在加载…" size="large">
        <div style={{ minHeight: 80 }} />
      </Spin>
    </div>
  );
}

function SectionRoute({ section }: { section: Section }) {
  const { actor } = useSession();
  const location = useLocation();
  if (!section.open && !actor) {
    return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  const pages = (
    <Suspense fallback={<Loading />}>
      <section.Pages />
    </Suspense>
  );
  if (section.open) return <PublicShell section={section}>{pages}</PublicShell>;
  return (
    <Suspense fallback={<Loading />}>
      <Shell section={section}>
        {actor?.role !== section.role ? <Result status="403" title="无权访问" subTitle={`此页面供${section.title}使用，请以${section.title}的账号登录。`} /> : pages}
      </Shell>
    </Suspense>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/" element={<Navigate to="/public" replace />} />
      <Route
        path="/login"
        element={
          <Suspense fallback={<Loading />}>
            <LoginPage />
          </Suspense>
        }
      />
      {SECTIONS.map((section) => (
        <Route key={section.role} path={`/${section.role}/*`} element={<SectionRoute section={section} />} />
      ))}
      <Route path="*" element={<NotFound home="/public" homeLabel="首页" />} />
    </Routes>
  );
}
