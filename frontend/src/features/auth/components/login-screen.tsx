import { useState, type FormEvent } from 'react';
import { useSession } from '../../../app/session';
import { Button } from '../../../components/ui/button';
import { Notice } from '../../../components/ui/card';
import { useOnline } from '../../../app/use-online';

export function LoginScreen() {
  const { login } = useSession();
  const online = useOnline();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(email.trim(), password);
    } catch (err) {
      setError((err as Error).name === 'NetworkError' ? 'No connection. Signing in needs the network once.' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center gap-6 p-6">
      <div className="text-center">
        <img src={`${import.meta.env.BASE_URL}icons/icon-192.png`} alt="" className="mx-auto h-20 w-20 rounded-2xl" />
        <h1 className="mt-3 text-2xl font-bold">LPG Driver</h1>
        <p className="text-stone-600">Sign in to start your day</p>
      </div>
      {!online && <Notice tone="warn">You are offline. Signing in needs the network once; after that the app works offline.</Notice>}
      <form onSubmit={submit} className="space-y-4">
        <label className="block">
          <span className="mb-1 block font-semibold">E-mail</span>
          <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} className="h-14 w-full rounded-xl border border-stone-300 px-4 text-lg" />
        </label>
        <label className="block">
          <span className="mb-1 block font-semibold">Password</span>
          <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} className="h-14 w-full rounded-xl border border-stone-300 px-4 text-lg" />
        </label>
        {error && <Notice tone="error">{error}</Notice>}
        <Button type="submit" className="min-h-14 w-full text-lg" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
    </main>
  );
}
