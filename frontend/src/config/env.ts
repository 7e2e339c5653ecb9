// Read and validated once at start-up. The API is same-origin by default
// (Django serves the PWA under /app/ and the API under /api/). The company
// printed on receipts is the server's (GET /api/company/), never built in.
// One variable, checked by hand: zod (even zod/mini, ~4 KiB brotli) was the
// only library on the first screen besides React and Dexie (issue 23).
export interface Env {
  /** '' (same origin), a path like /backend, or an http(s) URL; never a trailing slash. */
  API_BASE: string;
}

const API_BASE = /^(|\/.*|https?:\/\/[^\s/]+(\/.*)?)$/;

export function parseEnv(raw: Record<string, unknown>): Env {
  const base = typeof raw.VITE_API_BASE === 'string' ? raw.VITE_API_BASE.trim() : '';
  if (!API_BASE.test(base)) {
    throw new Error('Invalid environment: VITE_API_BASE must be empty (same origin), a path like /backend, or an http(s) URL');
  }
  return { API_BASE: base.replace(/\/+$/, '') };
}

export const env: Env = parseEnv(import.meta.env as Record<string, unknown>);
