import { newIdempotencyKey } from '../lib/http-client';

/**
 * One Idempotency-Key per confirm screen: a double tap sends once (the second
 * tap gets the first one's answer), and a retry after a lost answer or a
 * refusal reuses the key, so the server makes at most one order. A new
 * confirm screen (after going back to edit) makes a new SubmitOnce.
 */
export class SubmitOnce<T> {
  readonly key: string;
  private inFlight: Promise<T> | undefined;
  private done: { value: T } | undefined;

  constructor(makeKey: () => string = newIdempotencyKey) {
    this.key = makeKey();
  }

  run(send: (key: string) => Promise<T>): Promise<T> {
    if (this.done) return Promise.resolve(this.done.value);
    if (!this.inFlight) {
      this.inFlight = send(this.key).then(
        (value) => {
          this.done = { value };
          return value;
        },
        (e: unknown) => {
          this.inFlight = undefined;
          throw e;
        },
      );
    }
    return this.inFlight;
  }
}
