// The CPU-heavy half of taking in charts received whole (bulk-transfer.ts): load each
// document (which checks its integrity), read the chart, its conflicts and its signed
// entries, and check every entry's hash and signature. Pure — no database — so it
// runs on a worker thread (bulk-decode-worker.ts) while the host's main thread stores
// the previous batch and keeps answering the UI; BulkDecoder falls back to running it
// inline when no worker is available.
import * as A from '@automerge/automerge';
import type { PatientChart } from '../../api';
import { CHART_WATCH, detectConflicts, type ConflictRecord } from '../../../sync/conflicts/detect';
import { isChartDoc, readChart } from '../../store/charts/chart-doc';
import {
  checkWireEntry,
  plainWireEntry,
  signedEntriesOf,
  type EntryVerdict,
  type SignedEntriesDoc,
  type WireEntry,
} from '../../store/sync/wire-entries';

export type DecodedChart =
  | {
      documentId: string;
      ok: true;
      heads: string[];
      chart: PatientChart;
      /** The document's own createdAt (the patient's, when new to this device). */
      createdAt: string;
      conflicts: ConflictRecord[];
      entries: Record<string, WireEntry>;
      /** checkWireEntry's verdict per entry id (the database checks still follow). */
      verdicts: [string, EntryVerdict][];
    }
  | { documentId: string; ok: false; reason: string };

export function decodeChart(documentId: string, bytes: Uint8Array): DecodedChart {
  let doc: A.Doc<unknown>;
  try {
    doc = A.load(bytes);
  } catch (e) {
    return { documentId, ok: false, reason: `it does not load (${e instanceof Error ? e.message : String(e)})` };
  }
  try {
    return readDecoded(documentId, doc);
  } finally {
    // Everything returned is plain data. Freed now, not when the garbage collector gets
    // to it: a first sync loads thousands of documents, and automerge's memory (wasm)
    // grows and fragments with every one left for later.
    A.free(doc);
  }
}

function readDecoded(documentId: string, doc: A.Doc<unknown>): DecodedChart {
  if (!isChartDoc(doc)) return { documentId, ok: false, reason: 'not a patient chart' };
  let chart: PatientChart;
  try {
    chart = readChart(doc, '');
  } catch (e) {
    return { documentId, ok: false, reason: `not a readable chart (${e instanceof Error ? e.message : String(e)})` };
  }
  const entries: Record<string, WireEntry> = {};
  const verdicts: [string, EntryVerdict][] = [];
  for (const [id, raw] of Object.entries(signedEntriesOf(doc as SignedEntriesDoc))) {
    const w = plainWireEntry(raw);
    entries[id] = w;
    verdicts.push([id, checkWireEntry(id, w, chart.id)]);
  }
  return {
    documentId,
    ok: true,
    heads: A.getHeads(doc),
    chart,
    createdAt: String(doc.createdAt),
    // A document new to this device: only contests standing in it can be reported.
    conflicts: detectConflicts(documentId, doc, [], CHART_WATCH, { freshlyLoaded: true }),
    entries,
    verdicts,
  };
}

export function decodeCharts(docs: { documentId: string; bytes: Uint8Array }[]): DecodedChart[] {
  return docs.map((d) => decodeChart(d.documentId, d.bytes));
}
