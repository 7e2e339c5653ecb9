import { ApiError, AuthRequiredError, NetworkError } from '../lib/http-client';

// The server's error contract ({code, detail, fields}, docs/api.md) as
// sentences for a person: the detail, then each field's messages by name.

const FIELD_LABELS: Record<string, string> = {
  lines: 'Cylinders',
  cylinder_type: 'cylinder type',
  quantity: 'quantity',
  scheduled_for: 'Day',
  window_start: 'Window',
  window_end: 'Window',
  notes: 'Notes',
  password: 'Password',
  token: 'Invite link',
  name: 'Name',
  to: 'To',
  from: 'From',
  date_from: 'From',
  date_to: 'To',
  reason: 'Reason',
  non_field_errors: '',
};

function label(key: string, parent?: string): string {
  if (/^\d+$/.test(key)) return parent === 'lines' ? `line ${Number(key) + 1}` : `item ${Number(key) + 1}`;
  return FIELD_LABELS[key] ?? key.replace(/_/g, ' ');
}

/** {"lines": {"0": {"quantity": ["Too many."]}}} -> ["Cylinders, line 1, quantity: Too many."] */
export function fieldMessages(fields: unknown, path: string[] = [], parent?: string): string[] {
  if (typeof fields === 'string') return [path.length ? `${path.join(', ')}: ${fields}` : fields];
  if (Array.isArray(fields)) return fields.flatMap((f) => fieldMessages(f, path, parent));
  if (fields && typeof fields === 'object') {
    return Object.entries(fields as Record<string, unknown>).flatMap(([k, v]) => {
      const name = label(k, parent);
      return fieldMessages(v, name ? [...path, name] : path, k);
    });
  }
  return [];
}

export interface Problem {
  detail: string;
  messages: string[];
  code?: string;
}

export function problemOf(e: unknown): Problem {
  if (e instanceof AuthRequiredError) return { detail: 'Please sign in again.', messages: [], code: e.code };
  if (e instanceof ApiError) {
    const messages = fieldMessages(e.fields ?? {});
    return { detail: e.detail, messages: messages.filter((m) => m !== e.detail), code: e.code };
  }
  if (e instanceof NetworkError) return { detail: 'No connection to the server. Check your connection and try again.', messages: [] };
  return { detail: e instanceof Error ? e.message : String(e), messages: [] };
}

/** One sentence (for places with room for one line). */
export function problemText(e: unknown): string {
  const p = problemOf(e);
  return [p.detail, ...p.messages].join(' ');
}
