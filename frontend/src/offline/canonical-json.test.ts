import { describe, expect, it } from 'vitest';
import vectors from './__fixtures__/canonical-vectors.json';
import { canonicalBytes, canonicalize } from './canonical-json';
import { generateDeviceKey, signEvent, signedBytes, verifyEvent, base64ToBytes } from './device-key';

describe('canonical JSON (RFC 8785), shared vectors', () => {
  it.each(vectors.vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(canonicalize(v.input)).toBe(v.expected);
  });

  it('covers what the backend must agree on', () => {
    const all = vectors.vectors.map((v) => v.expected).join('\n');
    for (const needle of ['10', '0.5', 'null', 'true', 'false', '€', '"a":', '{"', 'e+21']) expect(all).toContain(needle);
  });
});

describe('canonical JSON, independent checks', () => {
  it('sorts keys by UTF-16 code units (RFC 8785 section 3.2.3 example)', () => {
    const input = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    const keys = Object.keys(JSON.parse(canonicalize(input)));
    // JSON.parse reorders integer-like keys, so compare the raw text order instead
    expect(keys).toContain('1');
    const order = ['\\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'].map((k) => canonicalize(input).indexOf(`"${k}"`));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('writes numbers as ECMAScript does', () => {
    expect(canonicalize([10, 10.0, 0.5, -0, 1e21, 1e-7, 123456789012, 4.5e-5])).toBe('[10,10,0.5,0,1e+21,1e-7,123456789012,0.000045]');
  });

  it('has no whitespace and keeps unicode as UTF-8', () => {
    const bytes = canonicalBytes({ b: [1, { d: 'é', c: null }], a: true });
    expect(new TextDecoder().decode(bytes)).toBe('{"a":true,"b":[1,{"c":null,"d":"é"}]}');
    expect(Array.from(bytes.slice(-6, -4))).toEqual([0xc3, 0xa9]);
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalize({ a: NaN })).toThrow();
    expect(() => canonicalize({ a: Infinity })).toThrow();
    expect(() => canonicalize('\ud800')).toThrow();
    expect(() => canonicalize({ a: () => 1 })).toThrow();
  });

  it('drops undefined members like JSON.stringify', () => {
    expect(canonicalize({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});

describe('event signature', () => {
  const event = {
    id: '6f1c1e0a-3c1b-4f7e-9d38-2f0d4b7e9a10',
    type: 'distribution.create',
    occurred_at: '2026-01-19T08:15:30.123Z',
    payload: {
      vehicle: 3,
      items: [
        { depot: 1, cylinder_type: 2, quantity: 10, movement_type: 'COLLECTION' },
        { depot: 1, cylinder_type: 2, quantity: 4, movement_type: 'EMPTY_RETURN' },
      ],
    },
  };

  it('signs exactly the canonical form of {id,type,occurred_at,payload}', () => {
    const withExtras = { ...event, signature: 'x', status: 'queued' } as typeof event;
    const vector = vectors.vectors.find((v) => v.name === 'a distribution event')!;
    expect(new TextDecoder().decode(signedBytes(withExtras))).toBe(vector.expected);
  });

  it('is a raw 64-byte r||s signature in standard base64 that verifies with the public JWK', async () => {
    const { privateKey, publicJwk } = await generateDeviceKey();
    expect(privateKey.extractable).toBe(false);
    expect(Object.keys(publicJwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    const sig = await signEvent(privateKey, event);
    expect(sig).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(base64ToBytes(sig)).toHaveLength(64);
    expect(await verifyEvent(publicJwk, event, sig)).toBe(true);
    expect(await verifyEvent(publicJwk, { ...event, occurred_at: '2026-01-19T08:15:31.123Z' }, sig)).toBe(false);
  });
});

describe('signature vectors shared with the backend', async () => {
  const sig = (await import('./__fixtures__/signature-vectors.json')).default;
  it.each(sig.vectors.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
    expect(canonicalize(v.event)).toBe(v.canonical);
    expect(base64ToBytes(v.signature)).toHaveLength(64);
    expect(await verifyEvent(sig.public_key_jwk, v.event, v.signature)).toBe(v.valid);
  });
});
