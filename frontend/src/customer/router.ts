import { useEffect, useState } from 'react';

// Hash routes, like the driver's app: Django serves one page at /app/customer/.
// The invite e-mail links to #/invite?token=..., so the token stays in the
// browser (a fragment is never sent to a server).
export type Route =
  | { name: 'home' }
  | { name: 'order' }
  | { name: 'order-detail'; id: number; placed: boolean }
  | { name: 'account' }
  | { name: 'invite'; token: string };

export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  switch (parts[0]) {
    case 'order':
      return { name: 'order' };
    case 'orders': {
      const id = Number(parts[1]);
      return Number.isInteger(id) && id > 0 ? { name: 'order-detail', id, placed: params.get('placed') === '1' } : { name: 'home' };
    }
    case 'account':
      return { name: 'account' };
    case 'invite':
      return { name: 'invite', token: params.get('token') ?? '' };
    default:
      return { name: 'home' };
  }
}

export function hrefOf(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'order':
      return '#/order';
    case 'order-detail':
      return `#/orders/${route.id}${route.placed ? '?placed=1' : ''}`;
    case 'account':
      return '#/account';
    case 'invite':
      return `#/invite?token=${encodeURIComponent(route.token)}`;
  }
}

export function navigate(route: Route): void {
  window.location.hash = hrefOf(route);
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
