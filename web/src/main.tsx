import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App';
import { preloadSectionOf } from './sections';

dayjs.locale('zh-cn');

const LINK_BLUE = '#1d4ed8';
/**
 * A field being typed in is framed in the links' blue: framed in the primary red, it looked like a
 * field in error (a clerk took the decision's reason, focused, for a refused one).
 */
const FOCUSED_FIELD = { activeBorderColor: LINK_BLUE, hoverBorderColor: LINK_BLUE, activeShadow: '0 0 0 2px rgba(29, 78, 216, 0.15)' };

// antd's grey secondary text falls short of WCAG AA contrast (4.5:1) on white; these meet it.
const THEME = {
  token: {
    colorPrimary: '#b71c1c',
    colorLink: LINK_BLUE,
    colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextDescription: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)',
  },
  components: {
    Input: FOCUSED_FIELD,
    InputNumber: FOCUSED_FIELD,
    DatePicker: FOCUSED_FIELD,
    Select: { activeBorderColor: LINK_BLUE, hoverBorderColor: LINK_BLUE, activeOutlineColor: 'rgba(29, 78, 216, 0.15)' },
  },
};

preloadSectionOf(window.location.pathname);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConfigProvider locale={zhCN} theme={THEME}>
      <AntApp>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
