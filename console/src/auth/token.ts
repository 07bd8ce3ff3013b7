/**
 * The admin token, asked once and kept in this tab's sessionStorage only: it is gone when the
 * tab closes, never written to localStorage or a cookie, and the API layer sends it to
 * `/admin/*` alone.
 */
import { useEffect, useState } from 'preact/hooks';

const KEY = 'order-saga-console.admin-token';
const listeners = new Set<() => void>();
let notice: string | undefined;

export function readToken(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined; // storage disabled: the operator signs in on every page instead
  }
}

export function saveToken(token: string): void {
  notice = undefined;
  sessionStorage.setItem(KEY, token);
  listeners.forEach((listener) => listener());
}

/** Forgets the token; `why` is shown on the sign-in form (e.g. the token was refused). */
export function forgetToken(why?: string): void {
  notice = why;
  sessionStorage.removeItem(KEY);
  listeners.forEach((listener) => listener());
}

export function signInNotice(): string | undefined {
  return notice;
}

export function useAdminToken(): string | undefined {
  const [token, setToken] = useState(readToken);
  useEffect(() => {
    const update = () => setToken(readToken());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return token;
}
