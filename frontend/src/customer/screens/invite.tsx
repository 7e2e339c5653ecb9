import { useState, type FormEvent } from 'react';
import { Button } from '../../components/ui/button';
import { ProblemNotice } from '../components/problem';
import { Page } from '../components/page';
import { navigate } from '../router';
import { useSession } from '../session';

/** The invite e-mail's link: set a password with the one-time token, then signed in. */
export function InviteScreen({ token }: { token: string }) {
  const { acceptInvite } = useSession();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const mismatch = again !== '' && again !== password;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setError(undefined);
    try {
      await acceptInvite(token, password, name.trim());
      navigate({ name: 'home' });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  if (!token) {
    return (
      <Page title="Invitation" testid="invite">
        <p role="alert" className="text-red-800">
          This link has no invitation code. Open the link of the e-mail again, or ask the office for a new invitation.
        </p>
        <a href="#/" className="inline-flex min-h-12 items-center font-semibold text-amber-800 underline">
          Sign in instead
        </a>
      </Page>
    );
  }

  return (
    <Page title="Set your password" testid="invite">
      <p className="text-stone-700">Welcome. Choose a password to order gas and see your account. The link works once.</p>
      <form onSubmit={submit} className="space-y-4">
        <div>
          <label htmlFor="invite-name" className="mb-1 block font-semibold">
            Your name <span className="font-normal text-stone-700">(optional)</span>
          </label>
          <input id="invite-name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} className="h-12 w-full rounded-xl border border-stone-400 bg-white px-3 text-lg" />
        </div>
        <div>
          <label htmlFor="invite-password" className="mb-1 block font-semibold">
            New password
          </label>
          <input id="invite-password" type="password" autoComplete="new-password" required minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} aria-describedby="invite-password-hint" className="h-12 w-full rounded-xl border border-stone-400 bg-white px-3 text-lg" />
          <p id="invite-password-hint" className="mt-1 text-sm text-stone-700">
            At least 8 characters, not only digits, not a common word.
          </p>
        </div>
        <div>
          <label htmlFor="invite-password-again" className="mb-1 block font-semibold">
            Password again
          </label>
          <input id="invite-password-again" type="password" autoComplete="new-password" required value={again} onChange={(e) => setAgain(e.target.value)} aria-invalid={mismatch || undefined} aria-describedby={mismatch ? 'invite-mismatch' : undefined} className="h-12 w-full rounded-xl border border-stone-400 bg-white px-3 text-lg" />
          {mismatch && (
            <p id="invite-mismatch" className="mt-1 text-sm text-red-800">
              The two passwords differ.
            </p>
          )}
        </div>
        <p data-testid="privacy-notice" className="text-sm text-stone-700">
          Your personal data: we keep your name, e-mail, phone and the orders you place to deliver your gas and bill your
          account (PDPA). Download it any time from My account; ask the office to correct or remove it. Photos and GPS
          taken at delivery are deleted after a retention period (13 months by default).
        </p>
        <ProblemNotice error={error} />
        <Button type="submit" disabled={busy || mismatch} className="w-full min-h-14">
          {busy ? 'Setting your password…' : 'Set password and sign in'}
        </Button>
      </form>
    </Page>
  );
}
