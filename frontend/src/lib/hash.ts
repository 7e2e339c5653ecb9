/** SHA-256 of bytes as lower-case hex (WebCrypto), the form the server checks uploads against. */
export async function sha256Hex(data: ArrayBuffer | Uint8Array | Blob): Promise<string> {
  const buffer = data instanceof Blob ? await data.arrayBuffer() : data;
  const digest = await crypto.subtle.digest('SHA-256', buffer as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export const isSha256Hex = (s: string) => /^[0-9a-f]{64}$/.test(s);
