import { Button } from './button';

/** Quantity with big -1 / +1 / +5 buttons for one-handed use. */
export function QuantityStepper({ value, onChange, min = 0, label, id }: { value: number; onChange: (n: number) => void; min?: number; label: string; id?: string }) {
  const set = (n: number) => onChange(Math.max(min, Math.min(9999, Math.trunc(Number.isFinite(n) ? n : min))));
  return (
    <div className="flex items-center gap-2" role="group" aria-label={label}>
      <Button variant="secondary" className="w-14 text-xl" aria-label={`${label} minus 1`} onClick={() => set(value - 1)} disabled={value <= min}>
        −1
      </Button>
      <input
        id={id}
        inputMode="numeric"
        pattern="[0-9]*"
        aria-label={label}
        className="h-12 w-16 rounded-xl border border-stone-300 text-center text-xl font-bold"
        value={value}
        onChange={(e) => set(Number(e.target.value.replace(/\D/g, '') || 0))}
      />
      <Button variant="secondary" className="w-14 text-xl" aria-label={`${label} plus 1`} onClick={() => set(value + 1)}>
        +1
      </Button>
      <Button variant="secondary" className="w-14 text-xl" aria-label={`${label} plus 5`} onClick={() => set(value + 5)}>
        +5
      </Button>
    </div>
  );
}
