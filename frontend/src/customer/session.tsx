import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api } from './client';
import type { Profile } from './api/types';

// Sign-in is the same JWT login as the driver's app; only a customer's
// contact goes further. A driver or office login gets "this app is for
// customers" (its token here is dropped at once: the office has its own apps).

type Status = 'loading' | 'signed-out' | 'not-customer' | 'signed-in';

interface Session {
  status: Status;
  profile?: Profile;
  error?: unknown;
  login(email: string, password: string): Promise<void>;
  acceptInvite(token: string, password: string, name: string): Promise<void>;
  logout(): Promise<void>;
  refreshProfile(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside CustomerSessionProvider');
  return s;
}

export function CustomerSessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Status>('loading');
  const [profile, setProfile] = useState<Profile>();
  const [error, setError] = useState<unknown>();

  /** Who signed in: a contact loads its customer; anyone else is sent to /app/. */
  const enter = useCallback(async () => {
    const me = await api.get('/api/me/');
    if (me.role !== 'customer') {
      await api.logout();
      setProfile(undefined);
      setStatus('not-customer');
      return;
    }
    setProfile(await api.get('/api/customer/me/'));
    setStatus('signed-in');
  }, []);

  useEffect(() => {
    void (async () => {
      if (!(await api.isSignedIn())) return setStatus('signed-out');
      try {
        await enter();
      } catch (e) {
        setError(e);
        setStatus((await api.isSignedIn()) ? 'signed-in' : 'signed-out');
      }
    })();
    return api.onAuthChange((signedIn) => {
      if (!signedIn) setStatus((s) => (s === 'not-customer' ? s : 'signed-out'));
    });
  }, [enter]);

  const login = useCallback(
    async (email: string, password: string) => {
      setError(undefined);
      await api.login(email, password);
      await enter();
    },
    [enter],
  );

  const acceptInvite = useCallback(
    async (token: string, password: string, name: string) => {
      const accepted = await api.json<{ email: string }>('/api/customer/accept-invite/', { body: { token, password, name }, auth: false });
      await login(accepted.email, password);
    },
    [login],
  );

  const logout = useCallback(async () => {
    await api.logout();
    setProfile(undefined);
    setStatus('signed-out');
  }, []);

  const refreshProfile = useCallback(async () => {
    setProfile(await api.get('/api/customer/me/'));
  }, []);

  return (
    <SessionContext.Provider value={{ status, profile, error, login, acceptInvite, logout, refreshProfile }}>{children}</SessionContext.Provider>
  );
}
