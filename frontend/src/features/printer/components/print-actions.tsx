import { useState } from 'react';
import { Button } from '../../../components/ui/button';
import { Notice } from '../../../components/ui/card';
import type { OutboxEvent } from '../../../lib/db';
import { bluetoothSupported } from '../bluetooth-printer';
import { downloadServerDocument, printEventReceipt, serverDocument } from '../print-event';

/** Print (or reprint) an event's receipt; never blocks or loses the recorded action. */
export function PrintActions({ event, compact = false }: { event: OutboxEvent; compact?: boolean }) {
  const [msg, setMsg] = useState<{ tone: 'ok' | 'error' | 'warn'; text: string }>();
  const [busy, setBusy] = useState(false);
  const doc = serverDocument(event);
  const provisional = !(event.status === 'applied' || event.status === 'duplicate');

  return (
    <div className="space-y-2">
      {bluetoothSupported() ? (
        <Button
          className={compact ? 'w-full' : 'min-h-14 w-full text-lg'}
          variant={compact ? 'secondary' : 'primary'}
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setMsg(undefined);
            try {
              await printEventReceipt(event);
              setMsg({ tone: 'ok', text: provisional ? 'Printed a PROVISIONAL receipt.' : 'Receipt printed.' });
            } catch (e) {
              setMsg({ tone: 'error', text: `Not printed: ${(e as Error).message} The ${event.type === 'delivery.create' ? 'delivery' : 'distribution'} is safely recorded; you can reprint from Sync › History.` });
            } finally {
              setBusy(false);
            }
          }}
        >
          {busy ? 'Printing…' : provisional ? 'Print provisional receipt' : compact ? 'Reprint' : 'Print receipt'}
        </Button>
      ) : (
        <Notice tone="warn">This browser has no Web Bluetooth (Chrome on Android has it), so it cannot print directly.{doc ? '' : ' The server copy is available once the event is sent.'}</Notice>
      )}
      {doc && (
        <Button
          variant="secondary"
          className="w-full"
          onClick={() => downloadServerDocument(doc).catch((e) => setMsg({ tone: 'error', text: (e as Error).message }))}
        >
          {doc.label}
        </Button>
      )}
      {msg && <Notice tone={msg.tone}>{msg.text}</Notice>}
    </div>
  );
}
