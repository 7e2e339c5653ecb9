import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../index.css';
import { CustomerApp } from './app';

// The customer app: a second entry of the same Vite build (customer/index.html,
// served at /app/customer/), so the driver's bundle carries none of it, and
// this one none of the driver's (no Dexie, no zod, no printer: see client.ts).
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <CustomerApp />
  </StrictMode>,
);

// The one service worker of /app/ (the driver's build precaches this app too):
// registered from here as well, so a customer who never opens the driver app
// can install this one and open it offline. No update prompt here: a new
// version takes over once every /app/ tab is closed.
if ('serviceWorker' in navigator && !import.meta.env.DEV) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => undefined);
  });
}
