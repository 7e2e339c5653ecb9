import { useEffect, useState } from 'react';
import { Button } from '../../../components/ui/button';
import { Card, Notice } from '../../../components/ui/card';
import { bluetoothSupported, getPairedPrinter, pairPrinter, setPrinterColumns, type PairedPrinter } from '../bluetooth-printer';
import { printTestPage } from '../print-event';

export function PrinterScreen() {
  const [printer, setPrinter] = useState<PairedPrinter>();
  const [msg, setMsg] = useState<{ tone: 'ok' | 'error'; text: string }>();
  const [busy, setBusy] = useState(false);
  useEffect(() => void getPairedPrinter().then(setPrinter), []);

  const run = async (fn: () => Promise<string>) => {
    setBusy(true);
    setMsg(undefined);
    try {
      setMsg({ tone: 'ok', text: await fn() });
    } catch (e) {
      setMsg({ tone: 'error', text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  if (!bluetoothSupported()) {
    return (
      <Card className="space-y-2">
        <h2 className="text-lg font-bold">Bluetooth printer</h2>
        <Notice tone="warn" data-testid="no-bluetooth">
          This browser has no Web Bluetooth, so it cannot talk to a receipt printer. Use Chrome on Android to print directly. Meanwhile every distribution and delivery offers the server's receipt once it is sent.
        </Notice>
      </Card>
    );
  }

  return (
    <>
      <Card className="space-y-3">
        <h2 className="text-lg font-bold">Bluetooth printer</h2>
        <p data-testid="printer-name">{printer ? `Paired: ${printer.name}` : 'No printer paired.'}</p>
        <Button className="min-h-14 w-full text-lg" disabled={busy} onClick={() => run(async () => { const p = await pairPrinter(); setPrinter(p); return `Paired with ${p.name}.`; })}>
          {printer ? 'Pair another printer' : 'Pair printer'}
        </Button>
        <Button variant="secondary" className="min-h-14 w-full text-lg" disabled={busy || !printer} onClick={() => run(async () => { await printTestPage(); return 'Test page sent.'; })}>
          Print test page
        </Button>
        {msg && <Notice tone={msg.tone}>{msg.text}</Notice>}
      </Card>
      {printer && (
        <Card>
          <h3 className="mb-2 font-bold">Paper width</h3>
          <div className="grid grid-cols-2 gap-2">
            {([32, 48] as const).map((c) => (
              <button
                type="button"
                key={c}
                aria-pressed={printer.columns === c}
                className={`min-h-12 rounded-xl border font-semibold ${printer.columns === c ? 'border-amber-700 bg-amber-100' : 'border-stone-300'}`}
                onClick={() => void setPrinterColumns(c).then(() => setPrinter({ ...printer, columns: c }))}
              >
                {c === 32 ? '58 mm (32 chars)' : '80 mm (48 chars)'}
              </button>
            ))}
          </div>
        </Card>
      )}
    </>
  );
}
