import { useEffect, useRef, useState } from 'react';
import SignaturePad from 'signature_pad';
import { Button } from './button';

const HEIGHT = 160;

/** A signature drawn with a finger; `onChange` gets the PNG after each stroke (undefined once cleared). */
export function SignatureField({ onChange, initial, testId = 'signature' }: { onChange: (png: Blob | undefined) => void; initial?: Blob; testId?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const pad = useRef<SignaturePad>(undefined);
  const [empty, setEmpty] = useState(!initial);
  const changed = useRef(onChange);
  useEffect(() => {
    changed.current = onChange;
  }, [onChange]);

  useEffect(() => {
    const c = canvas.current!;
    // the drawing surface at the screen's density (at most 2x: the PNG stays small)
    const ratio = Math.min(2, Math.max(1, window.devicePixelRatio || 1));
    const width = c.offsetWidth || 320;
    c.width = Math.round(width * ratio);
    c.height = Math.round(HEIGHT * ratio);
    c.getContext('2d')?.scale(ratio, ratio);
    const p = new SignaturePad(c, { backgroundColor: 'rgb(255,255,255)', penColor: '#111827', minWidth: 0.8, maxWidth: 2.6 });
    p.addEventListener('endStroke', () => {
      setEmpty(p.isEmpty());
      c.toBlob((b) => changed.current(b ?? undefined), 'image/png');
    });
    pad.current = p;
    // a signature kept from before (a reopened draft): shown, and still the one sent until redrawn or cleared
    if (initial) {
      const reader = new FileReader();
      reader.onload = () => void p.fromDataURL(String(reader.result), { ratio: 1, width: c.width / ratio, height: c.height / ratio }).then(() => setEmpty(false));
      reader.readAsDataURL(initial);
    }
    return () => p.off();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <div className="space-y-1">
      <canvas
        ref={canvas}
        className="block w-full touch-none rounded-xl border-2 border-dashed border-stone-300 bg-white"
        style={{ height: HEIGHT }}
        aria-label="Signature: draw with your finger"
        data-testid={testId}
        data-empty={empty || undefined}
      />
      <div className="flex items-center justify-between text-sm text-stone-500">
        <span>{empty ? 'Sign above' : 'Signed'}</span>
        <Button
          variant="ghost"
          className="min-h-10"
          disabled={empty}
          onClick={() => {
            pad.current?.clear();
            setEmpty(true);
            changed.current(undefined);
          }}
          data-testid={`${testId}-clear`}
        >
          Clear
        </Button>
      </div>
    </div>
  );
}
