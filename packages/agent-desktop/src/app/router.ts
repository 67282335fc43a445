import { useEffect, useState } from 'react';

/** The few pages of the desktop, addressed by path so a reload lands on the same page. */
export type Route =
  | { readonly page: 'desktop' }
  | { readonly page: 'recordings' }
  | { readonly page: 'recording'; readonly sid: string }
  | { readonly page: 'supervisor' }
  | { readonly page: 'shortcuts' };

export function parseRoute(path: string): Route {
  const m = /^\/recordings\/([A-Za-z0-9]+)\/?$/.exec(path);
  if (m?.[1] !== undefined) return { page: 'recording', sid: m[1] };
  if (/^\/recordings\/?$/.test(path)) return { page: 'recordings' };
  if (/^\/supervisor\/?$/.test(path)) return { page: 'supervisor' };
  if (/^\/settings\/shortcuts\/?$/.test(path)) return { page: 'shortcuts' };
  return { page: 'desktop' };
}

export function navigate(path: string): void {
  window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [path, setPath] = useState(() => window.location.pathname);
  useEffect(() => {
    const on = (): void => setPath(window.location.pathname);
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  return parseRoute(path);
}
