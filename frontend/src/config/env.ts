import * as z from 'zod/mini';

// Read and validated once at start-up. The API is same-origin by default
// (Django serves the PWA under /app/ and the API under /api/). The company
// printed on receipts is the server's (GET /api/company/), never built in.
// zod/mini: the same checks as classic zod at a fraction of the first
// screen's bytes (classic zod was ~15 KiB brotli of a 100 KiB budget).
const EnvSchema = z.object({
  API_BASE: z.pipe(
    z._default(
      z.string().check(
        z.trim(),
        z.refine((v) => v === '' || /^https?:\/\/[^\s/]+(\/.*)?$/.test(v) || v.startsWith('/'), {
          message: 'VITE_API_BASE must be empty (same origin), a path like /backend, or an http(s) URL',
        }),
      ),
      '',
    ),
    z.transform((v: string) => v.replace(/\/+$/, '')),
  ),
});

export type Env = z.infer<typeof EnvSchema>;

export function parseEnv(raw: Record<string, unknown>): Env {
  const parsed = EnvSchema.safeParse({
    API_BASE: raw.VITE_API_BASE || undefined,
  });
  if (!parsed.success) {
    throw new Error(`Invalid environment: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return parsed.data;
}

export const env: Env = parseEnv(import.meta.env as Record<string, unknown>);
