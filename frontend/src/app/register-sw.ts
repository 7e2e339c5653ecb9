import { registerSW } from 'virtual:pwa-register';

// A new build waits until the driver taps "Update" (see UpdateBanner).
export const swEvents = new EventTarget();
let update: ((reload?: boolean) => Promise<void>) | undefined;

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  update = registerSW({
    immediate: true,
    onNeedRefresh: () => swEvents.dispatchEvent(new Event('need-refresh')),
    onOfflineReady: () => swEvents.dispatchEvent(new Event('offline-ready')),
  });
}

export function applyUpdate(): void {
  void update?.(true);
}
