import { problemOf } from '../errors';

/** The server's error as it said it: its detail, then each field's message. */
export function ProblemNotice({ error, testid = 'problem' }: { error: unknown; testid?: string }) {
  if (!error) return null;
  const p = problemOf(error);
  return (
    <div role="alert" data-testid={testid} data-code={p.code} className="rounded-xl border border-red-300 bg-red-50 p-3 text-sm text-red-900">
      <p className="font-semibold">{p.detail}</p>
      {p.messages.length > 0 && (
        <ul className="mt-1 list-disc pl-5">
          {p.messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
