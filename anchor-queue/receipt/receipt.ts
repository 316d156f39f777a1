// A receipt: everything needed to prove, offline, that one record is in a device's
// Merkle log as of a signed checkpoint, and (once anchored) that this checkpoint is
// consistent with the one written to the ledger. JSON, hex for hashes.
import { z } from 'zod';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 32 bytes as 64 lower-case hex digits');
const hex0x32 = z.string().regex(/^0x[0-9a-f]{64}$/, 'expected 0x and 64 lower-case hex digits');

export const ReceiptSchema = z
  .object({
    format: z.literal('sijill-receipt'),
    version: z.literal(1),
    /** The record itself, when the holder may see it: lets the verifier recompute its content hash and check the author's signature. */
    record: z
      .object({
        canonical: z.string(),
        signature: z.string().regex(/^[0-9a-f]{128}$/),
        authorKey: hex32,
      })
      .strict()
      .nullable(),
    leaf: z
      .object({
        originDeviceId: z.string().min(1),
        recordKind: z.string().min(1),
        recordId: z.string().min(1),
        contentHash: hex32,
        salt: hex32,
        index: z.number().int().nonnegative(),
      })
      .strict(),
    checkpoint: z.object({ note: z.string(), verifierKey: z.string() }).strict(),
    inclusionProof: z.array(hex32).max(64),
    anchored: z
      .object({
        checkpointNote: z.string(),
        consistencyProof: z.array(hex32).max(128),
        anchor: z
          .object({
            chainId: z.number().int().positive(),
            contract: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
            batchId: hex0x32,
            txHash: hex0x32,
            blockNumber: z.number().int().nonnegative(),
            blockHash: hex0x32,
          })
          .strict(),
      })
      .strict()
      .nullable(),
  })
  .strict();
export type Receipt = z.infer<typeof ReceiptSchema>;
