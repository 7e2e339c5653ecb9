// RFC 8785 (JSON Canonicalization Scheme). Strings and numbers are
// serialised exactly as ECMAScript's JSON.stringify does (which is what the
// RFC specifies); object keys are sorted by their UTF-16 code units; no
// whitespace. The server verifies signatures over these bytes, so any change
// here must keep src/offline/__fixtures__/canonical-vectors.json passing.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function compareUtf16(a: string, b: string): number {
  // JS string comparison is by UTF-16 code units, exactly what RFC 8785 wants.
  return a < b ? -1 : a > b ? 1 : 0;
}

function assertWellFormed(s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) throw new TypeError('lone surrogate in string');
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      throw new TypeError('lone surrogate in string');
    }
  }
}

export function canonicalize(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('NaN and Infinity are not valid JSON');
      return JSON.stringify(value); // ES number serialisation; -0 becomes "0"
    case 'string':
      assertWellFormed(value);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalize(v)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort(compareUtf16);
      return `{${keys.map((k) => `${canonicalize(k)}:${canonicalize(obj[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`cannot canonicalize a ${typeof value}`);
  }
}

export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalize(value));
}
