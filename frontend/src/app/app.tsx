import { Suspense } from 'react';
import { SessionProvider, useSession } from './session';
import { useRoute, type Route } from './router';
import { Shell } from './shell';
import { lazyScreen, ScreenErrorBoundary, ScreenLoading } from './lazy-screen';
import { LoginScreen } from '../features/auth/components/login-screen';
import { HomeScreen } from '../features/my-day/components/home-screen';

// The first screen (sign-in, My day) is in the entry chunk; every other
// screen is its own chunk, loaded when first opened and precached by the
// service worker for offline use (scripts/bundle-budget.mjs keeps the entry
// under 100 KiB brotli).
const DistributionScreen = lazyScreen(() => import('../features/distribution/components/distribution-screen').then((m) => m.DistributionScreen));
const DeliveryScreen = lazyScreen(() => import('../features/delivery/components/delivery-screen').then((m) => m.DeliveryScreen));
const SyncScreen = lazyScreen(() => import('../features/sync/components/sync-screen').then((m) => m.SyncScreen));
const EventScreen = lazyScreen(() => import('../features/sync/components/event-screen').then((m) => m.EventScreen));
const PrinterScreen = lazyScreen(() => import('../features/printer/components/printer-screen').then((m) => m.PrinterScreen));

const TITLES: Record<Route['name'], string> = {
  home: 'My day',
  distribution: 'At the depot',
  delivery: 'Delivery',
  sync: 'Sync',
  printer: 'Printer',
  event: 'Recorded',
};

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'distribution':
      return <DistributionScreen />;
    case 'delivery':
      return <DeliveryScreen key={route.draft ? 'draft' : (route.stop ?? 'none')} stopId={route.stop} draft={route.draft} />;
    case 'sync':
      return <SyncScreen />;
    case 'printer':
      return <PrinterScreen />;
    case 'event':
      return <EventScreen id={route.id} />;
    default:
      return <HomeScreen />;
  }
}

function Routed() {
  const { status } = useSession();
  const route = useRoute();
  if (status === 'loading') return <p className="p-6 text-center text-stone-500">Starting…</p>;
  if (status === 'signed-out') return <LoginScreen />;
  return (
    <Shell title={TITLES[route.name]} route={route}>
      {/* Keyed by route: a screen that failed to load does not block the next one. */}
      <ScreenErrorBoundary key={route.name}>
        <Suspense fallback={<ScreenLoading />}>
          <Screen route={route} />
        </Suspense>
      </ScreenErrorBoundary>
    </Shell>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Routed />
    </SessionProvider>
  );
}
