import type { HTMLAttributes } from 'react';

export function Card({ className = '', ...props }: HTMLAttributes<HTMLDivElement>) {
  return <div {...props} className={`rounded-2xl bg-white p-4 shadow-sm ${className}`} />;
}

export function Notice({ tone = 'info', className = '', ...props }: HTMLAttributes<HTMLDivElement> & { tone?: 'info' | 'warn' | 'error' | 'ok' }) {
  const tones = {
    info: 'bg-sky-50 text-sky-900 border-sky-200',
    warn: 'bg-amber-50 text-amber-900 border-amber-300',
    error: 'bg-red-50 text-red-900 border-red-300',
    ok: 'bg-emerald-50 text-emerald-900 border-emerald-300',
  };
  return <div role={tone === 'error' ? 'alert' : 'status'} {...props} className={`rounded-xl border p-3 text-sm ${tones[tone]} ${className}`} />;
}
