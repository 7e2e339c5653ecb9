import { describe, expect, it } from 'vitest';
import { firstScreenChunks, htmlEntries, measure, notPrecached } from './bundle-budget.mjs';

// The shape of Vite's dist/.vite/manifest.json: two HTML entries sharing a
// chunk, lazy screens reached by import() that import the entry back.
const manifest = {
  'index.html': { file: 'assets/driver-a.js', isEntry: true, imports: ['_react.js', '_db.js'], dynamicImports: ['src/delivery.tsx'] },
  'customer/index.html': { file: 'assets/customer-b.js', isEntry: true, imports: ['_react.js'] },
  '_react.js': { file: 'assets/react-c.js', css: ['assets/app.css'] },
  '_db.js': { file: 'assets/db-d.js', imports: ['_react.js'] },
  'src/delivery.tsx': { file: 'assets/delivery-e.js', isDynamicEntry: true, imports: ['index.html', '_db.js', '_pad.js'] },
  '_pad.js': { file: 'assets/pad-f.js' },
  'src/sw.ts': { file: 'assets/sw-g.js', isEntry: true },
};

describe('bundle budget', () => {
  it('finds the HTML entries only', () => {
    expect(htmlEntries(manifest)).toEqual(['customer/index.html', 'index.html']);
  });
  it('counts static imports transitively, each chunk once, never the lazy ones', () => {
    expect(firstScreenChunks(manifest, 'index.html')).toEqual(['index.html', '_react.js', '_db.js']);
    expect(firstScreenChunks(manifest, 'customer/index.html')).toEqual(['customer/index.html', '_react.js']);
  });
  it('sums raw, gzip and brotli sizes of the JS files', () => {
    const bytes = { 'assets/driver-a.js': 'a'.repeat(1000), 'assets/react-c.js': 'react'.repeat(400), 'assets/db-d.js': 'x', 'assets/customer-b.js': 'c' };
    const [customer, driver] = measure(manifest, (file) => Buffer.from(bytes[file]));
    expect(driver.files.map((f) => f.file)).toEqual(['assets/driver-a.js', 'assets/react-c.js', 'assets/db-d.js']);
    expect(driver.total.raw).toBe(3001);
    expect(driver.total.brotli).toBeLessThan(driver.total.raw);
    expect(driver.total.brotli).toBe(driver.files.reduce((s, f) => s + f.brotli, 0));
    expect(customer.total.raw).toBe(2001);
  });
  it('refuses a manifest that names a missing chunk', () => {
    expect(() => firstScreenChunks({ 'index.html': { file: 'a.js', isEntry: true, imports: ['_gone.js'] } }, 'index.html')).toThrow(/_gone/);
  });
  it('names the chunks the service worker does not precache', () => {
    const all = ['driver-a', 'customer-b', 'react-c', 'db-d', 'delivery-e', 'pad-f', 'sw-g'].map((n) => `{url:"assets/${n}.js",revision:null}`).join(',');
    expect(notPrecached(manifest, `precacheAndRoute([${all},{url:"assets/app.css",revision:null}])`)).toEqual([]);
    expect(notPrecached(manifest, `precacheAndRoute([${all}])`)).toEqual(['assets/app.css']);
  });
});
