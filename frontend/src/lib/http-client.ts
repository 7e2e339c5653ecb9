import type { GetBody, GetPath, GetQuery, ListItem, PathParams, PostBody, PostPath, PostRequest, TokenPair } from '../api/types';

// The API client without a storage or an environment of its own: the driver's
// app gives it IndexedDB (api-client.ts), the customer's app another store,
// so the customer's first screen loads neither Dexie nor zod.

/** POST /api/auth/token/ and /refresh/ answer the generated TokenPair. */
export type Tokens = TokenPair;

/** An HTTP answer that was not 2xx, with the server's error contract. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    public detail: string,
    public fields?: Record<string, unknown>,
  ) {
    super(detail || `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

/** No answer at all: offline, DNS, connection reset, CORS... */
export class NetworkError extends Error {
  constructor(message = 'No connection to the server') {
    super(message);
    this.name = 'NetworkError';
  }
}

/** The session is gone (refresh token refused); the driver must sign in again. */
export class AuthRequiredError extends ApiError {
  constructor() {
    super(401, 'not_authenticated', 'Please sign in again.');
    this.name = 'AuthRequiredError';
  }
}

export interface TokenStore {
  load(): Promise<Tokens | undefined>;
  save(tokens: Tokens): Promise<void>;
  clear(): Promise<void>;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Raw bytes sent as they are (e.g. a photo); its Content-Type in `headers`. */
  raw?: Blob | ArrayBuffer;
  headers?: Record<string, string>;
  auth?: boolean;
  signal?: AbortSignal;
}

export async function errorFromResponse(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  const code = typeof body.code === 'string' ? body.code : `http_${res.status}`;
  const detail =
    typeof body.detail === 'string'
      ? body.detail
      : res.status >= 500
        ? 'The server had a problem. Try again later.'
        : `Request failed (HTTP ${res.status})`;
  const fields = body.fields && typeof body.fields === 'object' ? (body.fields as Record<string, unknown>) : undefined;
  return new ApiError(res.status, code, detail, fields);
}

/**
 * The one API client. It holds the tokens and the refresh logic: a 401 on an
 * authenticated call refreshes once (single flight, because the server
 * rotates refresh tokens and a second refresh with the old token would fail)
 * and retries the call once.
 */
export class ApiClient {
  private tokens: Tokens | undefined;
  private loaded = false;
  private refreshing: Promise<Tokens> | null = null;
  private listeners = new Set<(signedIn: boolean) => void>();

  constructor(
    private base: string,
    private store: TokenStore,
    private fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  onAuthChange(fn: (signedIn: boolean) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(signedIn: boolean) {
    for (const fn of this.listeners) fn(signedIn);
  }

  async isSignedIn(): Promise<boolean> {
    await this.ensureLoaded();
    return !!this.tokens;
  }

  private async ensureLoaded() {
    if (!this.loaded) {
      this.tokens = await this.store.load();
      this.loaded = true;
    }
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  /** A link the server gave (e.g. DRF's `next`) as a path this client can request. */
  pathOf(link: string): string {
    let u: URL;
    try {
      u = new URL(link, 'http://placeholder');
    } catch {
      return link;
    }
    const basePath = this.base ? new URL(this.base, 'http://placeholder').pathname.replace(/\/+$/, '') : '';
    const path = basePath && u.pathname.startsWith(`${basePath}/`) ? u.pathname.slice(basePath.length) : u.pathname;
    return `${path}${u.search}`;
  }

  private async rawFetch(path: string, opts: RequestOptions, access?: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (access) headers.Authorization = `Bearer ${access}`;
    try {
      return await this.fetchImpl(this.url(path), {
        method: opts.method ?? (opts.body !== undefined || opts.raw !== undefined ? 'POST' : 'GET'),
        headers,
        body: opts.raw !== undefined ? opts.raw : opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
        signal: opts.signal,
        credentials: 'omit',
      });
    } catch (e) {
      if ((e as Error)?.name === 'AbortError') throw e;
      throw new NetworkError();
    }
  }

  /**
   * Sends a request; returns the Response whatever its status (after at most one refresh).
   * Every POST outside /api/auth/ carries an `Idempotency-Key` (the server answers 428
   * without one); the retry after a token refresh reuses it, so it counts once.
   */
  async request(path: string, opts: RequestOptions = {}): Promise<Response> {
    const method = opts.method ?? (opts.body !== undefined || opts.raw !== undefined ? 'POST' : 'GET');
    if (method === 'POST' && !path.startsWith('/api/auth/') && !Object.keys(opts.headers ?? {}).some((h) => h.toLowerCase() === 'idempotency-key')) {
      opts = { ...opts, headers: { ...opts.headers, 'Idempotency-Key': newIdempotencyKey() } };
    }
    const auth = opts.auth ?? true;
    if (!auth) return this.rawFetch(path, opts);
    await this.ensureLoaded();
    if (!this.tokens) throw new AuthRequiredError();
    const sentWith = this.tokens.access;
    const res = await this.rawFetch(path, opts, sentWith);
    if (res.status !== 401) return res;
    const fresh = await this.refresh(sentWith);
    return this.rawFetch(path, opts, fresh.access);
  }

  /**
   * JSON call: throws ApiError for non-2xx. `T` is the caller's word for the
   * body: use get()/post(), which take it from the generated schema types.
   */
  async json<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request(path, opts);
    if (!res.ok) throw await errorFromResponse(res);
    return (res.status === 204 || res.status === 205 ? null : await res.json()) as T;
  }

  /** GET a path of the schema: the answer typed by the generated types. */
  get<P extends GetPath>(path: P, opts: { params?: PathParams<P>; query?: GetQuery<P>; signal?: AbortSignal } = {}): Promise<GetBody<P>> {
    return this.json<GetBody<P>>(withQuery(expandPath(path, opts.params), opts.query), { signal: opts.signal });
  }

  /** POST a body of the schema's request type: the answer typed by the generated types. */
  post<P extends PostPath>(path: P, body: PostRequest<P>, opts: { params?: PathParams<P>; headers?: Record<string, string> } = {}): Promise<PostBody<P>> {
    return this.json<PostBody<P>>(expandPath(path, opts.params), { body, headers: opts.headers });
  }

  private async refresh(staleAccess: string): Promise<Tokens> {
    // Another call may already have refreshed while this one was in flight.
    if (this.tokens && this.tokens.access !== staleAccess && !this.refreshing) return this.tokens;
    if (!this.refreshing) {
      this.refreshing = (async () => {
        const current = this.tokens;
        if (!current) throw new AuthRequiredError();
        const res = await this.rawFetch('/api/auth/token/refresh/', { body: { refresh: current.refresh } });
        if (res.status === 401 || res.status === 400 || res.status === 403) {
          await this.clearTokens();
          throw new AuthRequiredError();
        }
        if (!res.ok) throw await errorFromResponse(res);
        const data = (await res.json()) as Partial<Tokens>;
        if (!data.access) throw new ApiError(res.status, 'bad_refresh_answer', 'The server sent no access token.');
        // The refresh token rotates; keep the old one only if the server sent none.
        const next = { access: data.access, refresh: data.refresh ?? current.refresh };
        await this.setTokens(next);
        return next;
      })().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  async login(email: string, password: string): Promise<void> {
    const res = await this.rawFetch('/api/auth/token/', { body: { email, password } });
    if (res.status === 401 || res.status === 400) {
      const err = await errorFromResponse(res);
      throw new ApiError(res.status, err.code, 'Wrong e-mail or password.');
    }
    if (res.status === 429) throw new ApiError(429, 'throttled', 'Too many attempts. Wait a minute and try again.');
    if (!res.ok) throw await errorFromResponse(res);
    const data = (await res.json()) as Tokens;
    await this.setTokens({ access: data.access, refresh: data.refresh });
  }

  /** Ends the session on the server when possible; always forgets the tokens here. */
  async logout(): Promise<void> {
    await this.ensureLoaded();
    const refresh = this.tokens?.refresh;
    if (refresh && this.tokens) {
      try {
        await this.request('/api/auth/logout/', { body: { refresh } });
      } catch {
        /* offline or already expired: the local session ends anyway */
      }
    }
    await this.clearTokens();
  }

  private async setTokens(tokens: Tokens) {
    this.tokens = tokens;
    this.loaded = true;
    await this.store.save(tokens);
    this.emit(true);
  }

  private async clearTokens() {
    this.tokens = undefined;
    this.loaded = true;
    await this.store.clear();
    this.emit(false);
  }
}

export const newIdempotencyKey = (): string => crypto.randomUUID();

/** `/api/invoices/{id}/` with {id: 7} -> `/api/invoices/7/`. */
export function expandPath(template: string, params?: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`${template}: no value for {${name}}`);
    return encodeURIComponent(String(value));
  });
}

function withQuery(path: string, query?: object): string {
  const entries = Object.entries(query ?? {}).filter(([, v]) => v !== undefined && v !== null);
  if (!entries.length) return path;
  return `${path}?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
}

interface Page<T> {
  next?: string | null;
  results: T[];
}

/** Every item of a paginated list: follows `next` links (same origin only), up to a bound. */
export async function fetchAllPages<P extends GetPath>(client: ApiClient, path: P, maxPages = 20): Promise<ListItem<P>[]> {
  const out: ListItem<P>[] = [];
  let next: string | null = path;
  for (let page = 0; next && page < maxPages; page++) {
    const data: Page<ListItem<P>> = await client.json<Page<ListItem<P>>>(next);
    out.push(...data.results);
    next = data.next ? client.pathOf(data.next) : null;
  }
  return out;
}
