// Runs bulk-decode.ts on a worker thread, so that a first sync of thousands of charts
// loads and checks them on the second core while the main thread stores the previous
// batch (and keeps serving the UI). The thread is started (warmUp) when a sync is to
// bring many charts; until it has loaded, when it was not started, and if it cannot
// start or dies, batches are decoded inline — slower, never lost.
import { Worker } from 'node:worker_threads';
import { decodeCharts, type DecodedChart } from './bulk-decode';

type Docs = { documentId: string; bytes: Uint8Array }[];

interface Pending {
  docs: Docs;
  resolve(decoded: DecodedChart[]): void;
}

export class BulkDecoder {
  readonly #log: (message: string) => void;
  #worker: Worker | undefined;
  #ready = false;
  #unavailable = false;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(log: (message: string) => void) {
    this.#log = log;
  }

  /** Whether batches go to the worker thread (for tests and diagnostics). */
  get onWorker(): boolean {
    return this.#ready;
  }

  /**
   * Starts the thread, for a sync that brings many charts (starting it costs about a
   * second of CPU and some memory: a sync of a few charts decodes them inline).
   */
  warmUp(): void {
    this.#start();
  }

  decode(docs: Docs): Promise<DecodedChart[]> {
    const worker = this.#worker;
    if (!this.#ready || !worker) return Promise.resolve(decodeCharts(docs));
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, { docs, resolve });
      worker.postMessage({ id, docs });
    });
  }

  async close(): Promise<void> {
    const w = this.#worker;
    this.#unavailable = true;
    this.#ready = false;
    this.#worker = undefined;
    // Nothing waits for these any more: answered as not decoded, at once.
    for (const [id, p] of [...this.#pending]) {
      this.#pending.delete(id);
      p.resolve(p.docs.map((d) => ({ documentId: d.documentId, ok: false, reason: 'sync stopped' })));
    }
    await w?.terminate();
  }

  #start(): void {
    if (this.#worker || this.#unavailable) return;
    let w: Worker;
    try {
      w = new Worker(new URL('./bulk-decode-worker.mjs', import.meta.url));
    } catch (e) {
      this.#giveUp(`could not start (${e instanceof Error ? e.message : String(e)})`);
      return;
    }
    this.#worker = w;
    w.unref();
    w.on('message', (m: { ready?: true; id?: number; decoded?: DecodedChart[]; error?: string }) => {
      if (m.ready) {
        this.#ready = true;
        return;
      }
      const p = m.id === undefined ? undefined : this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id!);
      p.resolve(m.decoded ?? decodeCharts(p.docs));
    });
    w.on('error', (e) => this.#giveUp(`failed (${e.message})`));
    w.on('exit', (code) => {
      if (this.#worker === w) this.#giveUp(`exited (code ${code})`);
    });
  }

  #giveUp(why: string): void {
    if (!this.#unavailable) this.#log(`sync: the chart decoding thread ${why}; decoding on the main thread`);
    this.#unavailable = true;
    this.#ready = false;
    this.#worker = undefined;
    this.#fallBack();
  }

  /** Batches sent to a worker that is gone are decoded here. */
  #fallBack(): void {
    for (const [id, p] of [...this.#pending]) {
      this.#pending.delete(id);
      p.resolve(decodeCharts(p.docs));
    }
  }
}
