import { Component, lazy, useEffect, useState, type ComponentType, type ErrorInfo, type ReactNode } from 'react';
import { Button } from '../components/ui/button';
import { Notice } from '../components/ui/card';

/**
 * A screen loaded with its own chunk the first time it opens (issue 23: the
 * first screen stays under 100 KiB brotli). The service worker precaches
 * every chunk, so this works offline once the app has been loaded.
 */
export function lazyScreen<P extends object>(load: () => Promise<ComponentType<P>>) {
  return lazy(async () => ({ default: await load() }));
}

/** Shown while a screen's chunk loads; only after `delayMs`, so a load from the precache (a few ms) never flashes it. */
export function ScreenLoading({ delayMs = 300 }: { delayMs?: number }) {
  const [visible, setVisible] = useState(false);
  useEffect(() => {
    const t = window.setTimeout(() => setVisible(true), delayMs);
    return () => window.clearTimeout(t);
  }, [delayMs]);
  // The live region exists from the start so the text is announced when it appears.
  return (
    <p role="status" className="p-6 text-center text-stone-500" data-testid="screen-loading">
      {visible ? 'Loading…' : ''}
    </p>
  );
}

/** A dynamic import that failed: the chunk is gone (a new deploy) or unreachable (offline, no service worker yet). */
export function isChunkLoadError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    /Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed|Unable to preload CSS/i.test(
      error.message,
    ) || error.name === 'ChunkLoadError'
  );
}

interface BoundaryState {
  error?: unknown;
}

/** Catches a screen that failed to load or render, and offers a reload instead of a blank page. */
export class ScreenErrorBoundary extends Component<{ children: ReactNode }, BoundaryState> {
  state: BoundaryState = {};

  static getDerivedStateFromError(error: unknown): BoundaryState {
    return { error };
  }

  componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('Screen failed', error, info.componentStack);
  }

  render() {
    if (this.state.error === undefined) return this.props.children;
    const chunk = isChunkLoadError(this.state.error);
    return (
      <Notice tone="error" className="space-y-2" data-testid="screen-error">
        <p className="font-bold">{chunk ? 'This screen could not be loaded.' : 'This screen stopped with an error.'}</p>
        <p>
          {chunk
            ? 'The app may have been updated, or the phone is offline. Reload to get this screen; what is recorded stays on the phone.'
            : 'Reload the app; what is recorded stays on the phone.'}
        </p>
        <Button className="w-full" onClick={() => window.location.reload()}>
          Reload
        </Button>
      </Notice>
    );
  }
}
