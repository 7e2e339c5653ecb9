/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { VitePWA } from 'vite-plugin-pwa';

// Served by Django (WhiteNoise) under /app/, same origin as /api/.
export default defineConfig({
  base: '/app/',
  plugins: [
    react(),
    tailwindcss(),
    VitePWA({
      // 'prompt': a new version never reloads the page under the driver's thumb
      // (a half-entered delivery would be lost); the app offers the update instead.
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['favicon.svg', 'icons/apple-touch-icon-180.png'],
      manifest: {
        id: '/app/',
        name: 'LPG Driver',
        short_name: 'LPG Driver',
        description: 'Distributions, deliveries and receipts, online or offline',
        start_url: '/app/',
        scope: '/app/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#f5f5f4',
        theme_color: '#b45309',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon-512-maskable.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The app shell is precached; API calls are never cached by the
        // service worker (the app keeps its own copies in IndexedDB). The
        // barcode reader's .wasm (zxing-wasm, ~0.9 MB) is part of the shell,
        // so scanning serials works offline; nothing comes from a CDN.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,wasm}'],
        // Build metadata (Vite's manifest, read by scripts/bundle-budget.mjs), not part of the app.
        globIgnores: ['.vite/**'],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
        navigateFallback: '/app/index.html',
        // The customer app (/app/customer/) is its own precached page.
        navigateFallbackDenylist: [/^\/api\//, /^\/admin\//, /^\/app\/customer\//],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: false,
      },
    }),
    // vite-plugin-pwa links the driver's manifest into every page: the customer
    // page keeps only its own (public/customer/manifest.webmanifest).
    {
      name: 'customer-manifest-only',
      enforce: 'post',
      transformIndexHtml: {
        order: 'post',
        handler: (html: string, ctx: { path: string }) =>
          ctx.path.includes('customer/') ? html.replace(/\s*<link rel="manifest" href="\/app\/manifest\.webmanifest"[^>]*>/, '') : html,
      },
    },
  ],
  resolve: {
    // Dexie's ES2016 build rather than its ES5 one (~1.5 KiB brotli less on
    // the first screen): the build target is modern browsers anyway, and one
    // alias for every importer (db.ts, dexie-react-hooks) keeps one copy.
    alias: [{ find: /^dexie$/, replacement: 'dexie/dist/modern/dexie.mjs' }],
  },
  server: {
    proxy: { '/api': process.env.VITE_DEV_API_TARGET ?? 'http://127.0.0.1:8000' },
  },
  build: {
    outDir: 'dist',
    sourcemap: false,
    chunkSizeWarningLimit: 800,
    // dist/.vite/manifest.json: which chunks each page loads first (scripts/bundle-budget.mjs).
    manifest: true,
    // Two apps, one build: the driver's PWA (index.html) and the customer's
    // (customer/index.html); shared code lands in shared chunks.
    rollupOptions: { input: { driver: 'index.html', customer: 'customer/index.html' } },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.mjs'],
    setupFiles: ['src/test/setup.ts'],
  },
});
