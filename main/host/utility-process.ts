// The host inside Electron's utility process. Electron gives us a parentPort; each
// window connects with its own MessagePort and speaks the same JSON protocol as
// the WebSocket transport. (No electron import here: parentPort is a global of the
// utility process, typed minimally below.)
import { isInitialized } from '../store/data-dir';
import { dispatch, type Caller } from './dispatcher';
import { mayReceive } from '../access/permissions';
import { Host } from './host';
import { prepareDemo } from './demo/prepare';

interface PortLike {
  on(event: 'message', cb: (e: { data: unknown }) => void): void;
  postMessage(data: unknown): void;
  start(): void;
}
interface ParentPort {
  on(event: 'message', cb: (e: { data: unknown; ports: PortLike[] }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) throw new Error('utility-process.ts must run as an Electron utility process');

const i = process.argv.indexOf('--data-dir');
const dataDir = i >= 0 ? process.argv[i + 1] : undefined;
if (!dataDir) throw new Error('--data-dir is required');
const host = new Host(dataDir);
if (process.argv.includes('--demo')) await prepareDemo(host, (line) => console.log(line));
// (The demo's local EVM stops with this process.)
else if (isInitialized(dataDir) && process.env.SIJILL_PASSPHRASE) await host.unlock(process.env.SIJILL_PASSPHRASE);

parentPort.on('message', (e) => {
  const port = e.ports[0];
  if (!port) return;
  const caller: Caller = { userId: null, role: null };
  host.onEvent((event, data) => {
    if (mayReceive(caller.role, event)) port.postMessage(JSON.stringify({ type: 'event', event, data }));
  });
  port.on('message', async (m) => {
    let parsed: unknown;
    try {
      parsed = typeof m.data === 'string' ? JSON.parse(m.data) : null;
    } catch {
      parsed = null; // the dispatcher answers BAD_REQUEST
    }
    port.postMessage(JSON.stringify(await dispatch(host, parsed, caller)));
  });
  port.start();
});
