import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api } from '../lib/api-client';
import { cachedFetch } from '../lib/cached-query';
import { db, kvSet } from '../lib/db';
import { getMe, type Me } from '../features/session/api/get-me';
import { loadCompany } from '../features/company/api/get-company';
import { loadPriceBook } from '../features/master-data/api/get-customer-prices';
import { CURRENT_USER_KEY } from '../offline/sync-state';
import { otherAppFor } from './role-app';

// The sync engine (outbox replay, signing, uploads) is its own chunk: the
// first screen renders without it, and it starts right after (issue 23).
const syncEngine = () => import('../offline/sync-service');
const deviceRegistration = () => import('../offline/sync-transport');

type Status = 'loading' | 'signed-out' | 'signed-in';

interface Session {
  status: Status;
  me?: Me;
  deviceWarning?: string;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** A customer contact signed in here: off to the customer app (the session stays 'loading', no driver shell, no sync). */
function leaveForOtherApp(me: Me): boolean {
  const url = otherAppFor(me.role);
  if (url) window.location.assign(url);
  return !!url;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status>('loading');
  const [me, setMe] = useState<Me>();
  const [deviceWarning, setDeviceWarning] = useState<string>();

  const loadMe = useCallback(async () => {
    const { data } = await cachedFetch('me', getMe);
    setMe(data);
    await kvSet(CURRENT_USER_KEY, data.email);
    return data;
  }, []);

  useEffect(() => {
    void (async () => {
      if (!(await api.isSignedIn())) return setStatus('signed-out');
      try {
        const who = await loadMe();
        if (leaveForOtherApp(who)) return;
        setStatus('signed-in');
      } catch {
        // offline with no cached profile, or the session is gone
        setStatus((await api.isSignedIn()) ? 'signed-in' : 'signed-out');
      }
    })();
    return api.onAuthChange((signedIn) => {
      if (!signedIn) setStatus('signed-out');
    });
  }, [loadMe]);

  useEffect(() => {
    if (status !== 'signed-in') return;
    // What the phone needs offline: the supplier for receipts, every customer
    // with their prices (offline search, quotes). Refreshed at start and when
    // the network comes back; a failed refresh keeps the copy on the phone.
    const refresh = () => void Promise.allSettled([loadCompany(), loadPriceBook()]);
    refresh();
    window.addEventListener('online', refresh);
    let stop: (() => void) | undefined;
    let stopped = false;
    syncEngine().then(
      ({ startAutoSync }) => {
        if (!stopped) stop = startAutoSync();
      },
      (e: unknown) => console.error('The sync engine did not load; queued actions wait for the next start', e),
    );
    return () => {
      window.removeEventListener('online', refresh);
      stopped = true;
      stop?.();
    };
  }, [status]);

  const login = useCallback(
    async (email: string, password: string) => {
      await api.login(email, password);
      const who = await loadMe();
      if (leaveForOtherApp(who)) return setStatus('loading');
      const [{ recoverRevokedDevice }, { registerDevice }] = await Promise.all([syncEngine(), deviceRegistration()]);
      // After the office revoked this phone: a new key, the queued events signed with it.
      await recoverRevokedDevice(who.email);
      // First login on this phone: register the device's signing key.
      try {
        await registerDevice(who.email);
        setDeviceWarning(undefined);
      } catch (e) {
        setDeviceWarning(`This phone is not registered yet (${(e as Error).message}). It will retry before sending.`);
      }
      setStatus('signed-in');
    },
    [loadMe],
  );

  const logout = useCallback(async () => {
    await api.logout();
    await db.cache.delete('me');
    setMe(undefined);
    setStatus('signed-out');
  }, []);

  return <SessionContext.Provider value={{ status, me, deviceWarning, login, logout }}>{children}</SessionContext.Provider>;
}
