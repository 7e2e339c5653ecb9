import { describe, expect, it } from 'vitest';
import { isChunkLoadError } from './lazy-screen';

describe('isChunkLoadError', () => {
  it("knows each browser's words for a dynamic import that failed", () => {
    for (const message of [
      'Failed to fetch dynamically imported module: https://x/app/assets/printer-screen-abc.js', // Chromium
      'error loading dynamically imported module: https://x/app/assets/printer-screen-abc.js', // Firefox
      'Importing a module script failed.', // Safari
      'Unable to preload CSS for /app/assets/x.css', // Vite's preload helper
    ]) {
      expect(isChunkLoadError(new TypeError(message))).toBe(true);
    }
  });
  it('leaves other errors to the generic message', () => {
    expect(isChunkLoadError(new TypeError("Cannot read properties of undefined (reading 'map')"))).toBe(false);
    expect(isChunkLoadError('Failed to fetch dynamically imported module')).toBe(false);
  });
});
