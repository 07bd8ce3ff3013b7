/** How a failed request reads: the API's own words, and each problem it listed. */
import type { ComponentChildren } from 'preact';
import { ApiError } from '../api/http';

export function ErrorNotice({ error, action }: { error: Error | undefined; action?: string }) {
  if (!error) return null;
  const problems = error instanceof ApiError ? error.errors : [];
  return (
    <div class="notice notice-error" role="alert">
      <strong>{action ? `Could not ${action}: ` : ''}</strong>
      {error.message}
      {problems.length > 1 && (
        <ul>
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}
