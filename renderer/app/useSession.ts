// The logged-in user. The token lives in the client (memory + sessionStorage); the
// user and permissions come from auth.login, or from auth.me after a reload and
// after every reconnection (which also tells the host this link belongs to the session).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Output } from '../../main/api';
import type { MessageKey } from '../i18n/translate';
import { useClient } from './ClientContext';

export type SessionInfo = Output<'auth.me'>;
export type LoginResult = Output<'auth.login'>;

export interface SessionState {
  session: SessionInfo | null;
  /** True while a token kept from before a reload is being checked. */
  restoring: boolean;
  /** A message for the login screen (session expired, setup done). */
  loginNotice: MessageKey | null;
  setLoginNotice: (notice: MessageKey | null) => void;
  loggedIn: (result: LoginResult) => void;
  logOut: () => Promise<void>;
}

export function useSession(hostReady: boolean, online: boolean): SessionState {
  const client = useClient();
  const [session, setSession] = useState<SessionInfo | null>(null);
  const [restoring, setRestoring] = useState(() => client.sessionToken !== null);
  const [loginNotice, setLoginNotice] = useState<MessageKey | null>(null);
  const hasSession = useRef(false);
  useEffect(() => {
    hasSession.current = session !== null;
  }, [session]);

  useEffect(
    () =>
      client.onSessionExpired(() => {
        setSession(null);
        setLoginNotice('login.sessionExpired');
      }),
    [client],
  );

  useEffect(() => {
    if (!hostReady || !online) return;
    if (client.sessionToken === null) {
      setRestoring(false);
      return;
    }
    let current = true;
    if (!hasSession.current) setRestoring(true);
    client.call('auth.me', {}).then(
      (me) => {
        if (!current) return;
        setSession(me);
        setRestoring(false);
      },
      () => {
        // UNAUTHENTICATED is reported through onSessionExpired; any other failure
        // leaves an existing session as it is.
        if (current) setRestoring(false);
      },
    );
    return () => {
      current = false;
    };
  }, [client, hostReady, online]);

  const loggedIn = useCallback(
    (result: LoginResult) => {
      client.setToken(result.token);
      setSession({ user: result.user, permissions: result.permissions, expiresAt: result.expiresAt });
      setLoginNotice(null);
    },
    [client],
  );

  const logOut = useCallback(async () => {
    try {
      await client.call('auth.logout', {});
    } catch {
      // Logging out locally is what matters; the host lets the session expire.
    } finally {
      client.setToken(null);
      setSession(null);
      setLoginNotice(null);
    }
  }, [client]);

  return { session, restoring, loginNotice, setLoginNotice, loggedIn, logOut };
}
