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
