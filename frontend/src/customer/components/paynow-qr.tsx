import { useMemo } from 'react';
import { renderSVG } from 'uqr';

/** The invoice's PayNow (SGQR) payload from the server, drawn as a QR for a banking app to scan. */
export function PayNowQr({ payload, label }: { payload: string; label: string }) {
  const svg = useMemo(() => renderSVG(payload, { ecc: 'M', border: 2 }), [payload]);
  return <div role="img" aria-label={label} data-testid="paynow-qr" data-payload={payload} className="mx-auto w-56 bg-white p-2 [&>svg]:h-auto [&>svg]:w-full" dangerouslySetInnerHTML={{ __html: svg }} />;
}
