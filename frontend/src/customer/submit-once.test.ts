import { describe, expect, it, vi } from 'vitest';
import { SubmitOnce } from './submit-once';

describe('SubmitOnce', () => {
  it('a double tap sends once, with one key, and both taps get the answer', async () => {
    const once = new SubmitOnce<number>();
    const send = vi.fn(async (_key: string) => 42);
    const [a, b] = await Promise.all([once.run(send), once.run(send)]);
    expect([a, b]).toEqual([42, 42]);
    expect(send).toHaveBeenCalledTimes(1);
    expect(await once.run(send)).toBe(42); // after the answer too
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('a retry after a failure reuses the key (the server replays or stores nothing)', async () => {
    const once = new SubmitOnce<string>();
    const keys: string[] = [];
    let fail = true;
    const send = async (key: string) => {
      keys.push(key);
      if (fail) throw new Error('No connection to the server');
      return 'ok';
    };
    await expect(once.run(send)).rejects.toThrow('No connection');
    fail = false;
    expect(await once.run(send)).toBe('ok');
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a new confirm screen has a new key', () => {
    expect(new SubmitOnce().key).not.toBe(new SubmitOnce().key);
  });
});
