// A receipt as the chart offers it: the file to save and the printable summary.
// The contract types the receipt as a plain JSON object, so it is read defensively
// here: a field that is missing or malformed shows as unknown, never as a crash.
import { ApiError } from '../../main/api';
import type { Text } from './status-model';

export interface ReceiptAnchor {
  chainId: number | null;
  contract: string | null;
  blockNumber: number | null;
  blockHash: string | null;
  txHash: string | null;
  /** Size of the anchored checkpoint (it covers this receipt's checkpoint). */
  treeSize: number | null;
}

export interface ReceiptSummary {
  recordKind: string | null;
  recordId: string | null;
  originDeviceId: string | null;
  leafIndex: number | null;
  /** Size of the signed checkpoint the inclusion proof leads to. */
  treeSize: number | null;
  /** Whether the receipt carries the record itself (so its signature can be checked). */
  carriesRecord: boolean;
  anchor: ReceiptAnchor | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);

/**
 * Tree size of a signed checkpoint note (C2SP tlog-checkpoint: origin, size, root,
 * blank line, signatures). Null when the note is not of that shape.
 */
export function checkpointTreeSize(note: unknown): number | null {
  if (typeof note !== 'string') return null;
  const size = note.split('\n')[1];
  if (size === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(size)) return null;
  const n = Number(size);
  return Number.isSafeInteger(n) ? n : null;
}

export function receiptSummary(receipt: Record<string, unknown>): ReceiptSummary {
  const leaf = isRecord(receipt.leaf) ? receipt.leaf : {};
  const checkpoint = isRecord(receipt.checkpoint) ? receipt.checkpoint : {};
  let anchor: ReceiptAnchor | null = null;
  if (isRecord(receipt.anchored)) {
    const a = isRecord(receipt.anchored.anchor) ? receipt.anchored.anchor : {};
    anchor = {
      chainId: int(a.chainId),
      contract: str(a.contract),
      blockNumber: int(a.blockNumber),
      blockHash: str(a.blockHash),
      txHash: str(a.txHash),
      treeSize: checkpointTreeSize(receipt.anchored.checkpointNote),
    };
  }
  return {
    recordKind: str(leaf.recordKind),
    recordId: str(leaf.recordId),
    originDeviceId: str(leaf.originDeviceId),
    leafIndex: int(leaf.index),
    treeSize: checkpointTreeSize(checkpoint.note),
    carriesRecord: isRecord(receipt.record),
    anchor,
  };
}

/** One sentence on where the receipt stands: anchored on a ledger, or only signed by the device. */
export function anchoredText(summary: ReceiptSummary): Text {
  if (!summary.anchor) return { key: 'receipt.notAnchored' };
  return {
    key: 'receipt.anchoredAt',
    vars: { chain: summary.anchor.chainId ?? '?', block: summary.anchor.blockNumber ?? '?' },
  };
}

/**
 * A safe file name for the download: the host's own name without any folder part or
 * character a file system might refuse, always ending in .json.
 */
export function receiptFileName(hostName: string, entryId: string): string {
  const base = (hostName.split(/[\\/]/).pop() ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"|?*]+/g, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  const name = base !== '' ? base : `sijill-receipt-${entryId.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
  return /\.json$/i.test(name) ? name : `${name}.json`;
}

/** The file's text: the receipt as the host gave it, pretty-printed, with a final newline. */
export function receiptFileText(receipt: Record<string, unknown>): string {
  return `${JSON.stringify(receipt, null, 2)}\n`;
}

/** The command that checks a saved receipt, offline, on any computer with Sijill. */
export function verifyCommand(fileName: string): string {
  return /^[A-Za-z0-9._-]+$/.test(fileName)
    ? `sijill verify ${fileName}`
    : `sijill verify "${fileName.replace(/"/g, '\\"')}"`;
}

/**
 * The host refuses a receipt it cannot give yet (the entry is not covered by a sealed
 * checkpoint, or not in this device's log) with CONFLICT or VALIDATION and a message
 * that says why: that is not a failure of the request, and is shown as such. Null for
 * any other error (shown the usual way).
 */
export function receiptUnavailableReason(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  return error.code === 'CONFLICT' || error.code === 'VALIDATION' ? error.message : null;
}
