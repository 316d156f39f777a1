// Writing a bundle: for each document, the changes the receiver lacks — everything
// since the heads the sender last knew the receiver to have (from the receiver's
// previous bundle or sync; [] when unknown, which sends the whole history). Sending
// too much is harmless (Automerge ignores changes it already has); sending too little
// is refused at import, so stale knowledge only costs bytes.
import * as A from '@automerge/automerge';
import { cbor } from '@automerge/automerge-repo';
import { randomBytes, toHex } from '../identity/bytes';
import type { DeviceIdentity } from '../identity/device';
import { sealTo } from '../identity/sealed-box';
import {
  assemble,
  BUNDLE_FORMAT,
  BUNDLE_SEAL_CONTEXT,
  BUNDLE_VERSION,
  BundleEntry,
  BundlePayload,
  encodeHeader,
} from './format';

export interface BundleDocInput {
  documentId: string;
  doc: A.Doc<unknown>;
  /** Heads the receiver is known to have; heads this document lacks are ignored. */
  receiverHeads: string[];
}

export interface BundleManifest {
  bundleId: string;
  sequence: number;
  docs: { documentId: string; heads: string[]; changes: number }[];
  entries: number;
  bytes: number;
}

export function exportBundle(args: {
  identity: DeviceIdentity;
  /** The receiving clinic (its id and X25519 key, from the roster). */
  to: { clinicId: string; clinicKey: Uint8Array };
  docs: BundleDocInput[];
  /** Signed entry rows the receiver lacks, as the host serialises them. */
  entries?: BundleEntry[];
  /** Host-kept counter per device, incremented for every bundle written. */
  sequence: number;
  created: Date;
}): { file: Uint8Array; manifest: BundleManifest } {
  const bundleId = toHex(randomBytes(16));
  const docs: BundlePayload['docs'] = [];
  for (const d of args.docs) {
    const known = d.receiverHeads.filter((h) => A.hasHeads(d.doc, [h]));
    const changes = A.getChangesSince(d.doc, known);
    if (changes.length === 0) continue;
    docs.push({ documentId: d.documentId, baseHeads: [...known].sort(), heads: A.getHeads(d.doc), changes });
  }
  const entries = (args.entries ?? []).map((e) => BundleEntry.parse(e));
  const payload = new Uint8Array(cbor.encode(BundlePayload.parse({ bundleId, docs, entries })));
  const header = encodeHeader({
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    bundleId,
    fromDevice: args.identity.deviceId,
    toClinic: args.to.clinicId,
    created: args.created.toISOString(),
    sequence: args.sequence,
  });
  const file = assemble(header, sealTo(args.to.clinicKey, payload, BUNDLE_SEAL_CONTEXT, header), args.identity.sign);
  return {
    file,
    manifest: {
      bundleId,
      sequence: args.sequence,
      docs: docs.map((d) => ({ documentId: d.documentId, heads: d.heads, changes: d.changes.length })),
      entries: entries.length,
      bytes: file.length,
    },
  };
}
