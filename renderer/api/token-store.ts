// Where the session token lives between requests: memory, mirrored to
// sessionStorage so it survives a reload of this tab but not a new tab.
export interface TokenStore {
  load(): string | null;
  save(token: string | null): void;
}

const KEY = 'sijill.session-token';

export function sessionTokenStore(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>): TokenStore {
  return {
    load() {
      try {
        return storage.getItem(KEY);
      } catch {
        return null;
      }
    },
    save(token) {
      try {
        if (token === null) storage.removeItem(KEY);
        else storage.setItem(KEY, token);
      } catch {
        // Storage refused (private mode, quota): the token still lives in memory.
      }
    },
  };
}

export function memoryTokenStore(initial: string | null = null): TokenStore {
  let token = initial;
  return {
    load: () => token,
    save: (t) => {
      token = t;
    },
  };
}
