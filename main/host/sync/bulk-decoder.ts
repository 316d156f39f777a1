// Runs bulk-decode.ts on worker threads, so that a first sync of thousands of charts
// loads and checks them beside the main thread, which stores the previous batches
// (and keeps serving the UI). The threads are started (warmUp) when a sync is to bring
// many charts, and are sent batches from then on, each to the thread with the fewest
// waiting; when none was started, and once every thread failed to start (in 20 s) or
// died, batches are decoded inline — slower, never lost.
import { Worker } from 'node:worker_threads';
import { decodeCharts, type DecodedChart } from './bulk-decode';

type Docs = { documentId: string; bytes: Uint8Array }[];

/** A thread not ready by then is given up: its batches are decoded inline. */
const STARTUP_LIMIT_MS = 20_000;

/**
 * Decoding threads. Decoding (loading the document, five Ed25519 checks) costs about
 * 2 ms a chart, three times what the main thread then spends storing it: with one
 * thread, a first sync waited on it.
 */
export const DECODE_THREADS = 2;

interface Pending {
  docs: Docs;
  resolve(decoded: DecodedChart[]): void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  pending: Map<number, Pending>;
}

export class BulkDecoder {
  readonly #log: (message: string) => void;
  readonly #threads: number;
  readonly #live: Thread[] = [];
  #started = false;
  #closed = false;
  #nextId = 1;

  constructor(log: (message: string) => void, threads = DECODE_THREADS) {
    this.#log = log;
    this.#threads = threads;
  }

  /** Whether a worker thread is ready for batches (for tests and diagnostics). */
  get onWorker(): boolean {
    return this.#live.some((t) => t.ready);
  }

  /**
   * Starts the threads, for a sync that brings many charts (starting one costs a few
   * tenths of a second of CPU and some memory: a sync of a few charts decodes them
   * inline). Once: threads that die are not restarted.
   */
  warmUp(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    for (let i = 0; i < this.#threads; i++) this.#start();
  }

  decode(docs: Docs): Promise<DecodedChart[]> {
    // A thread still starting gets batches too (its messages wait for it): decoding
    // inline meanwhile took the CPU the thread needed to start (1.5 s under load
    // instead of 0.2). If it fails or does not start in time, its batches are decoded
    // here (#giveUp).
    const thread = this.#live.reduce<Thread | undefined>(
      (best, t) => (!best || t.pending.size < best.pending.size ? t : best),
      undefined,
    );
    if (!thread) return Promise.resolve(decodeCharts(docs));
    const id = this.#nextId++;
    return new Promise((resolve) => {
      thread.pending.set(id, { docs, resolve });
      thread.worker.postMessage({ id, docs });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const threads = this.#live.splice(0);
    // Nothing waits for these any more: answered as not decoded, at once.
    for (const t of threads)
      for (const [id, p] of [...t.pending]) {
        t.pending.delete(id);
        p.resolve(p.docs.map((d) => ({ documentId: d.documentId, ok: false, reason: 'sync stopped' })));
      }
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  #start(): void {
    let w: Worker;
    try {
      w = new Worker(new URL('./bulk-decode-worker.mjs', import.meta.url));
    } catch (e) {
      this.#log(`sync: a chart decoding thread could not start (${e instanceof Error ? e.message : String(e)})`);
      return;
    }
    const thread: Thread = { worker: w, ready: false, pending: new Map() };
    this.#live.push(thread);
    w.unref();
    const startLimit = setTimeout(() => {
      if (thread.ready) return;
      this.#giveUp(thread, `did not start within ${STARTUP_LIMIT_MS / 1000} s`);
      void w.terminate();
    }, STARTUP_LIMIT_MS);
    startLimit.unref();
    w.on('message', (m: { ready?: true; id?: number; decoded?: DecodedChart[]; error?: string }) => {
      if (m.ready) {
        thread.ready = true;
        clearTimeout(startLimit);
        return;
      }
      const p = m.id === undefined ? undefined : thread.pending.get(m.id);
      if (!p) return;
      thread.pending.delete(m.id!);
      p.resolve(m.decoded ?? decodeCharts(p.docs));
    });
    w.on('error', (e) => this.#giveUp(thread, `failed (${e.message})`));
    w.on('exit', (code) => this.#giveUp(thread, `exited (code ${code})`));
  }

  /** A thread is gone: batches it held are decoded here, the next go to the others. */
  #giveUp(thread: Thread, why: string): void {
    const i = this.#live.indexOf(thread);
    if (i < 0) return;
    this.#live.splice(i, 1);
    const rest = this.#live.length > 0 ? 'the others decode' : 'decoding on the main thread';
    this.#log(`sync: a chart decoding thread ${why}; ${rest}`);
    for (const [id, p] of [...thread.pending]) {
      thread.pending.delete(id);
      p.resolve(decodeCharts(p.docs));
    }
  }
}
