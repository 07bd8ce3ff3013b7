/**
 * Admin pages behind the operator's token. The token is asked once per browser tab, checked
 * against the API before it is kept, and a token the API later refuses is forgotten at once.
 * The API enforces access itself: this only decides what the page asks for.
 */
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { AdminApi, adminApi } from '../api/admin';
import { ApiError } from '../api/http';
import { Modal } from './dialog';
import { forgetToken, saveToken, signInNotice, useAdminToken } from '../auth/token';

export function AdminGate({
  what,
  children,
  inModal,
  onClose,
}: {
  what: string;
  children: (api: AdminApi) => ComponentChildren;
  /** Ask for the token in a dialog (for an action started from a public page). */
  inModal?: boolean;
  onClose?: () => void;
}) {
  const token = useAdminToken();
  // One client per token, so pages that load with it as a dependency load once.
  const api = useMemo(() => (token ? adminApi(token) : undefined), [token]);
  if (api) return <>{children(api)}</>;
  if (!inModal) return <SignIn what={what} />;
  return (
    <Modal title="Sign in as an operator" onClose={onClose ?? (() => undefined)}>
      <SignIn what={what} bare />
    </Modal>
  );
}

/** For an admin call that failed: a refused token sends the operator back to sign in. */
export function forgetRefusedToken(error: unknown): void {
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    forgetToken('The admin token was refused. Sign in again.');
  }
}

function SignIn({ what, bare }: { what: string; bare?: boolean }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | undefined>(signInNotice);
  const [checking, setChecking] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) return setProblem('Enter the admin token.');
    setChecking(true);
    try {
      await adminApi(candidate).faults();
      saveToken(candidate);
    } catch (error) {
      setProblem(
        error instanceof ApiError && error.status === 403
          ? 'That is not the admin token.'
          : (error as Error).message,
      );
      setChecking(false);
    }
  };

  return (
    <section class={bare ? 'sign-in' : 'card sign-in'} aria-label="Sign in">
      {!bare && <h2>Admin token needed</h2>}
      <p>
        {what} is part of the admin API. Enter the coordinator's <code>ADMIN_TOKEN</code> (
        <code>npm start</code> prints one when none is set).
      </p>
      <form onSubmit={submit} class="inline-form">
        <label for="admin-token">Admin token</label>
        <input
          id="admin-token"
          name="admin-token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-describedby="admin-token-help"
          aria-invalid={problem ? true : undefined}
          required
        />
        <button type="submit" class="primary" disabled={checking}>
          {checking ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      <p id="admin-token-help" class="hint">
        Kept in this tab only (session storage), and sent only with admin requests.
      </p>
    </section>
  );
}
