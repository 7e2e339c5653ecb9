import { env } from '../config/env';
import { kvDelete, kvGet, kvSet } from './db';
import { ApiClient, type TokenStore, type Tokens } from './http-client';

export * from './http-client';

const TOKENS_KEY = 'auth.tokens';
export const dexieTokenStore: TokenStore = {
  load: () => kvGet<Tokens>(TOKENS_KEY),
  save: (t) => kvSet(TOKENS_KEY, t),
  clear: () => kvDelete(TOKENS_KEY),
};

/** The driver's app's one client: tokens in IndexedDB, the validated environment's base. */
export const api = new ApiClient(env.API_BASE, dexieTokenStore);
