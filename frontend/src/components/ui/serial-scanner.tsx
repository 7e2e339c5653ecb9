import { useEffect, useRef, useState } from 'react';
import { createSerialDetector, openCamera, stopCamera } from '../../lib/barcode';
import { Button } from './button';

/**
 * Full-screen camera view that reads serials continuously. Each code read is
 * handed to `onCode` (the caller accepts or refuses it and says why in
 * `message`); the same code is not handed again for 2 s. Closing stops the camera.
 */
export function SerialScanner({ title, onCode, onClose, message }: { title: string; onCode: (text: string) => void; onClose: () => void; message?: { tone: 'ok' | 'error'; text: string } }) {
  const video = useRef<HTMLVideoElement>(null);
  const [error, setError] = useState<string>();
  const [engine, setEngine] = useState<string>();
  const handler = useRef(onCode);
  useEffect(() => {
    handler.current = onCode;
  }, [onCode]);

  useEffect(() => {
    let stream: MediaStream | undefined;
    let stopped = false;
    let timer: number | undefined;
    const recent = new Map<string, number>();
    void (async () => {
      try {
        const [s, detector] = await Promise.all([openCamera(), createSerialDetector()]);
        stream = s;
        if (stopped) return stopCamera(stream);
        setEngine(detector.engine);
        const v = video.current!;
        v.srcObject = stream;
        await v.play().catch(() => undefined);
        const tick = async () => {
          if (stopped) return;
          if (v.readyState >= 2) {
            try {
              const now = Date.now();
              for (const text of await detector.detect(v)) {
                if ((recent.get(text) ?? 0) > now - 2000) continue;
                recent.set(text, now);
                handler.current(text);
              }
            } catch {
              /* a frame the detector could not read */
            }
          }
          timer = window.setTimeout(() => void tick(), 200);
        };
        void tick();
      } catch (e) {
        setError((e as Error).message);
      }
    })();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      stopCamera(stream);
    };
  }, []);

  return (
    <div className="fixed inset-0 z-50 flex flex-col bg-black text-white" role="dialog" aria-label={title} data-testid="serial-scanner">
      <div className="flex items-center justify-between gap-2 p-3">
        <p className="font-bold">{title}</p>
        <Button variant="secondary" onClick={onClose} data-testid="scanner-close">
          Done
        </Button>
      </div>
      <div className="relative flex-1 overflow-hidden">
        <video ref={video} className="h-full w-full object-cover" playsInline muted data-testid="scanner-video" />
        <div className="pointer-events-none absolute inset-x-8 top-1/2 h-24 -translate-y-1/2 rounded-xl border-4 border-amber-400/80" />
      </div>
      <div className="space-y-2 p-3 text-sm">
        {error && <p className="rounded-lg bg-red-900 p-2 font-semibold">{error}</p>}
        {message && (
          <p className={`rounded-lg p-2 font-semibold ${message.tone === 'ok' ? 'bg-emerald-800' : 'bg-red-900'}`} data-testid="scanner-message">
            {message.text}
          </p>
        )}
        {!error && <p className="text-stone-300">Hold the code inside the frame{engine ? ` (${engine === 'native' ? 'built-in reader' : 'ZXing reader'})` : ''}.</p>}
      </div>
    </div>
  );
}
