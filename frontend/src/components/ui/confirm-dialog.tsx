import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Button } from './button';

/**
 * Mandatory before every commit: the full summary, totals per movement,
 * Back and Confirm. Nothing is recorded except through onConfirm.
 */
export function ConfirmDialog({
  title,
  children,
  totals,
  onBack,
  onConfirm,
  confirmLabel = 'Confirm',
  confirmDisabled = false,
}: {
  title: string;
  children: ReactNode;
  totals: { label: string; value: string | number }[];
  onBack: () => void;
  onConfirm: () => Promise<void> | void;
  confirmLabel?: string;
  /** e.g. a mandatory acknowledgement in the summary is not ticked yet */
  confirmDisabled?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const backRef = useRef<HTMLButtonElement>(null);
  useEffect(() => backRef.current?.focus(), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !busy) onBack();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [busy, onBack]);

  return (
    <div className="fixed inset-0 z-50 flex items-end justify-center bg-black/50 sm:items-center" role="dialog" aria-modal="true" aria-labelledby="confirm-title" data-testid="confirm-dialog">
      <div className="flex max-h-[92vh] w-full max-w-md flex-col rounded-t-3xl bg-white sm:rounded-3xl">
        <h2 id="confirm-title" className="border-b border-stone-200 px-4 py-3 text-xl font-bold">
          {title}
        </h2>
        <div className="overflow-y-auto px-4 py-3">{children}</div>
        <dl className="grid grid-cols-[1fr_auto] gap-x-4 gap-y-1 border-t border-stone-200 bg-amber-50 px-4 py-3 text-base" data-testid="confirm-totals">
          {totals.map((t) => (
            <div key={t.label} className="contents">
              <dt className="font-medium">{t.label}</dt>
              <dd className="text-right font-bold tabular-nums">{t.value}</dd>
            </div>
          ))}
        </dl>
        {error && <p className="px-4 text-sm text-red-700" role="alert">{error}</p>}
        <div className="grid grid-cols-2 gap-3 p-4 pb-[max(1rem,env(safe-area-inset-bottom))]">
          <Button ref={backRef} variant="secondary" onClick={onBack} disabled={busy} className="min-h-14">
            Back
          </Button>
          <Button
            className="min-h-14"
            disabled={busy || confirmDisabled}
            onClick={async () => {
              setBusy(true);
              setError(undefined);
              try {
                await onConfirm();
              } catch (e) {
                setError((e as Error).message);
                setBusy(false);
              }
            }}
          >
            {busy ? 'Saving…' : confirmLabel}
          </Button>
        </div>
      </div>
    </div>
  );
}
