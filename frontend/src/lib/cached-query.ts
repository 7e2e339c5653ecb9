import { useCallback, useEffect, useRef, useState } from 'react';
import { db } from './db';
import { AuthRequiredError, NetworkError } from './api-client';

// Read calls keep their last good answer in IndexedDB so every screen still
// shows something offline (marked stale, with its age).

export interface CachedState<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  stale: boolean;
  fetchedAt?: number;
  reload: () => Promise<void>;
}

export async function cachedFetch<T>(key: string, fetcher: () => Promise<T>): Promise<{ data: T; stale: boolean; fetchedAt: number }> {
  try {
    const data = await fetcher();
    const fetchedAt = Date.now();
    await db.cache.put({ key, data, fetched_at: fetchedAt });
    return { data, stale: false, fetchedAt };
  } catch (e) {
    if (e instanceof NetworkError || e instanceof TypeError || (e as { status?: number }).status! >= 500) {
      const hit = await db.cache.get(key);
      if (hit) return { data: hit.data as T, stale: true, fetchedAt: hit.fetched_at };
    }
    throw e;
  }
}

export function useCachedQuery<T>(key: string | null, fetcher: () => Promise<T>): CachedState<T> {
  const [state, setState] = useState<Omit<CachedState<T>, 'reload'>>({ loading: true, stale: false });
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;

  const reload = useCallback(async () => {
    if (!key) return;
    setState((s) => ({ ...s, loading: true }));
    try {
      const r = await cachedFetch(key, () => fetcherRef.current());
      setState({ data: r.data, stale: r.stale, fetchedAt: r.fetchedAt, loading: false });
    } catch (e) {
      setState((s) => ({ ...s, error: e as Error, loading: false, stale: !!s.data }));
      if (e instanceof AuthRequiredError) return;
    }
  }, [key]);

  useEffect(() => {
    let cancelled = false;
    if (!key) return;
    // show the cached copy at once, then ask the network
    void db.cache.get(key).then((hit) => {
      if (!cancelled && hit) setState((s) => (s.data === undefined ? { data: hit.data as T, stale: true, fetchedAt: hit.fetched_at, loading: true } : s));
    });
    void reload();
    return () => {
      cancelled = true;
    };
  }, [key, reload]);

  return { ...state, reload };
}
