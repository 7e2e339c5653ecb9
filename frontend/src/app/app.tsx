import { SessionProvider, useSession } from './session';
import { useRoute, type Route } from './router';
import { Shell } from './shell';
import { LoginScreen } from '../features/auth/components/login-screen';
import { HomeScreen } from '../features/my-day/components/home-screen';
import { DistributionScreen } from '../features/distribution/components/distribution-screen';
import { DeliveryScreen } from '../features/delivery/components/delivery-screen';
import { SyncScreen } from '../features/sync/components/sync-screen';
import { EventScreen } from '../features/sync/components/event-screen';
import { PrinterScreen } from '../features/printer/components/printer-screen';

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
      <Screen route={route} />
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
