// Electron: the preload exposes `window.sijillBridge` (contextBridge), which relays
// messages to the host over a MessagePort. The link lives as long as the window.
import type { HostConnection } from './connection';

export interface SijillBridge {
  send(json: string): void;
  onMessage(cb: (json: string) => void): void;
}

declare global {
  interface Window {
    sijillBridge?: SijillBridge;
  }
}

export class BridgeConnection implements HostConnection {
  constructor(private readonly bridge: SijillBridge) {}

  send(json: string): void {
    this.bridge.send(json);
  }

  onMessage(cb: (json: string) => void): void {
    this.bridge.onMessage(cb);
  }

  onStatus(cb: (online: boolean) => void): void {
    cb(true);
  }
}
