// Verifying a receipt file: read it (it must be JSON before it is worth sending), then
// turn the host's verdict into what the screen shows.
import { MAX_MESSAGE_BYTES, type ReceiptVerification } from '../../main/api';
import type { MessageKey } from '../i18n/translate';
import type { Text } from './status-model';

/** A receipt is sent inside one request: leave room for the envelope. */
export const MAX_RECEIPT_BYTES = MAX_MESSAGE_BYTES - 1024;

export type ReceiptFile = { ok: true; receipt: unknown } | { ok: false; problem: Text; detail?: string };

/** Checks the size before the file is read at all. */
export function checkReceiptFileSize(bytes: number): ReceiptFile | null {
  if (bytes === 0) return { ok: false, problem: { key: 'verify.file.empty' } };
  if (bytes > MAX_RECEIPT_BYTES) {
    return { ok: false, problem: { key: 'verify.file.tooLarge', vars: { kb: Math.floor(MAX_RECEIPT_BYTES / 1024) } } };
  }
  return null;
}

export function parseReceiptText(text: string): ReceiptFile {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') return { ok: false, problem: { key: 'verify.file.empty' } };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return {
      ok: false,
      problem: { key: 'verify.file.notJson' },
      detail: error instanceof Error ? error.message : undefined,
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: { key: 'verify.file.notObject' } };
  }
  return { ok: true, receipt: value };
}

/** The checks the verifier is known to make, with their names in the dictionary. */
const CHECK_LABELS: Readonly<Record<string, MessageKey>> = {
  format: 'verify.check.format',
  'content hash': 'verify.check.contentHash',
  'author signature': 'verify.check.authorSignature',
  'device key': 'verify.check.deviceKey',
  'checkpoint signature': 'verify.check.checkpointSignature',
  leaf: 'verify.check.leaf',
  inclusion: 'verify.check.inclusion',
  'anchored checkpoint': 'verify.check.anchoredCheckpoint',
  consistency: 'verify.check.consistency',
  'batch id': 'verify.check.batchId',
};

export interface CheckView {
  /** The verifier's own name for the check. */
  name: string;
  /** Its name in the dictionary, or null for a check this renderer does not know (shown as is). */
  label: MessageKey | null;
  ok: boolean;
  detail: string;
}

export interface VerificationView {
  ok: boolean;
  verdict: Text;
  /** "5 of 6 checks passed". */
  tally: Text;
  checks: CheckView[];
  failed: CheckView[];
  summary: {
    recordKind: string;
    recordId: string;
    leafIndex: number;
    treeSize: number;
    anchored: Text;
  } | null;
}

export function verificationView(result: ReceiptVerification): VerificationView {
  const checks = result.checks.map((c) => ({
    name: c.name,
    label: CHECK_LABELS[c.name] ?? null,
    ok: c.ok,
    detail: c.detail,
  }));
  // Valid only when the host says so and every reported check holds: never more generous than either.
  const ok = result.ok && checks.length > 0 && checks.every((c) => c.ok);
  const passed = checks.filter((c) => c.ok).length;
  const s = result.summary;
  return {
    ok,
    verdict: { key: ok ? 'verify.valid' : 'verify.invalid' },
    tally: { key: 'verify.tally', vars: { passed, total: checks.length } },
    checks,
    failed: checks.filter((c) => !c.ok),
    summary: s && {
      recordKind: s.recordKind,
      recordId: s.recordId,
      leafIndex: s.leafIndex,
      treeSize: s.treeSize,
      anchored:
        s.anchoredTreeSize === null
          ? { key: 'verify.summary.notAnchored' }
          : { key: 'verify.summary.anchored', vars: { size: s.anchoredTreeSize } },
    },
  };
}
