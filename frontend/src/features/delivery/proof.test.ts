import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../lib/hash';
import { buildProof, degrees, emptyProof, hasProof, metres } from './proof';

const png = new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], { type: 'image/png' });
const jpeg = (n: number) => new Blob([new Uint8Array([0xff, 0xd8, 0xff, n])], { type: 'image/jpeg' });

describe('proof of delivery payload', () => {
  it('nothing given: no proof in the payload, no files', async () => {
    expect(hasProof(emptyProof())).toBe(false);
    expect(await buildProof({ recipient: '   ', photos: [] })).toEqual({ files: [] });
  });

  it('the SHA-256 of the signature and each photo go into proof; the bytes into the upload files', async () => {
    const { proof, files } = await buildProof({
      recipient: '  Mdm Lim Bee Hoon ',
      signature: png,
      photos: [jpeg(1), jpeg(2)],
      position: { latitude: 1.3549201234, longitude: 103.95603, accuracy: 12.345 },
    });
    expect(proof).toEqual({
      recipient_name: 'Mdm Lim Bee Hoon',
      signature_sha256: await sha256Hex(png),
      photo_sha256: [await sha256Hex(jpeg(1)), await sha256Hex(jpeg(2))],
      latitude: '1.354920',
      longitude: '103.956030',
      accuracy_m: '12.3',
    });
    expect(files.map((f) => [f.kind, f.content_type, f.sha256])).toEqual([
      ['SIGNATURE', 'image/png', proof!.signature_sha256],
      ['PHOTO', 'image/jpeg', proof!.photo_sha256[0]],
      ['PHOTO', 'image/jpeg', proof!.photo_sha256[1]],
    ]);
    expect(await sha256Hex(files[0].bytes)).toBe(proof!.signature_sha256);
  });

  it('at most 3 photos, each once; a name alone is proof too', async () => {
    const { proof, files } = await buildProof({ recipient: '', photos: [jpeg(1), jpeg(1), jpeg(2), jpeg(3), jpeg(4)] });
    expect(proof!.photo_sha256).toHaveLength(2); // the first three, the repeated one once
    expect(files).toHaveLength(2);
    expect(proof!.signature_sha256).toBeNull();
    expect((await buildProof({ recipient: 'Ah Huat', photos: [] })).proof).toMatchObject({ recipient_name: 'Ah Huat', photo_sha256: [], latitude: null });
  });

  it('the name is cut to 100 characters; decimals as the server takes them', async () => {
    expect((await buildProof({ recipient: 'x'.repeat(130), photos: [] })).proof!.recipient_name).toHaveLength(100);
    expect(degrees(-0.5)).toBe('-0.500000');
    expect(metres(7.25)).toBe('7.3');
    expect(metres(-3)).toBe('0.0');
  });
});
