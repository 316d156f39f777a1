// The reference model for the multi-replica sync property test
// (replicas.property.test.ts): what each replica should hold, from the history of
// what was done where and which replicas exchanged data since.
//
// Every local action (registering a patient, writing a watched chart field, adding,
// editing or removing a list item, recording or amending an entry) is an EVENT that
// remembers the events its replica knew when it happened (`seen`): that is the
// happened-before relation, so two events are concurrent when neither saw the
// other. A sync between two replicas that converged, and a bundle import, make the
// receiving side(s) know the union of both sides' events: a converged sync leaves
// both devices with every chart at the same heads, and a bundle carries every chart
// whose heads the receiver has not acknowledged (so the receiver holds at least what
// the sender held).
//
// From the events a replica knows, the model derives what its charts must show and
// which conflicts its review queue must hold, per the rules documented in
// sync/conflicts/detect.ts:
//  - registers (demographics): the values written and not superseded by a later write
//    that saw them (the "frontier") are what Automerge keeps; two or more distinct
//    values standing = a concurrent-value conflict in the queue;
//  - list items (allergies, medications): adds are kept on both sides (union), a
//    removal on either side removes (removed on both stays removed); concurrent
//    assignments of an item's text standing = concurrent-list-edit; an item removed
//    on one side while its text was edited on the other (three-way, against the
//    common base) = removed-vs-edited.

export const REGISTER_FIELDS = ['familyName', 'phone'] as const;
export type RegisterField = (typeof REGISTER_FIELDS)[number];
export const LISTS = ['allergies', 'medications'] as const;
export type ListName = (typeof LISTS)[number];

export type EventBody =
  | { kind: 'register'; patientId: string; initial: Record<RegisterField, string | null> }
  | { kind: 'set'; patientId: string; field: RegisterField; value: string; resolution?: boolean }
  | { kind: 'item.add'; patientId: string; list: ListName; itemId: string; text: string }
  | { kind: 'item.edit'; patientId: string; list: ListName; itemId: string; text: string; resolution?: boolean }
  | { kind: 'item.remove'; patientId: string; list: ListName; itemId: string }
  | { kind: 'entry'; patientId: string; entryId: string; amends: string | null; canonical: string; sig: string };

export interface ModelEvent {
  id: number;
  replica: number;
  /** Ids of the events the replica knew when this one happened (happened-before). */
  seen: ReadonlySet<number>;
  body: EventBody;
}

/** A write of a single value (a register, or an item's text) and the value it wrote. */
export interface Write {
  event: ModelEvent;
  value: string | null;
}

export interface ItemState {
  itemId: string;
  add: ModelEvent;
  /** Text writes not superseded (what Automerge keeps as current and concurrent values). */
  frontier: Write[];
}

const distinct = (ws: Write[]) => [...new Set(ws.map((w) => w.value))].sort(cmp);
const cmp = (a: string | null, b: string | null) => String(a).localeCompare(String(b));

export class ReplicaModel {
  readonly events: ModelEvent[] = [];
  readonly know: Set<number>[];

  constructor(readonly replicas: number) {
    this.know = Array.from({ length: replicas }, () => new Set<number>());
  }

  record(replica: number, body: EventBody): ModelEvent {
    const e: ModelEvent = { id: this.events.length, replica, seen: new Set(this.know[replica]), body };
    this.events.push(e);
    this.know[replica]!.add(e.id);
    return e;
  }

  /** `into` now knows everything `from` knew (a bundle from `from` imported at `into`). */
  receive(into: number, from: number): void {
    for (const id of this.know[from]!) this.know[into]!.add(id);
  }

  /** Both know the union (a converged sync). */
  sync(a: number, b: number): void {
    this.receive(a, b);
    this.receive(b, a);
  }

  static before(a: ModelEvent, b: ModelEvent): boolean {
    return b.seen.has(a.id);
  }

  static concurrent(a: ModelEvent, b: ModelEvent): boolean {
    return a.id !== b.id && !ReplicaModel.before(a, b) && !ReplicaModel.before(b, a);
  }

  /** The events of a knowledge set, oldest first. */
  eventsOf(knowledge: ReadonlySet<number>): ModelEvent[] {
    return [...knowledge].sort((x, y) => x - y).map((id) => this.events[id]!);
  }

  patients(knowledge: ReadonlySet<number>): string[] {
    return this.eventsOf(knowledge)
      .filter((e) => e.body.kind === 'register')
      .map((e) => e.body.patientId);
  }

  /** Writes of a register of a patient that no other known write superseded. */
  registerFrontier(knowledge: ReadonlySet<number>, patientId: string, field: RegisterField): Write[] {
    const writes: Write[] = [];
    for (const e of this.eventsOf(knowledge)) {
      const b = e.body;
      if (b.patientId !== patientId) continue;
      if (b.kind === 'register') writes.push({ event: e, value: b.initial[field] });
      else if (b.kind === 'set' && b.field === field) writes.push({ event: e, value: b.value });
    }
    return frontier(writes);
  }

  /** The items of a patient's list present with this knowledge (added and not removed), oldest first. */
  items(knowledge: ReadonlySet<number>, patientId: string, list: ListName): ItemState[] {
    const adds = new Map<string, ModelEvent>();
    const removed = new Set<string>();
    const texts = new Map<string, Write[]>();
    for (const e of this.eventsOf(knowledge)) {
      const b = e.body;
      if (b.patientId !== patientId || !('list' in b) || b.list !== list) continue;
      if (b.kind === 'item.add') {
        adds.set(b.itemId, e);
        texts.set(b.itemId, [{ event: e, value: b.text }]);
      } else if (b.kind === 'item.edit') texts.get(b.itemId)?.push({ event: e, value: b.text });
      else if (b.kind === 'item.remove') removed.add(b.itemId);
    }
    return [...adds]
      .filter(([id]) => !removed.has(id))
      .map(([itemId, add]) => ({ itemId, add, frontier: frontier(texts.get(itemId) ?? []) }));
  }

  /** Entry events known (acknowledged entries that replica must hold). */
  entries(knowledge: ReadonlySet<number>): (ModelEvent & { body: Extract<EventBody, { kind: 'entry' }> })[] {
    return this.eventsOf(knowledge).filter(
      (e): e is ModelEvent & { body: Extract<EventBody, { kind: 'entry' }> } => e.body.kind === 'entry',
    );
  }

  /**
   * The three-way rule for a merge of `theirs` into `ours` (what the replica knew before,
   * what arrived): items present in the common base, removed on one side while their
   * text was certainly edited on the other (every value that side shows differs from
   * every value the base showed), must be queued as removed-vs-edited. Returns their
   * ids per patient and list.
   */
  removedVsEdited(
    ours: ReadonlySet<number>,
    theirs: ReadonlySet<number>,
  ): { patientId: string; list: ListName; itemId: string }[] {
    const base = new Set([...ours].filter((id) => theirs.has(id)));
    const out: { patientId: string; list: ListName; itemId: string }[] = [];
    for (const patientId of this.patients(base))
      for (const list of LISTS) {
        const b = new Map(this.items(base, patientId, list).map((i) => [i.itemId, i]));
        const o = new Map(this.items(ours, patientId, list).map((i) => [i.itemId, i]));
        const t = new Map(this.items(theirs, patientId, list).map((i) => [i.itemId, i]));
        for (const [itemId, bi] of b) {
          const oi = o.get(itemId);
          const ti = t.get(itemId);
          const edited = (x: ItemState) => {
            const baseValues = new Set(bi.frontier.map((w) => w.value));
            return x.frontier.every((w) => !baseValues.has(w.value));
          };
          if ((!oi && ti && edited(ti)) || (oi && !ti && edited(oi))) out.push({ patientId, list, itemId });
        }
      }
    return out;
  }

  static distinctValues = distinct;
}

/** The writes no other write in the set saw (supersession is "a later write saw it"). */
export function frontier(writes: Write[]): Write[] {
  return writes.filter((w) => !writes.some((o) => o !== w && ReplicaModel.before(w.event, o.event)));
}
