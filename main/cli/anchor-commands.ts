// Anchoring commands: receipts, offline verification, queue status, ledger
// configuration and the store integrity check.
import { readFileSync, writeFileSync } from 'node:fs';
import { EvmLedgerAdapter, verifyReceipt, type Hex, type ReceiptVerification } from '../../anchor-queue';
import { auditRecordHash, verifyAuditChain } from '../access/audit-log';
import { verifyStore } from '../store/anchor-log/verify-store';
import type { Clinic } from '../host/clinic';
import { CliError, readSecret } from './prompt';

export function writeReceipt(clinic: Clinic, entryId: string, out: string): void {
  let receipt;
  try {
    receipt = clinic.entryReceipt(null, entryId);
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  writeFileSync(out, `${JSON.stringify(receipt, null, 2)}\n`);
  const a = receipt.anchored?.anchor;
  console.log(`Receipt for entry ${entryId} written to ${out}.`);
  console.log(
    `  leaf ${receipt.leaf.index}, checkpoint at tree size ${/\n(\d+)\n/.exec(receipt.checkpoint.note)?.[1] ?? '?'}`,
  );
  console.log(
    a
      ? `  anchored: chain ${a.chainId}, block ${a.blockNumber}, transaction ${a.txHash}`
      : '  not anchored yet (the checkpoint is signed by the device; anchoring follows when the ledger is reachable)',
  );
  console.log(`  verify with: sijill verify ${out}`);
}

function printVerification(r: ReceiptVerification): void {
  for (const c of r.checks) console.log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  console.log(r.ok ? 'The receipt is valid.' : 'The receipt is NOT valid.');
}

/** `sijill verify FILE [--key VKEY] [--ledger RPC_URL]`: exit 0 only when every check holds. */
export async function verifyCommand(
  file: string,
  options: { key?: string; ledger?: string; json?: boolean },
): Promise<number> {
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`Cannot read ${file} as a receipt: ${err instanceof Error ? err.message : String(err)}`);
  }
  const result = verifyReceipt(input, { trustedVerifierKey: options.key });
  if (options.ledger) {
    const anchored = (
      input as { anchored?: { anchor?: { chainId: number; contract: Hex; batchId: Hex }; checkpointNote?: string } }
    ).anchored;
    if (!anchored?.anchor) {
      result.checks.push({ name: 'ledger', ok: false, detail: 'the receipt has no anchor to look up' });
    } else {
      const a = anchored.anchor;
      // A read-only lookup: the key is a throwaway, nothing is signed or sent.
      const adapter = new EvmLedgerAdapter({
        rpcUrl: options.ledger,
        chainId: a.chainId,
        contractAddress: a.contract,
        privateKey: `0x${'11'.repeat(32)}` as Hex,
      });
      try {
        const onChain = await adapter.findAnchor(a.batchId);
        const size = Number(/\n(\d+)\n/.exec(anchored.checkpointNote ?? '')?.[1]);
        const ok = !!onChain && onChain.treeSize === size;
        result.checks.push({
          name: 'ledger',
          ok,
          detail: ok
            ? `batch ${a.batchId} is on chain ${a.chainId} with the same tree size`
            : 'the ledger does not hold this anchor',
        });
      } catch (err) {
        result.checks.push({
          name: 'ledger',
          ok: false,
          detail: `ledger unreachable: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    }
    result.ok = result.checks.every((c) => c.ok);
  }
  if (options.json) console.log(JSON.stringify(result));
  else printVerification(result);
  return result.ok ? 0 : 3;
}

export function anchorStatusCommand(clinic: Clinic, json: boolean): number {
  const s = clinic.anchoring.status();
  if (json) {
    console.log(JSON.stringify(s));
    return 0;
  }
  console.log(`leaves: ${s.leaves}`);
  console.log(
    `checkpoints: ${s.checkpoints}${s.lastCheckpoint ? ` (last at tree size ${s.lastCheckpoint.treeSize}, ${s.lastCheckpoint.createdAt})` : ''}`,
  );
  if (!s.ledgerConfigured)
    console.log(
      'ledger: none configured; checkpoints accumulate and will be anchored once one is (sijill anchor configure)',
    );
  else console.log(`ledger: ${s.ledger!.rpcUrl} chain ${s.ledger!.chainId}, contract ${s.ledger!.contract}`);
  if (s.counts)
    console.log(
      `queue: ${Object.entries(s.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  console.log(
    s.lastAnchored
      ? `last anchor: tree size ${s.lastAnchored.treeSize}, block ${s.lastAnchored.blockNumber} (${s.lastAnchored.blockHash}), ${s.lastAnchored.at}`
      : 'last anchor: none yet',
  );
  return 0;
}

export async function anchorConfigureCommand(
  clinic: Clinic,
  o: { rpc?: string; 'chain-id'?: string; contract?: string; confirmations?: string },
): Promise<number> {
  if (!o.rpc || !o['chain-id'] || !o.contract)
    throw new CliError('anchor configure needs --rpc URL --chain-id N --contract ADDRESS', 2);
  const chainId = Number(o['chain-id']);
  const confirmations = Number(o.confirmations ?? '1');
  if (!Number.isInteger(chainId) || chainId <= 0) throw new CliError('--chain-id must be a positive whole number', 2);
  if (!Number.isInteger(confirmations) || confirmations < 1)
    throw new CliError('--confirmations must be at least 1', 2);
  if (!/^0x[0-9a-fA-F]{40}$/.test(o.contract))
    throw new CliError('--contract must be a 0x address of 40 hex digits', 2);
  const key = await readSecret('SIJILL_LEDGER_KEY', "Key of the clinic's ledger account (0x…): ");
  if (!/^0x[0-9a-fA-F]{64}$/.test(key))
    throw new CliError('The ledger key must be 0x and 64 hex digits. Nothing was changed.', 2);
  clinic.anchoring.configureLedger({
    rpcUrl: o.rpc,
    chainId,
    contractAddress: o.contract as Hex,
    confirmations,
    privateKey: key as Hex,
  });
  console.log(
    `Ledger configured: ${o.rpc} (chain ${chainId}), contract ${o.contract}, ${confirmations} confirmation(s). The key is stored encrypted.`,
  );
  return 0;
}

export function verifyStoreCommand(clinic: Clinic, json: boolean): number {
  const r = verifyStore(clinic.db, (seq) => auditRecordHash(clinic.db, seq));
  const chain = verifyAuditChain(clinic.db);
  const ok = r.ok && chain.ok;
  if (json) console.log(JSON.stringify({ ...r, auditChain: chain, ok }));
  else {
    if (r.firstMismatch) {
      const m = r.firstMismatch;
      console.error(
        `MISMATCH at ${m.leafIndex === null ? 'a record without a leaf' : `leaf ${m.leafIndex}`}: ${m.recordKind} ${m.recordId}: ${m.reason}.`,
      );
    } else console.log(`All ${r.leaves} leaves match their records.`);
    if (r.checkpoint) {
      console.log(
        `Newest checkpoint (tree size ${r.checkpoint.treeSize}): root ${r.checkpoint.rootMatches ? 'matches the log' : 'DOES NOT match the log'}, signature ${r.checkpoint.signatureValid ? 'valid' : 'INVALID'}.`,
      );
    }
    if (!chain.ok) console.error(`AUDIT CHAIN BROKEN at record ${chain.firstBrokenSeq}: ${chain.reason}.`);
  }
  return ok ? 0 : 3;
}
