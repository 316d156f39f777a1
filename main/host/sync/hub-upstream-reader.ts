// Reading a document from the hub's sync server, to learn a few facts about it, without
// keeping it. The hub holds no charts: a small ephemeral Repo joins the sync server
// as one more client, asks for the document, hands it to the caller's `extract`
// (which keeps only what it needs) and drops it from memory again.
//
// The Repo asks for and takes only the documents it is reading (share config): the sync
// server pushes later changes of a document to every client that once asked for it,
// and those are refused ("unavailable"), not loaded. A Repo that failed a read (a
// handle left "unavailable" or still requesting cannot be dropped from its cache), or
// that has been idle a while, is shut down; the next read opens a new one. That also
// keeps no reader connected to the sync server between bursts (automerge-repo 1.2's
// server remembers what a connected client was told about a document, see hub.ts).
import * as A from '@automerge/automerge';
import { Repo, type DocHandle, type DocumentId, type PeerId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';

export interface UpstreamReaderOptions {
  /** The sync server, e.g. ws://127.0.0.1:3030. */
  url: string;
  /** Prefix of the reader's peer ids on the sync server (one per session). */
  peerIdPrefix: string;
  /** Longest a read may take, connection included (default 8 s). */
  timeoutMs?: number;
  /** A session with no read for this long is closed (default 5 s). */
  idleMs?: number;
  /** Reads in flight at once (default 8). */
  concurrency?: number;
}

interface Session {
  repo: Repo;
  joined: Promise<boolean>;
  /** Documents being read: the only ones this Repo takes from the server. */
  reading: Map<string, number>;
  active: number;
  retired: boolean;
  idle?: ReturnType<typeof setTimeout>;
}

export class UpstreamDocReader {
  readonly #o: Required<UpstreamReaderOptions>;
  #session: Session | undefined;
  #sessions = 0;
  #running = 0;
  readonly #queue: (() => void)[] = [];
  /** One read per document at a time (a handle is dropped before it is asked for again). */
  readonly #byDoc = new Map<string, Promise<unknown>>();
  #closed = false;

  constructor(options: UpstreamReaderOptions) {
    this.#o = { timeoutMs: 8000, idleMs: 5000, concurrency: 8, ...options };
  }

  /** How many sessions (connections to the sync server) were ever opened. */
  get sessionsOpened(): number {
    return this.#sessions;
  }

  /**
   * Reads a document and returns `extract(doc)`, or undefined when it could not be read
   * (not reachable, timed out, and not on the server unless `absent` is given: that is
   * returned when the server answers that it does not have the document). With
   * `heads`, waits until the copy read holds them (the caller saw the server send
   * them), so the facts are not older.
   */
  read<R, A = undefined>(
    documentId: string,
    extract: (doc: A.Doc<unknown>) => R,
    heads?: readonly string[],
    absent?: A,
  ): Promise<R | A | undefined> {
    const before = this.#byDoc.get(documentId) ?? Promise.resolve();
    const mine = before.then(() => this.#slot(() => this.#read(documentId, extract, heads, absent)));
    const tail = mine.catch(() => undefined);
    this.#byDoc.set(documentId, tail);
    void tail.then(() => {
      if (this.#byDoc.get(documentId) === tail) this.#byDoc.delete(documentId);
    });
    return mine.catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const s = this.#session;
    this.#session = undefined;
    if (s) await this.#retire(s);
  }

  async #slot<R>(run: () => Promise<R>): Promise<R> {
    if (this.#running >= this.#o.concurrency) await new Promise<void>((r) => this.#queue.push(r));
    this.#running++;
    try {
      return await run();
    } finally {
      this.#running--;
      this.#queue.shift()?.();
    }
  }

  async #read<R, A>(
    documentId: string,
    extract: (doc: A.Doc<unknown>) => R,
    heads: readonly string[] | undefined,
    absent: A | undefined,
  ): Promise<R | A | undefined> {
    if (this.#closed) return undefined;
    const s = this.#open();
    s.active++;
    s.reading.set(documentId, (s.reading.get(documentId) ?? 0) + 1);
    if (s.idle) clearTimeout(s.idle);
    const signal = AbortSignal.timeout(this.#o.timeoutMs);
    let ok = false;
    try {
      if (!(await s.joined)) return undefined;
      const handle = await s.repo.find<unknown>(documentId as DocumentId, {
        signal,
        allowableStates: ['ready', 'unavailable'],
      });
      // "Unavailable" is the server's answer only while it is connected (automerge-repo
      // also gives up on a document when its last peer leaves). The handle stays in the
      // Repo's cache as it is: the session is retired below (ok is false).
      if (handle.state === 'unavailable') return s.repo.peers.length > 0 ? absent : undefined;
      const doc = heads && heads.length > 0 ? await this.#atLeast(handle, heads, signal) : handle.doc();
      if (!doc) return undefined;
      const result = extract(doc);
      // Only the facts are kept: the document leaves memory now.
      await s.repo.removeFromCache(documentId as DocumentId);
      ok = true;
      return result;
    } catch {
      return undefined;
    } finally {
      const n = (s.reading.get(documentId) ?? 1) - 1;
      if (n > 0) s.reading.set(documentId, n);
      else s.reading.delete(documentId);
      s.active--;
      // A handle that failed may be stuck in the Repo's cache: start afresh next time.
      if (!ok && this.#session === s) this.#session = undefined;
      if (!ok) s.retired = true;
      if (s.active === 0) {
        if (s.retired) void this.#retire(s);
        else s.idle = setTimeout(() => this.#idleOut(s), this.#o.idleMs);
        s.idle?.unref?.();
      }
    }
  }

  /** The document once it holds `heads` (changes still on their way arrive as the server sends them). */
  #atLeast(
    handle: DocHandle<unknown>,
    heads: readonly string[],
    signal: AbortSignal,
  ): Promise<A.Doc<unknown> | undefined> {
    const has = () => {
      const doc = handle.doc() as A.Doc<unknown> | undefined;
      return doc && A.hasHeads(doc, [...heads]) ? doc : undefined;
    };
    const now = has();
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      const done = (doc: A.Doc<unknown> | undefined) => {
        handle.off('change', onChange);
        signal.removeEventListener('abort', onAbort);
        resolve(doc);
      };
      const onChange = () => {
        const doc = has();
        if (doc) done(doc);
      };
      const onAbort = () => done(undefined);
      handle.on('change', onChange);
      signal.addEventListener('abort', onAbort);
    });
  }

  #open(): Session {
    if (this.#session && !this.#session.retired) return this.#session;
    const adapter = new WebSocketClientAdapter(this.#o.url);
    // find() with no peer yet answers "unavailable" at once: wait for the server first.
    const joined = new Promise<boolean>((resolve) => {
      adapter.once('peer-candidate', () => resolve(true));
      setTimeout(() => resolve(false), this.#o.timeoutMs).unref();
    });
    const reading = new Map<string, number>();
    const repo = new Repo({
      network: [adapter],
      peerId: `${this.#o.peerIdPrefix}-${Date.now()}-${++this.#sessions}` as PeerId,
      isEphemeral: true,
      // automerge-repo 2.5 asks only peers it would "announce" a document to: announcing
      // the documents being read is what makes find() ask the server for them.
      shareConfig: {
        announce: async (_peer, documentId) => documentId !== undefined && reading.has(documentId),
        access: async (_peer, documentId) => reading.has(documentId),
      },
    });
    const s: Session = { repo, joined, reading, active: 0, retired: false };
    this.#session = s;
    return s;
  }

  #idleOut(s: Session): void {
    if (s.active > 0 || s.retired) return;
    if (this.#session === s) this.#session = undefined;
    void this.#retire(s);
  }

  async #retire(s: Session): Promise<void> {
    s.retired = true;
    if (s.idle) clearTimeout(s.idle);
    try {
      await s.repo.shutdown();
    } catch {
      // The stock client adapter asserts when it never connected; nothing is left to stop.
    }
  }
}
