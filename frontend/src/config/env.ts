import { z } from 'zod';

// Read and validated once at start-up. The API is same-origin by default
// (Django serves the PWA under /app/ and the API under /api/).
const EnvSchema = z.object({
  API_BASE: z
    .string()
    .trim()
    .default('')
    .refine((v) => v === '' || /^https?:\/\/[^\s/]+(\/.*)?$/.test(v) || v.startsWith('/'), {
      message: 'VITE_API_BASE must be empty (same origin), a path like /backend, or an http(s) URL',
    })
    .transform((v) => v.replace(/\/+$/, '')),
  COMPANY_NAME: z.string().default('LPG Field Operations'),
  COMPANY_ADDRESS: z.string().optional(),
  COMPANY_GST_REG: z.string().optional(),
  COMPANY_PHONE: z.string().optional(),
});

export type Env = z.infer<typeof EnvSchema>;

export function parseEnv(raw: Record<string, unknown>): Env {
  const parsed = EnvSchema.safeParse({
    API_BASE: raw.VITE_API_BASE || undefined,
    COMPANY_NAME: raw.VITE_COMPANY_NAME || undefined,
    COMPANY_ADDRESS: raw.VITE_COMPANY_ADDRESS || undefined,
    COMPANY_GST_REG: raw.VITE_COMPANY_GST_REG || undefined,
    COMPANY_PHONE: raw.VITE_COMPANY_PHONE || undefined,
  });
  if (!parsed.success) {
    throw new Error(`Invalid environment: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  return parsed.data;
}

export const env: Env = parseEnv(import.meta.env as Record<string, unknown>);
