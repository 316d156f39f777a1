// Roster operations: the signed changes that make up a clinic's device list.
// An operation is CBOR bytes (`body`) plus an Ed25519 signature over those exact
// bytes; its hash (SHA-256 of body) is its name and what later operations cite as
// parents. Bytes are never re-encoded before verifying, so encoder differences
// between versions can never break old signatures.
import { cbor } from '@automerge/automerge-repo';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { framed, plain, toHex } from './bytes';

export const ROSTER_OP_LABEL = 'sijill/roster-op/v1';

export interface SignedRosterOp {
  body: Uint8Array;
  sig: Uint8Array;
}

const bytes = (len?: number) =>
  z
    .custom<Uint8Array>(
      (v) => v instanceof Uint8Array && (len === undefined || v.length === len),
      len ? `${len} bytes` : 'bytes',
    )
    .transform(plain);
const deviceId = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/);
const isoTime = z.string().refine((s) => /^\d{4}-\d\d-\d\dT/.test(s) && !Number.isNaN(Date.parse(s)), 'ISO timestamp');
const hash = z.string().regex(/^[0-9a-f]{64}$/);
const name = z.string().min(1).max(120);

const common = {
  v: z.literal(1),
  clinicId: z.string().min(1).max(64),
  at: isoTime,
  by: deviceId,
  parents: z.array(hash).max(256),
};

const FoundBody = z.strictObject({
  ...common,
  kind: z.literal('found'),
  clinicName: name,
  clinicKey: bytes(32),
  device: z.strictObject({ deviceId, publicKey: bytes(32), name }),
});
const AddBody = z.strictObject({
  ...common,
  kind: z.literal('add'),
  device: z.strictObject({ deviceId, publicKey: bytes(32), name, admin: z.boolean() }),
  approvedBy: z.string().max(120).nullable(),
});
const RevokeBody = z.strictObject({
  ...common,
  kind: z.literal('revoke'),
  deviceId,
  reason: z.string().max(500),
});

/** What a device is for, as the share policy reads it (sync/policy/share-policy.ts). */
export const DEVICE_ROLES = ['clinic', 'field', 'hub'] as const;
export type DeviceRoleName = (typeof DEVICE_ROLES)[number];
/** A field team's id: a short name, the same on every device (also main/api TeamId). */
export const TEAM_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
export const MAX_DEVICE_TEAMS = 32;

// An administrator sets a device's role and, for a field device, its teams. The latest
// operation for a device supersedes those in its causal past (roster.ts, rule 5).
const SetRoleBody = z
  .strictObject({
    ...common,
    kind: z.literal('set-device-role'),
    deviceId,
    role: z.enum(DEVICE_ROLES),
    teamIds: z.array(z.string().regex(TEAM_ID)).max(MAX_DEVICE_TEAMS),
  })
  .refine((b) => new Set(b.teamIds).size === b.teamIds.length, 'team ids repeat')
  .refine((b) => b.role === 'field' || b.teamIds.length === 0, 'only a field device belongs to teams');

export const RosterOpBody = z.discriminatedUnion('kind', [FoundBody, AddBody, RevokeBody, SetRoleBody]);
export type RosterOpBody = z.infer<typeof RosterOpBody>;
export type FoundOpBody = z.infer<typeof FoundBody>;
export type AddOpBody = z.infer<typeof AddBody>;
export type RevokeOpBody = z.infer<typeof RevokeBody>;
export type SetRoleOpBody = z.infer<typeof SetRoleBody>;

export const rosterOpHash = (op: SignedRosterOp): string => toHex(sha256(op.body));
export const rosterSigningMessage = (body: Uint8Array): Uint8Array => framed(ROSTER_OP_LABEL, body);

export function signRosterOp(body: RosterOpBody, sign: (m: Uint8Array) => Uint8Array): SignedRosterOp {
  const encoded = new Uint8Array(cbor.encode(RosterOpBody.parse(body)));
  return { body: encoded, sig: sign(rosterSigningMessage(encoded)) };
}

/** Parses the body; undefined when it is not a well-formed operation. */
export function parseRosterOpBody(op: SignedRosterOp): RosterOpBody | undefined {
  try {
    const r = RosterOpBody.safeParse(cbor.decode(op.body));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** One operation as bytes, for storage or for the synced roster document. */
export const encodeRosterOp = (op: SignedRosterOp): Uint8Array =>
  new Uint8Array(cbor.encode({ b: op.body, s: op.sig }));

export function decodeRosterOp(data: Uint8Array): SignedRosterOp {
  const r = z.strictObject({ b: bytes(), s: bytes(64) }).safeParse(cbor.decode(data));
  if (!r.success) throw new TypeError('not a roster operation');
  return { body: r.data.b, sig: r.data.s };
}
