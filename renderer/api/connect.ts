// Picks the transport for where the renderer runs: the Electron bridge when the
// preload exposed one, otherwise a WebSocket to the host that served the page.
import { BridgeConnection } from './bridge-connection';
import type { HostConnection } from './connection';
import { apiSocketUrl, WebSocketConnection } from './websocket-connection';

export function connectToHost(win: Window = window): HostConnection {
  if (win.sijillBridge) return new BridgeConnection(win.sijillBridge);
  const connection = new WebSocketConnection(apiSocketUrl(win.location));
  win.addEventListener('online', () => connection.reconnectNow());
  connection.start();
  return connection;
}
