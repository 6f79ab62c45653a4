import { createContext, useContext, useEffect } from 'react';

/** The platform's name in the browser's tab, as index.html has it. */
const PLATFORM_TITLE = '名特优新个体工商户培育平台';

/** The browser tab's text for a page with this name (or the platform's alone). */
export function documentTitle(pageName: string | null | undefined): string {
  return pageName ? `${pageName} - ${PLATFORM_TITLE}` : PLATFORM_TITLE;
}

/**
 * Where a page's name goes. Outside the back office it is the document's title itself; the back
 * office's layout (Shell) provides its own, since ProLayout writes the document's title and would
 * overwrite one written beside it.
 */
export const PageTitleContext = createContext<(pageName: string | null) => void>((pageName) => {
  document.title = documentTitle(pageName);
});

/** Names the page in the browser's tab (WCAG 2.4.2), so that a clerk's open cases can be told apart. */
export function usePageTitle(pageName: string | null | undefined): void {
  const setPageName = useContext(PageTitleContext);
  useEffect(() => {
    if (!pageName) return;
    setPageName(pageName);
    return () => setPageName(null);
  }, [pageName, setPageName]);
}
