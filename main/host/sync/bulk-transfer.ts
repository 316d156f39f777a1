// Bulk transfer of whole documents a peer does not hold, on the side lane of the
// authenticated connection (sync/network/side-channel.ts).
//
// Why: automerge-repo syncs one document at a time, with several round trips and a
// Repo handle each. For a first sync of a clinic (tens of thousands of charts) that
// is most of the time, and every handle stays in memory. A chart the receiver does
// not hold at all needs no negotiation: the holder's stored bytes are the answer.
// So the receiver, reading the catalog, asks a connected device that lists the
// chart for it, in batches ("pull"); the holder answers with the stored bytes of the
// charts its share policy lets that device hold ("docs"), straight from SQLite; the
// receiver loads each (which checks its integrity), stores it and takes it in
// (projection, entries, conflicts, audit) in one transaction per batch. Charts both
// sides hold travel by automerge-repo's sync protocol as before; so does everything
// with a hub (the official sync server does not speak this lane).
//
// Both sides say "hello" when the connection is authenticated; a device that never
// does (a hub) is never asked.
import { cbor } from '@automerge/automerge-repo';

/** Charts asked for in one request. */
export const PULL_BATCH = 128;
/**
 * Requests to one device not yet taken in: asked, or answered and being decoded and
 * stored. Three keep the holder answering one while the receiver takes in another.
 */
export const PULLS_IN_FLIGHT = 3;
/** A request unanswered for this long is given up (its charts go by automerge-repo). */
export const PULL_TIMEOUT_MS = 120_000;

export type SideFrame =
  | { kind: 'hello'; version: 1 }
  | { kind: 'pull'; id: number; docs: string[] }
  | { kind: 'docs'; id: number; docs: { documentId: string; bytes: Uint8Array }[]; missing: string[] };

const DOC_ID = /^[1-9A-HJ-NP-Za-km-z]{20,60}$/;

export function encodeSideFrame(f: SideFrame): Uint8Array {
  return new Uint8Array(cbor.encode(f));
}

/** Decodes and checks a frame from a peer; undefined if it is not a well-formed frame. */
export function decodeSideFrame(data: Uint8Array): SideFrame | undefined {
  let m: unknown;
  try {
    m = cbor.decode(data);
  } catch {
    return undefined;
  }
  if (typeof m !== 'object' || m === null) return undefined;
  const r = m as Record<string, unknown>;
  const ids = (x: unknown, max: number): x is string[] =>
    Array.isArray(x) && x.length <= max && x.every((d) => typeof d === 'string' && DOC_ID.test(d));
  switch (r.kind) {
    case 'hello':
      return r.version === 1 ? { kind: 'hello', version: 1 } : undefined;
    case 'pull':
      if (!Number.isSafeInteger(r.id) || !ids(r.docs, PULL_BATCH)) return undefined;
      return { kind: 'pull', id: r.id as number, docs: r.docs };
    case 'docs': {
      if (!Number.isSafeInteger(r.id) || !ids(r.missing, PULL_BATCH) || !Array.isArray(r.docs)) return undefined;
      if (r.docs.length > PULL_BATCH) return undefined;
      const docs: { documentId: string; bytes: Uint8Array }[] = [];
      for (const d of r.docs as unknown[]) {
        if (typeof d !== 'object' || d === null) return undefined;
        const { documentId, bytes } = d as Record<string, unknown>;
        if (typeof documentId !== 'string' || !DOC_ID.test(documentId) || !(bytes instanceof Uint8Array))
          return undefined;
        docs.push({ documentId, bytes });
      }
      return { kind: 'docs', id: r.id as number, docs, missing: r.missing };
    }
    default:
      return undefined;
  }
}

/** The holder's answer to a pull: what the policy lets that device hold, read from storage. */
export function answerPull(
  request: { id: number; docs: string[] },
  may: { share(documentId: string): boolean; bytes(documentId: string): Uint8Array | undefined },
): SideFrame {
  const docs: { documentId: string; bytes: Uint8Array }[] = [];
  const missing: string[] = [];
  for (const documentId of new Set(request.docs)) {
    // Not held and not allowed get the same answer: a refusal says nothing about
    // whether this device holds the chart.
    const bytes = may.share(documentId) ? may.bytes(documentId) : undefined;
    if (bytes) docs.push({ documentId, bytes });
    else missing.push(documentId);
  }
  return { kind: 'docs', id: request.id, docs, missing };
}

export interface PullerHooks {
  send(deviceId: string, frame: SideFrame): boolean;
  /**
   * Stores and takes in a batch of charts received from `deviceId` (only ones that were
   * asked of it); returns those it did not take in (refused, or arrived another way).
   */
  apply(deviceId: string, docs: { documentId: string; bytes: Uint8Array }[]): string[] | Promise<string[]>;
  /**
   * Charts no longer waited for: received, not taken in or given up (`failed`: they then
   * go by automerge-repo), or not given by the holder (`refused`: it does not hold them
   * or its share policy keeps them from this device — the same answer).
   */
  settled(documentIds: string[], failed: string[], refused?: { deviceId: string; documentIds: string[] }): void;
  progress(done: number, total: number): void;
  log(message: string): void;
}

interface Pending {
  deviceId: string;
  docs: Set<string>;
  timer: ReturnType<typeof setTimeout>;
  /** The answer came and is being taken in (the request still holds its slot). */
  answered?: boolean;
}

/** The receiving side: queues charts per holding device and keeps a few requests in flight. */
export class BulkPuller {
  readonly #h: PullerHooks;
  readonly #queues = new Map<string, string[]>();
  readonly #inFlight = new Map<number, Pending>();
  readonly #queued = new Set<string>();
  #nextId = 1;
  #done = 0;
  #total = 0;

  constructor(hooks: PullerHooks) {
    this.#h = hooks;
  }

  /** Whether a chart is queued or asked for. */
  has(documentId: string): boolean {
    return this.#queued.has(documentId);
  }

  get idle(): boolean {
    return this.#queued.size === 0;
  }

  enqueue(deviceId: string, documentIds: string[]): void {
    const q = this.#queues.get(deviceId) ?? [];
    for (const id of documentIds) {
      if (this.#queued.has(id)) continue;
      this.#queued.add(id);
      q.push(id);
      this.#total++;
    }
    this.#queues.set(deviceId, q);
    this.#pump(deviceId);
    this.#h.progress(this.#done, this.#total);
  }

  #pump(deviceId: string): void {
    const q = this.#queues.get(deviceId);
    while (q && q.length > 0 && this.#inFlightTo(deviceId) < PULLS_IN_FLIGHT) {
      const batch = q.splice(0, PULL_BATCH);
      const id = this.#nextId++;
      if (!this.#h.send(deviceId, { kind: 'pull', id, docs: batch })) {
        this.#finish(batch, batch);
        continue;
      }
      const timer = setTimeout(() => {
        const p = this.#inFlight.get(id);
        if (!p) return;
        this.#inFlight.delete(id);
        this.#h.log(`sync: ${deviceId} did not answer a request for ${p.docs.size} chart(s) in time`);
        this.#finish([...p.docs], [...p.docs]);
        this.#pump(deviceId);
      }, PULL_TIMEOUT_MS);
      timer.unref?.();
      this.#inFlight.set(id, { deviceId, docs: new Set(batch), timer });
    }
    if (q && q.length === 0) this.#queues.delete(deviceId);
  }

  #inFlightTo(deviceId: string): number {
    let n = 0;
    for (const p of this.#inFlight.values()) if (p.deviceId === deviceId) n++;
    return n;
  }

  /**
   * An answer from `deviceId`; anything it was not asked, or was asked of another device,
   * is ignored. Returns when the answer is taken in (apply may take its time).
   */
  receive(deviceId: string, frame: Extract<SideFrame, { kind: 'docs' }>): Promise<void> {
    const p = this.#inFlight.get(frame.id);
    if (!p || p.deviceId !== deviceId || p.answered) {
      this.#h.log(`sync: ignored an unrequested answer from ${deviceId}`);
      return Promise.resolve();
    }
    p.answered = true;
    clearTimeout(p.timer);
    const asked = p.docs;
    const docs = frame.docs.filter((d) => asked.delete(d.documentId));
    const given = docs.map((d) => d.documentId);
    const done = (failed: string[]) => {
      // The puller stopped meanwhile: nothing waits for these charts any more.
      if (this.#inFlight.get(frame.id) !== p) return;
      this.#inFlight.delete(frame.id);
      // Not delivered: what the holder refused (or does not hold) is not asked of it again
      // by automerge-repo; what it did not mention at all goes that way.
      const refused = frame.missing.filter((id) => asked.delete(id));
      const rest = [...asked];
      this.#finish([...given, ...refused, ...rest], [...failed, ...rest], { deviceId, documentIds: refused });
      this.#pump(deviceId);
    };
    const fail = (e: unknown) => {
      this.#h.log(`sync: could not take in charts from ${deviceId}: ${e instanceof Error ? e.message : String(e)}`);
      done(given);
    };
    try {
      return Promise.resolve(this.#h.apply(deviceId, docs)).then(done, fail);
    } catch (e) {
      fail(e);
      return Promise.resolve();
    }
  }

  /** The device left: what was queued for it or asked of it is no longer waited for. */
  peerLeft(deviceId: string): void {
    const ids = this.#queues.get(deviceId) ?? [];
    this.#queues.delete(deviceId);
    for (const [id, p] of [...this.#inFlight]) {
      // An answer being taken in is finished by receive(), whatever the device does now.
      if (p.deviceId !== deviceId || p.answered) continue;
      clearTimeout(p.timer);
      this.#inFlight.delete(id);
      ids.push(...p.docs);
    }
    // Not marked failed: the next connection may pull them again.
    if (ids.length > 0) this.#finish(ids, []);
  }

  stop(): void {
    for (const p of this.#inFlight.values()) clearTimeout(p.timer);
    this.#inFlight.clear();
    this.#queues.clear();
    this.#queued.clear();
  }

  #finish(ids: string[], failed: string[], refused?: { deviceId: string; documentIds: string[] }): void {
    for (const id of ids) this.#queued.delete(id);
    this.#done += ids.length;
    if (this.#queued.size === 0) this.#done = this.#total = 0;
    this.#h.settled(ids, failed, refused);
    this.#h.progress(this.#done, this.#total);
  }
}
