// Reading EVM node errors. Nodes word them differently (geth: "already known", Besu:
// "Known transaction", anvil: "transaction already imported"), so broadcast outcomes
// are matched on the whole error chain's text; contract reverts are matched on the
// decoded custom error, which is exact.
import { BaseError, ContractFunctionRevertedError } from 'viem';
import { LedgerRejectedError, type BroadcastOutcome } from './adapter';

const ALREADY_KNOWN = /already known|already imported|known transaction|alreadyknown|already in the pool/i;
const NONCE_USED = /nonce too low|nonce_too_low|noncetoolow|nonce has already been used|invalid nonce.*lower|oldnonce/i;

/** The broadcast outcome a node error stands for, or undefined for a real failure. */
export function broadcastOutcomeOf(error: unknown): BroadcastOutcome | undefined {
  const text = errorChainText(error);
  if (ALREADY_KNOWN.test(text)) return 'already-known';
  if (NONCE_USED.test(text)) return 'nonce-used';
  return undefined;
}

/** A LedgerRejectedError when the contract's revert means retrying cannot help now. */
export function rejectionOf(error: unknown): LedgerRejectedError | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) return undefined;
  const name = revert.data?.errorName;
  if (name === 'ConflictingAnchor') {
    const [batchId, root, treeSize] = revert.data?.args ?? [];
    return new LedgerRejectedError(
      'conflict',
      `batch id ${String(batchId)} is already anchored with root ${String(root)} and tree size ${String(treeSize)}`,
    );
  }
  if (name === 'NotSubmitter') {
    return new LedgerRejectedError(
      'not-permitted',
      `account ${String(revert.data?.args?.[0])} is not on the contract's submitter list`,
    );
  }
  return undefined;
}

function errorChainText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth++) {
    if (current instanceof BaseError) parts.push(current.shortMessage, current.details);
    if (current instanceof Error) {
      parts.push(current.message);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join('\n');
}
