import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../index.css';

// The customer app: a second entry of the same Vite build (customer/index.html,
// served at /app/customer/), so the driver's bundle carries none of it.
function CustomerApp() {
  return <main className="p-6">LPG Orders</main>;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <CustomerApp />
  </StrictMode>,
);
