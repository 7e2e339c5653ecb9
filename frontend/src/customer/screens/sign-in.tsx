import { useState, type FormEvent } from 'react';
import { Button } from '../../components/ui/button';
import { ProblemNotice } from '../components/problem';
import { Page } from '../components/page';
import { useSession } from '../session';

export function SignInScreen() {
  const { login } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(email.trim(), password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <Page title="Sign in" testid="sign-in">
      <p className="text-stone-700">Order gas, follow your delivery and see your account.</p>
      <form onSubmit={submit} className="space-y-4">
        <div>
          <label htmlFor="email" className="mb-1 block font-semibold">
            E-mail
          </label>
          <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} className="h-12 w-full rounded-xl border border-stone-400 bg-white px-3 text-lg" />
        </div>
        <div>
          <label htmlFor="password" className="mb-1 block font-semibold">
            Password
          </label>
          <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} className="h-12 w-full rounded-xl border border-stone-400 bg-white px-3 text-lg" />
        </div>
        <ProblemNotice error={error} />
        <Button type="submit" disabled={busy} className="w-full min-h-14">
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
      <p className="text-sm text-stone-700">New here? The office sends you an invitation by e-mail; its link sets your password.</p>
    </Page>
  );
}

export function NotCustomerScreen({ onBack }: { onBack: () => void }) {
  return (
    <Page title="This app is for customers" testid="not-customer">
      <p className="text-stone-800">You signed in with a staff account. Drivers and the office use their own app.</p>
      <a href="/app/" className="flex min-h-14 items-center justify-center rounded-xl bg-amber-700 px-4 text-lg font-semibold text-white">
        Open the driver app
      </a>
      <Button variant="secondary" className="w-full" onClick={onBack}>
        Sign in as a customer
      </Button>
    </Page>
  );
}
