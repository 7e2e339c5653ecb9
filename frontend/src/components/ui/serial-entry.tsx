import { useRef, useState } from 'react';
import { addSerial, removeSerial, serialProblem, type SerialOwners } from '../../lib/serials';
import { Button } from './button';
import { SerialScanner } from './serial-scanner';

/**
 * The serials of one line (delivered, returned, or a distribution line):
 * Scan (camera) or type them; shows "n of quantity", each serial with a
 * remove button, and why the line cannot be sent yet.
 */
export function SerialEntry({
  label,
  serials,
  quantity,
  serialised,
  owners,
  onChange,
  testId,
}: {
  label: string;
  serials: string[];
  quantity: number;
  serialised: boolean;
  owners: SerialOwners;
  onChange: (serials: string[]) => void;
  testId: string;
}) {
  const [typed, setTyped] = useState('');
  const [scanning, setScanning] = useState(false);
  const [message, setMessage] = useState<{ tone: 'ok' | 'error'; text: string }>();
  const problem = serialProblem(serials, quantity, serialised);
  // the list as last changed here: one camera frame may hold several codes, read before React re-renders
  const latest = useRef(serials);
  latest.current = serials;

  const add = (raw: string) => {
    const r = addSerial(latest.current, raw, quantity, owners);
    if (r.ok) {
      latest.current = r.serials;
      onChange(r.serials);
      setMessage({ tone: 'ok', text: `${r.serial} added (${r.serials.length} of ${quantity}).` });
    } else {
      setMessage({ tone: 'error', text: r.reason });
    }
    return r.ok;
  };

  return (
    <div className="space-y-2 rounded-xl border border-stone-200 p-2" data-testid={testId} data-count={serials.length}>
      <div className="flex items-center justify-between gap-2">
        <span className="text-sm font-semibold">
          {label}{' '}
          <span className={`tabular-nums ${problem ? 'text-red-800' : 'text-emerald-800'}`} data-testid={`${testId}-count`}>
            {serials.length} of {quantity}
          </span>
        </span>
        <Button variant="secondary" className="min-h-10 px-3" onClick={() => { setMessage(undefined); setScanning(true); }} disabled={quantity === 0} data-testid={`${testId}-scan`}>
          Scan
        </Button>
      </div>
      <form
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          if (add(typed)) setTyped('');
        }}
      >
        <input
          className="h-10 min-w-0 flex-1 rounded-lg border border-stone-300 px-2 font-mono uppercase"
          placeholder="Type a serial"
          aria-label={`${label}: type a serial`}
          value={typed}
          autoCapitalize="characters"
          autoComplete="off"
          onChange={(e) => setTyped(e.target.value)}
          data-testid={`${testId}-input`}
        />
        <Button type="submit" variant="secondary" className="min-h-10 px-3" disabled={!typed.trim()}>
          Add
        </Button>
      </form>
      {serials.length > 0 && (
        <ul className="flex flex-wrap gap-1" data-testid={`${testId}-list`}>
          {serials.map((s) => (
            <li key={s} className="flex items-center gap-1 rounded-full bg-stone-100 py-0.5 pl-2 font-mono text-sm">
              <span data-testid="serial">{s}</span>
              <button type="button" className="h-8 w-8 rounded-full text-red-700" aria-label={`Remove ${s}`} onClick={() => onChange(removeSerial(serials, s))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {message && !scanning && (
        <p className={`text-sm font-semibold ${message.tone === 'ok' ? 'text-emerald-800' : 'text-red-800'}`} data-testid={`${testId}-message`}>
          {message.text}
        </p>
      )}
      {problem && <p className="text-xs font-semibold text-red-800" data-testid={`${testId}-problem`}>{problem}</p>}
      {scanning && <SerialScanner title={`${label}: ${serials.length} of ${quantity}`} onCode={add} onClose={() => setScanning(false)} message={message} />}
    </div>
  );
}
