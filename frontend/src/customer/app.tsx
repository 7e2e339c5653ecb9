import { lazy, Suspense } from 'react';
import { Button } from '../components/ui/button';
import { Loading } from './components/page';
import { ProblemNotice } from './components/problem';
import { hrefOf, useRoute, type Route } from './router';
import { HomeScreen } from './screens/home';
import { InviteScreen } from './screens/invite';
import { NotCustomerScreen, SignInScreen } from './screens/sign-in';
import { CustomerSessionProvider, useSession } from './session';

// The first screen (sign-in, invite, home) is in the entry; the rest loads
// when opened, so the first visit stays small (frontend/README.md, "Customer app").
const OrderScreen = lazy(() => import('./screens/order'));
const OrderDetailScreen = lazy(() => import('./screens/order-detail'));
const AccountScreen = lazy(() => import('./screens/account'));

const NAV: { route: Route; label: string }[] = [
  { route: { name: 'home' }, label: 'Home' },
  { route: { name: 'order' }, label: 'Order gas' },
  { route: { name: 'account' }, label: 'Account' },
];

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'order':
      return <OrderScreen />;
    case 'order-detail':
      return <OrderDetailScreen id={route.id} placed={route.placed} />;
    case 'account':
      return <AccountScreen />;
    default:
      return <HomeScreen />;
  }
}

function Shell() {
  const session = useSession();
  const route = useRoute();
  const { status, profile } = session;

  let body;
  if (status === 'loading') body = <Loading />;
  else if (status === 'not-customer') body = <NotCustomerScreen onBack={() => void session.logout()} />;
  else if (route.name === 'invite' && status !== 'signed-in') body = <InviteScreen token={route.token} />;
  else if (status === 'signed-out') body = <SignInScreen />;
  else if (!profile)
    body = (
      <div className="space-y-3">
        <ProblemNotice error={session.error ?? new Error('Your account could not be loaded.')} />
        <Button onClick={() => void session.refreshProfile().catch(() => undefined)}>Try again</Button>
      </div>
    );
  else
    body = (
      <Suspense fallback={<Loading />}>
        <Screen route={route.name === 'invite' ? { name: 'home' } : route} />
      </Suspense>
    );

  const signedIn = status === 'signed-in' && profile;
  const current = route.name === 'order-detail' || route.name === 'invite' ? 'home' : route.name;
  return (
    <div className="mx-auto flex min-h-dvh max-w-md flex-col">
      <header className="flex items-center justify-between gap-2 bg-amber-800 px-4 py-2 text-white">
        <span className="text-lg font-bold">LPG Orders</span>
        {signedIn && (
          <button type="button" onClick={() => void session.logout()} className="min-h-11 rounded-lg px-3 font-semibold underline">
            Sign out
          </button>
        )}
      </header>
      <main className="flex-1 px-4 py-4 pb-28">{body}</main>
      {signedIn && (
        <nav aria-label="Main" className="fixed inset-x-0 bottom-0 z-40 border-t border-stone-300 bg-white pb-[env(safe-area-inset-bottom)]">
          <ul className="mx-auto grid max-w-md grid-cols-3">
            {NAV.map((n) => (
              <li key={n.label}>
                <a
                  href={hrefOf(n.route)}
                  aria-current={current === n.route.name ? 'page' : undefined}
                  className={`flex min-h-14 items-center justify-center text-base font-semibold ${current === n.route.name ? 'text-amber-800 underline underline-offset-4' : 'text-stone-800'}`}
                >
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
    </div>
  );
}

export function CustomerApp() {
  return (
    <CustomerSessionProvider>
      <Shell />
    </CustomerSessionProvider>
  );
}
