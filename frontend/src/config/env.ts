import { z } from 'zod';

// Read and validated once at start-up. The API is same-origin by default
// (Django serves the PWA under /app/ and the API under /api/). The company
// printed on receipts is the server's (GET /api/company/), never built in.
const EnvSchema = z.object({
  API_BASE: z
    .string()
    .trim()
    .default('')
    .refine((v) => v === '' || /^https?:\/\/[^\s/]+(\/.*)?$/.test(v) || v.startsWith('/'), {
      message: 'VITE_API_BASE must be empty (same origin), a path like /backend, or an http(s) URL',
    })
    .transform((v) => v.replace(/\/+$/, '')),
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
