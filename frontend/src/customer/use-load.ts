import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * A read for a screen: its data, the error (shown as the server's sentence)
 * and a reload. `refreshOnReturn`: read again when the contact comes back to
 * the app (tracking moves while the phone is in a pocket).
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = [], { refreshOnReturn = false } = {}): { data?: T; error?: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [n, ...deps]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  useEffect(() => {
    if (!refreshOnReturn) return;
    const on = () => {
      if (document.visibilityState === 'visible') reload();
    };
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, [refreshOnReturn, reload]);
  return { ...state, reload };
}
