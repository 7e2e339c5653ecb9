import type { ReactNode } from 'react';
import { useOnline } from './use-online';
import { useDeviceRevoked, useOutboxCounts } from '../features/sync/hooks';
import { REVOKED_MESSAGE } from '../offline/sync-state';
import { Notice } from '../components/ui/card';
import { Button } from '../components/ui/button';
import { useSession } from './session';
import type { Route } from './router';
import { Icon, type IconName } from '../components/ui/icon';
import { UpdateBanner } from './update-banner';

const NAV: { to: string; label: string; icon: IconName; names: Route['name'][] }[] = [
  { to: '#/', label: 'My day', icon: 'home', names: ['home'] },
  { to: '#/distribution', label: 'Depot', icon: 'depot', names: ['distribution'] },
  { to: '#/delivery', label: 'Deliver', icon: 'truck', names: ['delivery'] },
  { to: '#/sync', label: 'Sync', icon: 'sync', names: ['sync', 'event'] },
  { to: '#/printer', label: 'Printer', icon: 'printer', names: ['printer'] },
];

export function OnlineBadge() {
  const online = useOnline();
  return (
    <span
      data-testid="online-badge"
      className={`rounded-full px-3 py-1 text-sm font-bold ${online ? 'bg-emerald-100 text-emerald-900' : 'bg-stone-800 text-white'}`}
    >
      {online ? 'Online' : 'Offline'}
    </span>
  );
}

/** The office revoked this phone (409 public_key_revoked from the sync path): nothing is sent until the driver signs in again. */
function DeviceRevokedBanner({ queued }: { queued: number }) {
  const revoked = useDeviceRevoked();
  const { logout } = useSession();
  if (!revoked) return null;
  return (
    <Notice tone="error" className="space-y-2" data-testid="device-revoked">
      <p className="font-bold">{REVOKED_MESSAGE}</p>
      {queued > 0 && <p>{queued} recorded action(s) are waiting on this phone and are sent after you sign in.</p>}
      <Button className="w-full" onClick={() => void logout()}>
        Sign in again
      </Button>
    </Notice>
  );
}

export function Shell({ title, route, children }: { title: string; route: Route; children: ReactNode }) {
  const { queued, rejected } = useOutboxCounts();
  return (
    <div className="mx-auto flex min-h-screen max-w-md flex-col">
      <header className="sticky top-0 z-40 flex items-center gap-2 bg-amber-700 px-4 py-3 text-white shadow">
        <h1 className="flex-1 truncate text-lg font-bold">{title}</h1>
        <a href="#/sync" className="flex gap-1 text-sm font-bold" aria-label="Outbox">
          <span data-testid="queued-count" className="flex items-center gap-1 rounded-full bg-white/20 px-2 py-1" title="Queued">
            <Icon name="clock" className="h-4 w-4" />
            {queued}
          </span>
          <span data-testid="rejected-count" className={`flex items-center gap-1 rounded-full px-2 py-1 ${rejected ? 'bg-red-600' : 'bg-white/20'}`} title="Rejected">
            <Icon name="alert" className="h-4 w-4" />
            {rejected}
          </span>
        </a>
        <OnlineBadge />
      </header>
      <main className="flex-1 space-y-4 p-4 pb-28">
        <UpdateBanner />
        <DeviceRevokedBanner queued={queued} />
        {children}
      </main>
      <nav className="fixed inset-x-0 bottom-0 z-40 mx-auto grid max-w-md grid-cols-5 border-t border-stone-200 bg-white pb-[env(safe-area-inset-bottom)]">
        {NAV.map((n) => {
          const active = n.names.includes(route.name);
          return (
            <a
              key={n.to}
              href={n.to}
              aria-current={active ? 'page' : undefined}
              className={`flex min-h-16 flex-col items-center justify-center text-xs font-semibold ${active ? 'text-amber-800' : 'text-stone-600'}`}
            >
              <Icon name={n.icon} className="h-7 w-7" />
              {n.label}
            </a>
          );
        })}
      </nav>
    </div>
  );
}
