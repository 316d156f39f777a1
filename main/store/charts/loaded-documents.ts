// Which documents the charts Repo holds in memory, and unloading the idle ones.
//
// automerge-repo keeps every document it ever loaded until the process ends: a
// long-running host that registers, opens or receives thousands of charts would hold
// them all (~70 KB of JS heap each, plus the document's wasm memory; past ~2,000 the
// collector runs full collections several times a second). Every lookup of a document
// goes through here, and once more than `maxLoaded` are loaded the least recently used
// ones that are safe to unload are evicted.
//
// Safe to unload means nothing can be lost or half-seen:
//  - no caller holds it (`use()` leases it for the duration of the work),
//  - it has not been looked up, changed or named in a network message for `idleMs`
//    (so no sync exchange or lookup is under way: those finish within a turn or two
//    of the event loop, far under a second),
//  - its owner says so (`rules.evictable`: for charts, projected at the document's
//    heads and not between a local change's flush and its projection),
//  - no one else asked to keep it (`keepLoadedWhile`: sync keeps the charts it is
//    exchanging),
//  - it was flushed to storage with those same heads just before it is unloaded
//    (removeFromCache does not save).
// A lookup of a document being unloaded waits for the unload and loads it again from
// storage: a handle on its way out is never handed to anyone.
import { setImmediate as nextTurn } from 'node:timers/promises';
import * as A from '@automerge/automerge';
import type { DocHandle, DocumentId, Repo } from '@automerge/automerge-repo';

export interface LoadedLimits {
  /** Documents loaded at once before idle ones are evicted. */
  maxLoaded: number;
  /** How long a document must go untouched before it may be evicted. */
  idleMs: number;
}

/** ~256 x 70 KB of handles: a few tens of MB, whatever the size of the clinic. */
export const DEFAULT_LOADED_LIMITS: LoadedLimits = { maxLoaded: 256, idleMs: 5000 };

/** Documents unloaded per turn of the event loop. */
const SWEEP_BATCH = 64;

export interface EvictionRules {
  /** Whether the owner lets this loaded document go now (read synchronously, at the last moment). */
  evictable(documentId: string, doc: A.Doc<unknown>): boolean;
}

const MIN_IDLE_MS = 500;

const headsOf = (doc: A.Doc<unknown>): string => JSON.stringify(A.getHeads(doc).sort());

export class LoadedDocuments {
  readonly #repo: Repo;
  readonly #rules: EvictionRules;
  readonly #limits: LoadedLimits;
  /** Last use of each document, oldest first (a touch moves it to the end). */
  readonly #lastUsed = new Map<string, number>();
  readonly #leases = new Map<string, number>();
  readonly #evicting = new Map<string, Promise<void>>();
  readonly #keep = new Set<(documentId: string) => boolean>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #sweeping: Promise<number> | undefined;
  #closed = false;
  /** Documents evicted since start (for stats and tests). */
  evicted = 0;

  constructor(repo: Repo, rules: EvictionRules, limits: Partial<LoadedLimits> = {}) {
    this.#repo = repo;
    this.#rules = rules;
    const l = { ...DEFAULT_LOADED_LIMITS, ...limits };
    // Never shorter than automerge-repo's save throttle (100 ms) with a margin: a save it
    // deferred must have run before the handle goes (it would write the old document).
    this.#limits = { ...l, idleMs: Math.max(l.idleMs, MIN_IDLE_MS) };
    // A document a peer is syncing is in use even though nobody here looked it up.
    repo.networkSubsystem.on('message', (m) => {
      if ('documentId' in m && typeof m.documentId === 'string') this.#touch(m.documentId);
    });
  }

  get loaded(): number {
    return Object.keys(this.#repo.handles).length;
  }

  /** The handle of a document, never one being unloaded (a lookup during an eviction waits and reloads). */
  async find<T>(documentId: string, opts?: { signal?: AbortSignal }): Promise<DocHandle<T>> {
    this.#touch(documentId);
    await this.#evicting.get(documentId);
    const handle = await this.#repo.find<T>(documentId as DocumentId, opts);
    this.#touch(documentId);
    this.#scheduleSweep();
    return handle;
  }

  /** Runs `fn` with the document's handle; it stays loaded until `fn` settles. */
  async use<T, R>(
    documentId: string,
    fn: (handle: DocHandle<T>) => R | Promise<R>,
    opts?: { signal?: AbortSignal },
  ): Promise<R> {
    return this.useAll<T, R>([documentId], ([handle]) => fn(handle!), opts);
  }

  /** use() for several documents at once. */
  async useAll<T, R>(
    documentIds: string[],
    fn: (handles: DocHandle<T>[]) => R | Promise<R>,
    opts?: { signal?: AbortSignal },
  ): Promise<R> {
    for (const id of documentIds) this.#leases.set(id, (this.#leases.get(id) ?? 0) + 1);
    try {
      return await fn(await Promise.all(documentIds.map((id) => this.find<T>(id, opts))));
    } finally {
      for (const id of documentIds) {
        const left = (this.#leases.get(id) ?? 1) - 1;
        if (left > 0) this.#leases.set(id, left);
        else this.#leases.delete(id);
        this.#touch(id);
      }
    }
  }

  /** Documents for which `keep` answers true are not evicted; returns a function that withdraws it. */
  keepLoadedWhile(keep: (documentId: string) => boolean): () => void {
    this.#keep.add(keep);
    return () => this.#keep.delete(keep);
  }

  /** A document was created or imported into the Repo directly (it counts as just used). */
  noteLoaded(documentId: string): void {
    this.#touch(documentId);
    this.#scheduleSweep();
  }

  /**
   * Evicts idle documents, least recently used first, until at most maxLoaded are
   * loaded or none left may go. Returns how many were evicted. One sweep at a time.
   */
  sweep(): Promise<number> {
    this.#sweeping ??= this.#sweepNow().finally(() => {
      this.#sweeping = undefined;
      // Some could not go yet (in use, not idle long enough): look again later.
      if (this.loaded > this.#limits.maxLoaded) this.#scheduleSweep(Math.max(this.#limits.idleMs, 100));
    });
    return this.#sweeping;
  }

  async #sweepNow(): Promise<number> {
    // In batches, yielding between them: unloading costs automerge-repo about a
    // millisecond per document (heads encoding, a diff against an empty document), and
    // thousands at once (after seeding, an export, a search that opened every chart)
    // would hold the event loop for seconds.
    let evicted = 0;
    for (;;) {
      const n = await this.#sweepBatch();
      evicted += n;
      if (n < SWEEP_BATCH || this.#closed) return evicted;
      await nextTurn();
    }
  }

  async #sweepBatch(): Promise<number> {
    const handles = this.#repo.handles;
    const excess = Math.min(Object.keys(handles).length - this.#limits.maxLoaded, SWEEP_BATCH);
    if (excess <= 0 || this.#closed) return 0;
    const now = Date.now();
    this.#forgetLongUnused(now);
    const chosen: { id: string; handle: DocHandle<unknown>; heads: string }[] = [];
    for (const id of this.#leastRecentlyUsed()) {
      if (chosen.length >= excess) break;
      const handle = handles[id as DocumentId];
      if (!handle || now - (this.#lastUsed.get(id) ?? 0) < this.#limits.idleMs) continue;
      const doc = this.#mayEvict(id, handle);
      if (doc) chosen.push({ id, handle, heads: headsOf(doc) });
    }
    if (chosen.length === 0) return 0;
    // removeFromCache does not save: anything a throttled save still holds goes to storage first.
    await this.#repo.flush(chosen.map((c) => c.id as DocumentId));
    const gone: Promise<void>[] = [];
    for (const { id, handle, heads } of chosen) {
      // Re-checked after the flush's await, with no await between this check and the
      // unload below being registered: whatever touched the document meanwhile keeps it.
      const doc = this.#repo.handles[id as DocumentId] === handle ? this.#mayEvict(id, handle) : undefined;
      if (!doc || headsOf(doc) !== heads || now < (this.#lastUsed.get(id) ?? 0)) continue;
      gone.push(this.#evict(id, handle));
    }
    await Promise.all(gone);
    return gone.length;
  }

  #evict(id: string, handle: DocHandle<unknown>): Promise<void> {
    // Unloading swaps the handle's document for an empty one and announces that as a
    // change of heads, which automerge-repo 2.5 answers by SAVING the empty document
    // (and may compact: delete every stored chunk of the chart). The handle is being
    // discarded, so nothing may listen to it any more: not the Repo's save, not sync.
    handle.removeAllListeners();
    const unloading = this.#repo
      .removeFromCache(id as DocumentId)
      .then(() => {
        // The old document is not freed here (A.free): a save automerge-repo throttled
        // may still hold it; the collector releases its wasm memory once it is unused.
        this.evicted++;
      })
      .finally(() => {
        this.#evicting.delete(id);
        this.#lastUsed.delete(id);
      });
    this.#evicting.set(id, unloading);
    return unloading;
  }

  /** The document, when nothing holds it loaded; undefined otherwise. */
  #mayEvict(id: string, handle: DocHandle<unknown>): A.Doc<unknown> | undefined {
    if (!handle.isReady() || this.#leases.has(id) || this.#evicting.has(id)) return undefined;
    for (const keep of this.#keep) if (keep(id)) return undefined;
    const doc = handle.doc() as A.Doc<unknown>;
    return this.#rules.evictable(id, doc) ? doc : undefined;
  }

  /** Loaded documents, those never looked up through here first, then by last use. */
  *#leastRecentlyUsed(): Generator<string> {
    const seen = new Set(this.#lastUsed.keys());
    for (const id of Object.keys(this.#repo.handles)) if (!seen.has(id)) yield id;
    for (const id of seen) yield id;
  }

  /**
   * Drops the last use of documents no longer loaded, long after (a network message
   * names a document before the Repo loads it, so a recent use must stay).
   */
  #forgetLongUnused(now: number): void {
    const handles = this.#repo.handles;
    for (const [id, at] of this.#lastUsed) {
      if (now - at < 10 * this.#limits.idleMs) break;
      if (!handles[id as DocumentId] && !this.#leases.has(id)) this.#lastUsed.delete(id);
    }
  }

  #touch(documentId: string): void {
    this.#lastUsed.delete(documentId);
    this.#lastUsed.set(documentId, Date.now());
  }

  #scheduleSweep(delay = 1000): void {
    if (this.#timer || this.#closed || this.loaded <= this.#limits.maxLoaded) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.sweep();
    }, delay);
    this.#timer.unref?.();
  }

  /** Stops evicting (the host is closing); waits for unloads under way. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#sweeping?.catch(() => undefined);
    await Promise.all(this.#evicting.values());
  }
}
