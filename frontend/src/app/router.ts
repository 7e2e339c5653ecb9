import { useEffect, useState } from 'react';

// Hash routes: Django only has to serve /app/ (index.html); the service
// worker's navigation fallback does the rest offline.
export type Route =
  | { name: 'home' }
  | { name: 'distribution' }
  | { name: 'delivery'; stop?: number; draft?: boolean }
  | { name: 'sync' }
  | { name: 'printer' }
  | { name: 'event'; id: string };

export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  switch (parts[0]) {
    case 'distribution':
      return { name: 'distribution' };
    case 'delivery':
      return { name: 'delivery', stop: params.get('stop') ? Number(params.get('stop')) : undefined, draft: params.get('draft') === '1' };
    case 'sync':
      return { name: 'sync' };
    case 'printer':
      return { name: 'printer' };
    case 'event':
      return parts[1] ? { name: 'event', id: parts[1] } : { name: 'home' };
    default:
      return { name: 'home' };
  }
}

export function navigate(to: string): void {
  window.location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => {
      setRoute(parseRoute(window.location.hash));
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
