import { describe, expect, it } from 'vitest';
import { verifyReceipt } from '../../anchor-queue';
import { ApiError, AnchorStatus, MAX_MESSAGE_BYTES, ReceiptVerification } from '../../main/api';
import {
  anchoredText,
  checkpointTreeSize,
  receiptFileName,
  receiptFileText,
  receiptSummary,
  receiptUnavailableReason,
  verifyCommand,
} from '../../renderer/anchor/receipt-model';
import {
  anchorIndicator,
  coverage,
  ledgerView,
  pendingText,
  QUEUE_STATES,
  queueCounts,
  shortHash,
  type Text,
} from '../../renderer/anchor/status-model';
import {
  checkReceiptFileSize,
  MAX_RECEIPT_BYTES,
  parseReceiptText,
  verificationView,
} from '../../renderer/anchor/verify-model';
import { ConnectionError } from '../../renderer/api/connection';
import { ar } from '../../renderer/i18n/ar';
import { en } from '../../renderer/i18n/en';
import { translate, type Dictionary } from '../../renderer/i18n/translate';
import { asWire, buildReceipt } from './receipt-fixture';

const say = (text: Text, dict: Dictionary = en) => translate(dict, text.key, text.vars);

const LEDGER = {
  rpcUrl: 'http://127.0.0.1:8545',
  chainId: 1337,
  contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  reachable: true as boolean | null,
  lastError: null as string | null,
};

/** A status as the host sends it, checked against the contract's own schema. */
function status(over: Partial<AnchorStatus> = {}): AnchorStatus {
  return AnchorStatus.parse({
    leaves: 40,
    checkpoints: 3,
    lastCheckpoint: { treeSize: 38, createdAt: '2026-03-01T08:00:00.000Z' },
    ledgerConfigured: true,
    ledger: LEDGER,
    counts: { sealed: 0, submitted: 0, included: 0, final: 2, superseded: 1, failed: 0 },
    pendingAnchors: 0,
    anchored: 2,
    lastAnchored: {
      treeSize: 38,
      blockNumber: 1204,
      blockHash: `0x${'9f'.repeat(32)}`,
      txHash: `0x${'1e'.repeat(32)}`,
      at: '2026-03-01T08:01:00.000Z',
    },
    ...over,
  });
}

const noLedger = () =>
  status({ ledgerConfigured: false, ledger: null, pendingAnchors: 0, anchored: 0, lastAnchored: null });

describe('ledger state', () => {
  it('says plainly that no ledger is configured, and that checkpoints are kept', () => {
    const view = ledgerView(noLedger());
    expect(view).toEqual({
      state: 'notConfigured',
      text: { key: 'anchor.ledger.notConfigured' },
      lastError: null,
      network: null,
    });
    expect(say(view.text)).toBe(
      'No national ledger is configured: checkpoints are kept and will be anchored when one is',
    );
  });

  it('tells reachable, unreachable (with its last error) and not yet contacted apart', () => {
    expect(ledgerView(status()).state).toBe('reachable');
    const down = ledgerView(
      status({ ledger: { ...LEDGER, reachable: false, lastError: 'ECONNREFUSED 127.0.0.1:8545' } }),
    );
    expect(down.state).toBe('unreachable');
    expect(down.lastError).toBe('ECONNREFUSED 127.0.0.1:8545');
    expect(down.network).toEqual({ chainId: 1337, contract: LEDGER.contract, rpcUrl: LEDGER.rpcUrl });
    expect(say(down.text)).toMatch(/cannot be reached/);
    const fresh = ledgerView(status({ ledger: { ...LEDGER, reachable: null, lastError: '  ' } }));
    expect(fresh.state).toBe('unknown');
    expect(fresh.lastError).toBeNull();
  });

  it('treats "configured" without ledger details as not configured rather than inventing a network', () => {
    expect(ledgerView(status({ ledgerConfigured: true, ledger: null })).state).toBe('notConfigured');
  });
});

describe('queue counts and pending text', () => {
  it('lists every state in the order a batch goes through them, zero when the host left one out, unknown ones last', () => {
    const rows = queueCounts(status({ counts: { final: 4, failed: 1, zombie: 2, archived: 1 } }));
    expect(rows.map((r) => r.state)).toEqual([...QUEUE_STATES, 'archived', 'zombie']);
    expect(Object.fromEntries(rows.map((r) => [r.state, r.count]))).toEqual({
      sealed: 0,
      submitted: 0,
      included: 0,
      final: 4,
      superseded: 0,
      failed: 1,
      archived: 1,
      zombie: 2,
    });
    expect(queueCounts(status({ counts: null })).every((r) => r.count === 0)).toBe(true);
  });

  it('counts pending anchors, or kept checkpoints when there is no ledger', () => {
    expect(say(pendingText(status()))).toBe('No anchors pending.');
    expect(say(pendingText(status({ pendingAnchors: 3 })))).toBe('3 anchors pending.');
    expect(say(pendingText(status({ pendingAnchors: 3 })), ar)).toBe('عمليات تثبيت معلّقة: 3.');
    expect(say(pendingText({ ...noLedger(), checkpoints: 5 }))).toBe('5 checkpoints kept, waiting for a ledger.');
    expect(say(pendingText({ ...noLedger(), checkpoints: 0 }))).toBe('No checkpoints yet.');
  });

  it('measures coverage of the log, never above the number of leaves', () => {
    expect(coverage(status())).toEqual({ anchored: 38, sealed: 38, leaves: 40 });
    expect(coverage(noLedger())).toEqual({ anchored: 0, sealed: 38, leaves: 40 });
    const ahead = status({ leaves: 10, lastCheckpoint: { treeSize: 12, createdAt: 'x' } });
    expect(coverage(ahead)).toEqual({ anchored: 10, sealed: 10, leaves: 10 });
  });
});

describe('status bar indicator', () => {
  const line = (s: AnchorStatus, dict: Dictionary = en) =>
    anchorIndicator(s)
      .parts.map((p) => say(p, dict))
      .join(' · ');

  it('says anchored when the newest anchor is final and nothing waits', () => {
    expect(line(status())).toBe('Anchored ✓');
    expect(anchorIndicator(status()).tone).toBe('ok');
    expect(say(anchorIndicator(status()).detail)).toBe('38 of 40 records anchored');
  });

  it('adds what is pending, what failed and an unreachable ledger, and warns', () => {
    const s = status({
      pendingAnchors: 3,
      counts: { sealed: 1, submitted: 1, included: 1, final: 2, superseded: 0, failed: 2 },
      ledger: { ...LEDGER, reachable: false, lastError: 'timeout' },
    });
    expect(line(s)).toBe('Anchored ✓ · 3 pending · 2 failed · ledger offline');
    expect(line(s, ar)).toBe('مُثبَّت ✓ · 3 معلّقة · 2 فاشلة · السجل الوطني غير متاح');
    expect(anchorIndicator(s).tone).toBe('warning');
  });

  it('is "pending" before the first anchor, and neutral without a ledger', () => {
    const first = status({ pendingAnchors: 1, anchored: 0, lastAnchored: null });
    expect(line(first)).toBe('Not anchored yet · 1 pending');
    expect(anchorIndicator(first).tone).toBe('pending');
    const none = anchorIndicator(noLedger());
    expect(none.tone).toBe('neutral');
    expect(none.parts.map((p) => say(p))).toEqual(['No ledger']);
    expect(say(none.detail)).toBe(en['anchor.ledger.notConfigured']);
  });
});

describe('shortHash', () => {
  it('keeps the start and the end of a long hash, and short texts whole', () => {
    const hash = `0x${'0123456789abcdef'.repeat(4)}`;
    expect(shortHash(hash)).toBe('0x01234567…89abcdef');
    expect(shortHash('0xabc')).toBe('0xabc');
    expect(shortHash('0123456789abcdefghi')).toBe('0123456789abcdefghi');
  });
});

describe('receipt summary', () => {
  it('reads what a real anchored receipt proves', () => {
    const summary = receiptSummary(asWire(buildReceipt({ index: 2, checkpointSize: 5, anchoredSize: 8 })));
    expect(summary).toEqual({
      recordKind: 'entry',
      recordId: 'entry-42',
      originDeviceId: 'dev-7f3a',
      leafIndex: 2,
      treeSize: 5,
      carriesRecord: true,
      anchor: {
        chainId: 1337,
        contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
        blockNumber: 12,
        blockHash: `0x${'cd'.repeat(32)}`,
        txHash: `0x${'ab'.repeat(32)}`,
        treeSize: 8,
      },
    });
    expect(say(anchoredText(summary))).toBe('Anchored on chain 1337, block 12.');
    expect(say(anchoredText(summary), ar)).toBe('مُثبَّت على السلسلة 1337، في الكتلة 12.');
  });

  it('says when a receipt is not anchored yet', () => {
    const summary = receiptSummary(asWire(buildReceipt({ anchoredSize: null })));
    expect(summary.anchor).toBeNull();
    expect(summary.treeSize).toBe(5);
    expect(anchoredText(summary)).toEqual({ key: 'receipt.notAnchored' });
  });

  it('shows unknown for missing or malformed fields instead of failing', () => {
    expect(receiptSummary({})).toEqual({
      recordKind: null,
      recordId: null,
      originDeviceId: null,
      leafIndex: null,
      treeSize: null,
      carriesRecord: false,
      anchor: null,
    });
    const odd = receiptSummary({
      leaf: { recordKind: 7, recordId: '', index: -1 },
      checkpoint: { note: 'origin\n05\nroot\n' },
      anchored: { checkpointNote: 3, anchor: 'nope' },
    });
    expect([odd.recordKind, odd.recordId, odd.leafIndex, odd.treeSize]).toEqual([null, null, null, null]);
    expect(odd.anchor).toEqual({
      chainId: null,
      contract: null,
      blockNumber: null,
      blockHash: null,
      txHash: null,
      treeSize: null,
    });
    expect(say(anchoredText(odd))).toBe('Anchored on chain ?, block ?.');
  });

  it('reads the tree size from the second line of a checkpoint note', () => {
    expect(checkpointTreeSize('sijill.device/x\n17\nAAAA\n\n— sig\n')).toBe(17);
    expect(checkpointTreeSize('o\n0\nr\n')).toBe(0);
    expect(checkpointTreeSize('o\n-1\nr\n')).toBeNull();
    expect(checkpointTreeSize('o\n1e3\nr\n')).toBeNull();
    expect(checkpointTreeSize('only one line')).toBeNull();
    expect(checkpointTreeSize(17)).toBeNull();
  });
});

describe('receipt file', () => {
  it('keeps the host name when it is safe, always as .json', () => {
    expect(receiptFileName('sijill-receipt-e1.json', 'e1')).toBe('sijill-receipt-e1.json');
    expect(receiptFileName('sijill-receipt-e1', 'e1')).toBe('sijill-receipt-e1.json');
    expect(receiptFileName('../../etc/passwd', 'e1')).toBe('passwd.json');
    expect(receiptFileName('C:\\Users\\x\\r:1?.json', 'e1')).toBe('r_1_.json');
    expect(receiptFileName('..hidden.json', 'e1')).toBe('hidden.json');
    expect(receiptFileName('', 'entry/7 a')).toBe('sijill-receipt-entry_7_a.json');
    expect(receiptFileName('dir/', 'e9')).toBe('sijill-receipt-e9.json');
  });

  it('is the receipt pretty-printed, ending with a newline, and reads back the same', () => {
    const receipt = asWire(buildReceipt());
    const text = receiptFileText(receipt);
    expect(text.startsWith('{\n  "format": "sijill-receipt",\n  "version": 1,')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(receipt);
  });

  it('names the command that verifies it, quoting an unusual file name', () => {
    expect(verifyCommand('sijill-receipt-e1.json')).toBe('sijill verify sijill-receipt-e1.json');
    expect(verifyCommand('my receipt "1".json')).toBe('sijill verify "my receipt \\"1\\".json"');
  });

  it('treats a refusal of the host (not yet covered by a checkpoint) as "no receipt yet", other errors not', () => {
    const notSealed = new ApiError(
      'CONFLICT',
      'The record is not yet covered by a sealed checkpoint. Seal one (it happens automatically within minutes) and try again.',
    );
    expect(receiptUnavailableReason(notSealed)).toMatch(/not yet covered by a sealed checkpoint/);
    expect(receiptUnavailableReason(new ApiError('VALIDATION', 'bad id'))).toBe('bad id');
    expect(receiptUnavailableReason(new ApiError('FORBIDDEN', 'no'))).toBeNull();
    expect(receiptUnavailableReason(new ConnectionError('lost'))).toBeNull();
    expect(receiptUnavailableReason('CONFLICT')).toBeNull();
  });
});

describe('reading a receipt file', () => {
  it('accepts a JSON object (a byte order mark too)', () => {
    const receipt = asWire(buildReceipt());
    expect(parseReceiptText(receiptFileText(receipt))).toEqual({ ok: true, receipt });
    expect(parseReceiptText('\uFEFF{"a":1}')).toEqual({ ok: true, receipt: { a: 1 } });
  });

  it('refuses what is not JSON, with the parser detail, and JSON that is not an object', () => {
    const bad = parseReceiptText('{"format": "sijill-receipt",');
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problem).toEqual({ key: 'verify.file.notJson' });
    expect(bad.detail).toBeTruthy();
    for (const text of ['[1, 2]', '"receipt"', 'null', '42']) {
      expect(parseReceiptText(text), text).toEqual({ ok: false, problem: { key: 'verify.file.notObject' } });
    }
    expect(parseReceiptText(' \n ')).toEqual({ ok: false, problem: { key: 'verify.file.empty' } });
  });

  it('refuses an empty or oversized file before reading it', () => {
    expect(checkReceiptFileSize(0)).toEqual({ ok: false, problem: { key: 'verify.file.empty' } });
    expect(checkReceiptFileSize(5_000)).toBeNull();
    expect(MAX_RECEIPT_BYTES).toBeLessThan(MAX_MESSAGE_BYTES);
    const big = checkReceiptFileSize(MAX_RECEIPT_BYTES + 1);
    expect(big && !big.ok && say(big.problem)).toBe('The file is too large to be a receipt (more than 255 KB).');
  });
});

describe('verification view', () => {
  /** What the host answers: the verifier's result through the contract's output schema. */
  const verify = (input: unknown) => {
    const r = verifyReceipt(input);
    return ReceiptVerification.parse({ ok: r.ok, checks: r.checks, summary: r.summary ?? null });
  };

  it('shows a real, anchored receipt as valid, every check named in the dictionary', () => {
    const file = parseReceiptText(receiptFileText(asWire(buildReceipt())));
    expect(file.ok).toBe(true);
    if (!file.ok) return;
    const view = verificationView(verify(file.receipt));
    expect(view.ok).toBe(true);
    expect(say(view.verdict)).toBe('Valid ✓');
    expect(view.checks.map((c) => c.name)).toEqual([
      'format',
      'content hash',
      'author signature',
      'checkpoint signature',
      'inclusion',
      'consistency',
      'batch id',
    ]);
    expect(view.checks.every((c) => c.ok && c.label !== null)).toBe(true);
    expect(view.failed).toEqual([]);
    expect(say(view.tally)).toBe('7 of 7 checks passed');
    expect(view.summary).toMatchObject({ recordKind: 'entry', recordId: 'entry-42', leafIndex: 2, treeSize: 5 });
    expect(view.summary && say(view.summary.anchored)).toBe(
      'Anchored: its checkpoint is consistent with the anchored checkpoint of tree size 8.',
    );
  });

  it('shows a tampered receipt as NOT valid, naming the checks that fail', () => {
    const receipt = asWire(buildReceipt());
    const leaf = receipt.leaf as Record<string, unknown>;
    leaf.index = 3;
    const view = verificationView(verify(receipt));
    expect(view.ok).toBe(false);
    expect(say(view.verdict)).toBe('NOT valid ✗');
    expect(say(view.verdict, ar)).toBe('غير صالح ✗');
    expect(view.failed.map((c) => c.name)).toEqual(['inclusion']);
    expect(say(view.tally)).toBe('6 of 7 checks passed');
  });

  it('has no summary for something that is not a receipt at all', () => {
    const view = verificationView(verify({ format: 'something else' }));
    expect(view.ok).toBe(false);
    expect(view.summary).toBeNull();
    expect(view.checks).toHaveLength(1);
    expect(view.checks[0]).toMatchObject({ name: 'format', label: 'verify.check.format', ok: false });
  });

  it('says unanchored when the receipt carries no anchor', () => {
    const view = verificationView(verify(asWire(buildReceipt({ anchoredSize: null }))));
    expect(view.ok).toBe(true);
    expect(view.summary?.anchored).toEqual({ key: 'verify.summary.notAnchored' });
  });

  it('is never more generous than the checks: a failed check or no check at all is not valid', () => {
    const contradictory = verificationView({
      ok: true,
      checks: [
        { name: 'format', ok: true, detail: 'sijill-receipt v1' },
        { name: 'ledger lookup', ok: false, detail: 'no such transaction' },
      ],
      summary: null,
    });
    expect(contradictory.ok).toBe(false);
    expect(contradictory.failed).toEqual([
      { name: 'ledger lookup', label: null, ok: false, detail: 'no such transaction' },
    ]);
    expect(verificationView({ ok: true, checks: [], summary: null }).ok).toBe(false);
  });
});

describe('anchoring texts', () => {
  it('keep the exact wording the brief and the end-to-end tests rely on', () => {
    expect(en['verify.valid']).toBe('Valid ✓');
    expect(en['verify.invalid']).toBe('NOT valid ✗');
    expect(en['anchor.sealNow']).toBe('Seal checkpoint now');
    expect(en['receipt.download']).toBe('Download receipt');
    expect(en['receipt.print']).toBe('Print summary');
    expect(ar['nav.ledger']).toBe('السجل الموثّق');
  });

  it('name every outbox state in both languages', () => {
    for (const state of QUEUE_STATES) {
      expect(en[`anchor.state.${state}`], state).toBeTruthy();
      expect(ar[`anchor.state.${state}`], state).toMatch(/[\u0600-\u06FF]/);
    }
  });
});
