import { ApiClient, type TokenStore, type Tokens } from '../lib/http-client';

// The customer app's own client: the same refresh logic as the driver's, but
// its tokens apart (a driver signed in on this phone stays signed in there,
// and signing out here ends only the customer's session). localStorage, not
// IndexedDB: the first screen then loads no Dexie (docs: frontend/README.md).
const KEY = 'lpg-customer.tokens';

export const localTokenStore: TokenStore = {
  load: async () => {
    try {
      const raw = localStorage.getItem(KEY);
      return raw ? (JSON.parse(raw) as Tokens) : undefined;
    } catch {
      return undefined;
    }
  },
  save: async (t) => localStorage.setItem(KEY, JSON.stringify(t)),
  clear: async () => localStorage.removeItem(KEY),
};

/** VITE_API_BASE as the driver's env.ts reads it (empty = same origin), without zod on the first screen. */
export function apiBase(raw: unknown): string {
  const v = typeof raw === 'string' ? raw.trim() : '';
  if (v !== '' && !/^https?:\/\/[^\s/]+(\/.*)?$/.test(v) && !v.startsWith('/')) {
    throw new Error('VITE_API_BASE must be empty (same origin), a path like /backend, or an http(s) URL');
  }
  return v.replace(/\/+$/, '');
}

export const api = new ApiClient(apiBase(import.meta.env.VITE_API_BASE), localTokenStore);
