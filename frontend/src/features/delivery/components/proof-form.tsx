import { useEffect, useMemo, useState } from 'react';
import { Card, Notice } from '../../../components/ui/card';
import { SignatureField } from '../../../components/ui/signature-pad';
import { resizePhoto } from '../../../lib/image';
import { currentPosition, MAX_PHOTOS, RECIPIENT_MAX, type ProofDraft } from '../proof';

/** Recipient, signature, photos and position for the delivery being entered. */
export function ProofForm({ value, onChange }: { value: ProofDraft; onChange: (update: (p: ProofDraft) => ProofDraft) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [locating, setLocating] = useState(true);

  // The position is asked for once when the form opens; the delivery never waits for it.
  useEffect(() => {
    let live = true;
    void currentPosition().then((position) => {
      if (!live) return;
      setLocating(false);
      if (position) onChange((p) => ({ ...p, position }));
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const previews = useMemo(() => value.photos.map((b) => URL.createObjectURL(b)), [value.photos]);
  useEffect(() => () => previews.forEach((u) => URL.revokeObjectURL(u)), [previews]);

  async function addPhotos(files: FileList | null) {
    if (!files?.length) return;
    setError(undefined);
    setBusy(true);
    try {
      const room = MAX_PHOTOS - value.photos.length;
      const picked = [...files].slice(0, room);
      const resized: Blob[] = [];
      for (const f of picked) resized.push((await resizePhoto(f)).blob);
      onChange((p) => ({ ...p, photos: [...p.photos, ...resized].slice(0, MAX_PHOTOS) }));
      if (files.length > room) setError(`At most ${MAX_PHOTOS} photos.`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card className="space-y-3" data-testid="proof-form">
      <h2 className="font-bold">Proof of delivery</h2>
      <label className="block">
        <span className="mb-1 block text-sm font-semibold">Received by (name)</span>
        <input
          id="recipient-name"
          className="h-12 w-full rounded-xl border border-stone-300 px-3 text-lg"
          maxLength={RECIPIENT_MAX}
          autoComplete="off"
          value={value.recipient}
          onChange={(e) => {
            const recipient = e.target.value;
            onChange((p) => ({ ...p, recipient }));
          }}
        />
      </label>
      <div>
        <span className="mb-1 block text-sm font-semibold">Signature</span>
        <SignatureField key={value.restoredAt ?? 0} initial={value.signature} onChange={(signature) => onChange((p) => ({ ...p, signature }))} />
      </div>
      <div className="space-y-2">
        <span className="block text-sm font-semibold">
          Photos ({value.photos.length} of {MAX_PHOTOS})
        </span>
        {previews.length > 0 && (
          <ul className="grid grid-cols-3 gap-2" data-testid="proof-photos">
            {previews.map((u, i) => (
              <li key={u} className="relative">
                <img src={u} alt={`Photo ${i + 1}`} className="aspect-square w-full rounded-lg object-cover" />
                <button
                  type="button"
                  className="absolute right-1 top-1 h-8 w-8 rounded-full bg-white/90 font-bold text-red-700"
                  aria-label={`Remove photo ${i + 1}`}
                  onClick={() => onChange((p) => ({ ...p, photos: p.photos.filter((_, j) => j !== i) }))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        {value.photos.length < MAX_PHOTOS && (
          <label className={`flex min-h-12 cursor-pointer items-center justify-center rounded-xl border border-stone-300 bg-white font-semibold ${busy ? 'opacity-50' : ''}`}>
            {busy ? 'Preparing photo…' : 'Take a photo'}
            <input
              type="file"
              accept="image/*"
              capture="environment"
              className="sr-only"
              data-testid="proof-photo-input"
              disabled={busy}
              onChange={(e) => {
                void addPhotos(e.target.files);
                e.target.value = '';
              }}
            />
          </label>
        )}
        {error && <Notice tone="error">{error}</Notice>}
      </div>
      <p className="text-xs text-stone-500" data-testid="proof-position">
        {value.position
          ? `Position recorded (±${Math.round(value.position.accuracy)} m).`
          : locating
            ? 'Getting the position… (optional)'
            : 'No position from the phone (optional).'}
      </p>
    </Card>
  );
}
