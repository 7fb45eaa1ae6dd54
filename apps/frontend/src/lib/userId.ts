// The user id is chosen on the first visit and kept in the browser: there is
// no authentication in this phase, the id only separates one person's tasks.
export const USER_ID_STORAGE_KEY = "todo.userId";

// The backend accepts the same: 1-128 letters, digits and . _ @ -
const USER_ID_PATTERN = /^[A-Za-z0-9._@-]{1,128}$/;

export function isValidUserId(value: string): boolean {
  return USER_ID_PATTERN.test(value);
}

/**
 * A new random id such as "user-3f9c2a1b". Uses crypto.getRandomValues, which
 * (unlike crypto.randomUUID) also works on plain-HTTP origins like http://todo.local.
 */
export function generateUserId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(4));
  return `user-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

type KeyValueStore = Pick<Storage, "getItem" | "setItem">;

/** The stored id, or a new one that is stored for the next visit. */
export function loadOrCreateUserId(storage: KeyValueStore | null, generate: () => string = generateUserId): string {
  let stored: string | null = null;
  try {
    stored = storage?.getItem(USER_ID_STORAGE_KEY) ?? null;
  } catch {
    stored = null; // storage disabled (private mode, blocked cookies): fall through to a fresh id
  }
  if (stored !== null && isValidUserId(stored)) {
    return stored;
  }
  const id = generate();
  saveUserId(storage, id);
  return id;
}

export function saveUserId(storage: KeyValueStore | null, id: string): void {
  try {
    storage?.setItem(USER_ID_STORAGE_KEY, id);
  } catch {
    // Not persisted; the id still works for this page view.
  }
}
