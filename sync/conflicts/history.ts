// The change graph of one Automerge document, enough to find what two replicas had
// in common before a merge. Automerge keeps only the merged result; which of our
// edits were concurrent with theirs is a question about history, answered here
// from change hashes and their dependencies.
import * as A from '@automerge/automerge';

export interface ChangeNode {
  deps: string[];
  actor: string;
}

export type ChangeGraph = Map<string, ChangeNode>;

export function changeGraph(doc: A.Doc<unknown>): ChangeGraph {
  const g: ChangeGraph = new Map();
  for (const c of A.getChangesMetaSince(doc, [])) g.set(c.hash, { deps: c.deps, actor: c.actor });
  return g;
}

/** The given changes and everything they depend on. */
export function ancestry(g: ChangeGraph, heads: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const stack = [...heads];
  while (stack.length > 0) {
    const h = stack.pop()!;
    if (seen.has(h)) continue;
    const node = g.get(h);
    if (!node) throw new Error(`change ${h} is not in this document`);
    seen.add(h);
    stack.push(...node.deps);
  }
  return seen;
}

/** The members of `set` that no other member depends on (the heads of that history). */
export function frontier(g: ChangeGraph, set: Set<string>): string[] {
  const cited = new Set<string>();
  for (const h of set) for (const d of g.get(h)?.deps ?? []) cited.add(d);
  return [...set].filter((h) => !cited.has(h)).sort();
}

export interface MergeSides {
  /** Heads of the common history; empty when the sides share nothing. */
  base: string[];
  ours: string[];
  /** Heads of what the merge brought in; empty when it brought nothing new. */
  theirs: string[];
  /** Actors of the changes each side made since the base. */
  oursActors: string[];
  theirsActors: string[];
}

/**
 * Splits a merged document into our side (the heads we had before the merge), their
 * side (what arrived), and the common base. Works for any merge path: sync
 * messages, applied bundle changes, or Automerge.merge.
 */
export function mergeSides(doc: A.Doc<unknown>, oursHeads: string[]): MergeSides {
  const g = changeGraph(doc);
  const ours = ancestry(g, oursHeads);
  const merged = A.getHeads(doc);
  const theirsHeads = merged.filter((h) => !ours.has(h)).sort();
  const theirs = ancestry(g, theirsHeads);
  const base = new Set([...ours].filter((h) => theirs.has(h)));
  const actors = (side: Set<string>) =>
    [...new Set([...side].filter((h) => !base.has(h)).map((h) => g.get(h)!.actor))].sort();
  return {
    base: frontier(g, base),
    ours: [...oursHeads].sort(),
    theirs: theirsHeads,
    oursActors: actors(ours),
    theirsActors: theirsHeads.length > 0 ? actors(theirs) : [],
  };
}
