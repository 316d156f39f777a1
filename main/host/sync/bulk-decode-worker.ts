// The worker thread of BulkDecoder (bulk-decoder.ts): decodes batches of received
// charts (bulk-decode.ts) off the host's main thread. Started through
// bulk-decode-worker.mjs, which registers the TypeScript loader first.
import { parentPort } from 'node:worker_threads';
import { decodeCharts } from './bulk-decode';

const port = parentPort;
if (!port) throw new Error('bulk-decode-worker runs only as a worker thread');
port.on('message', (m: { id: number; docs: { documentId: string; bytes: Uint8Array }[] }) => {
  try {
    port.postMessage({ id: m.id, decoded: decodeCharts(m.docs) });
  } catch (e) {
    port.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
port.postMessage({ ready: true });
