import { useEffect, useRef, type ReactNode } from 'react';

/** A screen: its heading takes the focus when the screen opens, so a screen reader starts there. */
export function Page({ title, children, testid }: { title: string; children: ReactNode; testid?: string }) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => h1.current?.focus(), [title]);
  return (
    <section className="space-y-4" data-testid={testid} aria-labelledby="page-title">
      <h1 id="page-title" ref={h1} tabIndex={-1} className="text-2xl font-bold text-stone-900 outline-none">
        {title}
      </h1>
      {children}
    </section>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p role="status" className="text-stone-700">
      {label}
    </p>
  );
}
