// Reading a bundle, all or nothing. openBundle() checks everything and computes the
// resulting documents, but changes nothing: it returns a plan, and the host commits
// the plan in one transaction (documents, entries, and the bundle id as imported).
// Any failure throws a BundleError whose message can be shown to the clinician as is.
import * as A from '@automerge/automerge';
import { cbor } from '@automerge/automerge-repo';
import { verifySignature } from '../identity/device';
import { isActiveDevice, type Roster } from '../identity/roster';
import { openSealed } from '../identity/sealed-box';
import { CHART_WATCH, detectConflicts, type ConflictRecord, type WatchConfig } from '../conflicts/detect';
import { BUNDLE_SEAL_CONTEXT, BUNDLE_VERSION, BundlePayload, signingMessage, split, type BundleEntry } from './format';
import { checkEntries } from './entries';
import { BundleError } from './errors';

export { BundleError, type BundleErrorCode } from './errors';

/**
 * What the host supplies, all synchronous (SQLite). `seen` is the replay check: true
 * when this bundle id from this device was already imported (the host may also refuse
 * a sequence number at or below the last one it imported from that device). The host
 * records the bundle as imported in the same transaction that commits the plan.
 */
export interface BundleImportContext {
  clinicId: string;
  clinicSecretKey: Uint8Array;
  roster: Roster;
  seen(bundle: { bundleId: string; fromDevice: string; sequence: number }): boolean;
  /** Verifies hash and signature of one entry row (the host's verifyEntryRow); true or the reason it fails. */
  verifyEntry(row: BundleEntry): true | string;
  /** Content hash of an entry the receiver already has, undefined if it has none with that id. */
  existingEntryHash(id: string): string | undefined;
  /** The receiver's current state of a document; undefined when it does not hold it. */
  loadDoc(documentId: string): A.Doc<unknown> | undefined;
  /** Conflict detection after the merge; default: the chart watch list. */
  watch?: WatchConfig;
}

export interface BundleDocPlan {
  documentId: string;
  /** True when the receiver did not hold the document (create it, e.g. repo.import). */
  isNew: boolean;
  /** Heads before, for the host's own conflict bookkeeping. */
  before: string[];
  /** The merged document to store (handle.update(() => doc), or save it). */
  doc: A.Doc<unknown>;
  changes: Uint8Array[];
  conflicts: ConflictRecord[];
}

export interface BundleImportPlan {
  bundleId: string;
  fromDevice: string;
  fromDeviceName: string;
  sequence: number;
  created: string;
  docs: BundleDocPlan[];
  /** Entries to insert (verified, not yet held). */
  entries: BundleEntry[];
  /** Entries the receiver already held, identical: nothing to do. */
  alreadyHeld: number;
}

export function openBundle(file: Uint8Array, ctx: BundleImportContext): BundleImportPlan {
  const parts = split(file);
  if (!parts) throw new BundleError('not-a-bundle', 'This file is not a Sijill bundle, or it is damaged.');
  const h = parts.header;
  if (h.version !== BUNDLE_VERSION) {
    throw new BundleError(
      'unsupported-version',
      `This bundle uses format version ${h.version}; this device reads version ${BUNDLE_VERSION}. Update the device.`,
    );
  }
  if (h.toClinic !== ctx.clinicId) {
    throw new BundleError(
      'foreign-clinic',
      `This bundle was made for another clinic (${h.toClinic}), not this one (${ctx.clinicId}).`,
    );
  }
  const sender = ctx.roster.devices.get(h.fromDevice);
  if (!sender)
    throw new BundleError(
      'unknown-sender',
      `This bundle was written by device ${h.fromDevice}, which is not enrolled in this clinic.`,
    );
  if (!isActiveDevice(ctx.roster, h.fromDevice)) {
    throw new BundleError(
      'revoked-sender',
      `This bundle was written by device “${sender.name}” (${h.fromDevice}), which was revoked on ${sender.revokedAt}. It is refused.`,
    );
  }
  if (!verifySignature(sender.publicKey, signingMessage(parts.signedPart), parts.signature)) {
    throw new BundleError(
      'bad-signature',
      `This bundle has been altered since device “${sender.name}” wrote it (its signature does not match). It is refused.`,
    );
  }
  let payloadBytes: Uint8Array;
  try {
    payloadBytes = openSealed(ctx.clinicSecretKey, parts.sealed, BUNDLE_SEAL_CONTEXT, parts.headerBytes);
  } catch {
    throw new BundleError('undecryptable', 'This bundle cannot be decrypted with this clinic’s key.');
  }
  if (ctx.seen({ bundleId: h.bundleId, fromDevice: h.fromDevice, sequence: h.sequence })) {
    throw new BundleError(
      'replayed',
      `This bundle (number ${h.sequence} from “${sender.name}”) was already imported. Nothing was changed.`,
    );
  }
  let payload: BundlePayload;
  try {
    const r = BundlePayload.safeParse(cbor.decode(payloadBytes));
    if (!r.success || r.data.bundleId !== h.bundleId) throw new Error('payload');
    payload = r.data;
  } catch {
    throw new BundleError('malformed-payload', 'The bundle’s contents are not readable.');
  }

  const entries = checkEntries(payload.entries, ctx);

  const docs: BundleDocPlan[] = [];
  const seenDocs = new Set<string>();
  for (const d of payload.docs) {
    if (seenDocs.has(d.documentId)) throw new BundleError('malformed-payload', 'The bundle lists a document twice.');
    seenDocs.add(d.documentId);
    const current = ctx.loadDoc(d.documentId);
    const start = current ?? A.init<unknown>();
    let doc: A.Doc<unknown>;
    try {
      [doc] = A.applyChanges(A.clone(start), d.changes);
    } catch {
      throw new BundleError('malformed-payload', 'The bundle contains document changes that cannot be read.');
    }
    if (A.getMissingDeps(doc, []).length > 0 || !A.hasHeads(doc, d.heads)) {
      throw new BundleError(
        'missing-base',
        `This bundle builds on earlier changes this device does not have yet. Import the earlier bundles from “${sender.name}” first, or sync once over the network.`,
      );
    }
    const before = A.getHeads(start);
    docs.push({
      documentId: d.documentId,
      isNew: current === undefined,
      before,
      doc,
      changes: d.changes,
      conflicts: detectConflicts(d.documentId, doc, before, ctx.watch ?? CHART_WATCH),
    });
  }
  return {
    bundleId: h.bundleId,
    fromDevice: h.fromDevice,
    fromDeviceName: sender.name,
    sequence: h.sequence,
    created: h.created,
    docs,
    entries: entries.fresh,
    alreadyHeld: entries.alreadyHeld,
  };
}
