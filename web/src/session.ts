import { useSyncExternalStore } from 'react';

export type Role = 'household' | 'department' | 'district' | 'city' | 'public';

/** Who the token speaks for, as the API's GET /session answers. */
export interface SessionActor {
  id: string;
  role: Role;
  districtCode?: string;
  /** A department's name (the API's `department` claim). */
  department?: string;
  departmentId?: string;
  uscc?: string;
  /** What the login page called the actor (a demo actor's label); absent for a pasted token. */
  name?: string;
}

interface StoredSession {
  token: string;
  actor: SessionActor;
  /** Signed in as a demo actor of a development system. */
  demo: boolean;
}

const STORAGE_KEY = 'mtyx.session';
const listeners = new Set<() => void>();
let current: StoredSession | null = read();

function read(): StoredSession | null {
  try {
    const text = sessionStorage.getItem(STORAGE_KEY);
    return text ? (JSON.parse(text) as StoredSession) : null;
  } catch {
    return null;
  }
}

function publish(next: StoredSession | null): void {
  current = next;
  if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener();
}

export function signIn(token: string, actor: SessionActor, demo: boolean): void {
  const departmentId = actor.department;
  publish({ token, actor: departmentId ? { ...actor, departmentId } : actor, demo });
}

export function signOut(): void {
  publish(null);
}

/** The bearer token for the API client, read outside React. */
export function currentToken(): string | null {
  return current?.token ?? null;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface Session {
  token: string | null;
  actor: SessionActor | null;
  demo: boolean;
  signOut: () => void;
}

export function useSession(): Session {
  const session = useSyncExternalStore(subscribe, () => current);
  return { token: session?.token ?? null, actor: session?.actor ?? null, demo: session?.demo ?? false, signOut };
}

/** The first page of each role after signing in. */
export function homeOf(role: Role): string {
  return role === 'public' ? '/public' : `/${role}`;
}
