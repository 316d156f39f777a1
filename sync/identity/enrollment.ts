// Enrolling a device, in three messages the host carries however it likes (LAN
// request before any sync session exists, or a file):
//   1. An administrator on an enrolled device creates a one-time code (typed, or
//      scanned as a QR that also pins the enrolling device's key).
//   2. The new device sends a join request: its public key and name, signed by its
//      own key (possession) and MACed with the code key (it was given the code).
//   3. The enrolling device checks the MAC against its pending codes, consumes the
//      code (single use), signs a roster addition, and answers with a grant: the
//      roster, the clinic key sealed to the new device, and its own MAC with the
//      code key — so the new device knows it joined the clinic that issued the code,
//      not an impostor on the LAN.
import { cbor } from '@automerge/automerge-repo';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { equalBytes, framed, fromB64u, plain, randomBytes, toB64u, toHex } from './bytes';
import {
  assertDeviceId,
  clinicPublicKeyOf,
  deviceX25519PublicKey,
  verifySignature,
  type DeviceIdentity,
} from './device';
import {
  enrollmentCodeKey,
  EnrollmentCodeError,
  newCodeId,
  newEnrollmentCode,
  normalizeEnrollmentCode,
} from './enrollment-code';
import { addDeviceOp, buildRoster, isActiveDevice, type Roster, type RosterAnchor } from './roster';
import { decodeRosterOp, encodeRosterOp, rosterOpHash, type SignedRosterOp } from './roster-ops';
import { sealTo } from './sealed-box';

/** The host's row for a code it issued. The code itself is never stored, only its key. */
export interface PendingEnrollmentCode {
  id: string;
  clinicId: string;
  /** The enrolling device. */
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  key: Uint8Array;
  /** Whether the joining device becomes an administrator device. */
  admin: boolean;
  /** The administrator (user id) who issued the code; recorded in the roster addition. */
  approvedBy: string | null;
  usedAt: string | null;
  failures: number;
}

/**
 * Host contract (SQLite, synchronous). `consume` must be atomic — e.g.
 * `UPDATE … SET used_at=? WHERE id=? AND used_at IS NULL` and report changes === 1 —
 * so a code is used once even with two requests racing.
 */
export interface EnrollmentCodeStore {
  save(code: PendingEnrollmentCode): void;
  /** Codes of the clinic not used, not expired at `now`, below MAX_CODE_FAILURES. */
  active(clinicId: string, now: string): PendingEnrollmentCode[];
  consume(id: string, at: string): boolean;
  /** One failed attempt against each of these codes. */
  recordFailure(ids: string[]): void;
}

export const MAX_CODE_FAILURES = 5;
const MAX_TTL_MS = 24 * 3600_000;
const JOIN_LABEL = 'sijill/enroll-join/v1';
const GRANT_LABEL = 'sijill/enroll-grant/v1';
const CLINIC_KEY_CONTEXT = 'enroll-clinic-key';

export class EnrollmentError extends Error {
  override name = 'EnrollmentError';
  constructor(
    readonly code: 'malformed' | 'bad-code' | 'code-used' | 'already-enrolled' | 'wrong-clinic' | 'bad-grant',
    message: string,
  ) {
    super(message);
  }
}

export interface EnrollmentQr {
  code: string;
  clinicId: string;
  enrollerDeviceId: string;
  enrollerKey: Uint8Array;
  expiresAt: string;
  /** Where the enrolling device listens, if the host wants the QR to say (host:port). */
  address?: string;
}

export function formatEnrollmentQr(q: EnrollmentQr): string {
  const p = new URLSearchParams({
    v: '1',
    code: normalizeEnrollmentCode(q.code),
    clinic: q.clinicId,
    dev: q.enrollerDeviceId,
    key: toB64u(q.enrollerKey),
    exp: q.expiresAt,
  });
  if (q.address) p.set('addr', q.address);
  return `sijill://enroll?${p.toString()}`;
}

export function parseEnrollmentQr(text: string): EnrollmentQr {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EnrollmentError('malformed', 'This QR code is not a Sijill enrollment code.');
  }
  const p = url.searchParams;
  const get = (k: string) => p.get(k) ?? '';
  if (url.protocol !== 'sijill:' || url.host !== 'enroll' || get('v') !== '1') {
    throw new EnrollmentError('malformed', 'This QR code is not a Sijill enrollment code.');
  }
  try {
    normalizeEnrollmentCode(get('code'));
    assertDeviceId(get('dev'));
    const enrollerKey = fromB64u(get('key'));
    if (enrollerKey.length !== 32 || !get('clinic') || Number.isNaN(Date.parse(get('exp')))) throw new Error('fields');
    const out: EnrollmentQr = {
      code: get('code'),
      clinicId: get('clinic'),
      enrollerDeviceId: get('dev'),
      enrollerKey,
      expiresAt: get('exp'),
    };
    if (p.has('addr')) out.address = get('addr');
    return out;
  } catch (e) {
    if (e instanceof EnrollmentCodeError) throw new EnrollmentError('malformed', e.message);
    throw new EnrollmentError('malformed', 'This QR code is damaged or incomplete.');
  }
}

/** Step 1, on the enrolling device: issue a code and store its pending row. */
export function issueEnrollmentCode(args: {
  store: EnrollmentCodeStore;
  roster: Roster;
  enroller: DeviceIdentity;
  now: Date;
  ttlMs?: number;
  admin?: boolean;
  approvedBy?: string | null;
  address?: string;
}): { code: string; qr: string; pending: PendingEnrollmentCode } {
  if (
    !isActiveDevice(args.roster, args.enroller.deviceId, args.enroller.publicKey) ||
    !args.roster.devices.get(args.enroller.deviceId)?.admin
  ) {
    throw new EnrollmentError('wrong-clinic', 'Only an enrolled administrator device can issue enrollment codes.');
  }
  const ttl = Math.min(args.ttlMs ?? 10 * 60_000, MAX_TTL_MS);
  const code = newEnrollmentCode();
  const expiresAt = new Date(args.now.getTime() + ttl).toISOString();
  const pending: PendingEnrollmentCode = {
    id: newCodeId(),
    clinicId: args.roster.clinicId,
    createdBy: args.enroller.deviceId,
    createdAt: args.now.toISOString(),
    expiresAt,
    key: enrollmentCodeKey(code),
    admin: args.admin ?? false,
    approvedBy: args.approvedBy ?? null,
    usedAt: null,
    failures: 0,
  };
  args.store.save(pending);
  const qr = formatEnrollmentQr({
    code,
    clinicId: args.roster.clinicId,
    enrollerDeviceId: args.enroller.deviceId,
    enrollerKey: args.enroller.publicKey,
    expiresAt,
    ...(args.address ? { address: args.address } : {}),
  });
  return { code, qr, pending };
}

const bytes = (len?: number) =>
  z.custom<Uint8Array>((v) => v instanceof Uint8Array && (len === undefined || v.length === len)).transform(plain);

const JoinRequest = z.strictObject({
  v: z.literal(1),
  t: z.literal('join'),
  clinicId: z.string().max(64).nullable(),
  deviceId: z.string(),
  publicKey: bytes(32),
  name: z.string().min(1).max(120),
  at: z.string().max(40),
  nonce: bytes(16),
  mac: bytes(32),
  sig: bytes(64),
});
type JoinRequest = z.infer<typeof JoinRequest>;

const joinMessage = (r: Omit<JoinRequest, 'mac' | 'sig' | 'v' | 't'>) =>
  framed(JOIN_LABEL, r.clinicId ?? '', r.deviceId, r.publicKey, r.name, r.at, r.nonce);

/** Step 2, on the new device. Keep `codeKey` and `request` to check the grant. */
export function createJoinRequest(args: {
  code: string;
  identity: DeviceIdentity;
  deviceName: string;
  now: Date;
  /** From the QR; null when the code was typed. */
  clinicId?: string | null;
}): { request: Uint8Array; codeKey: Uint8Array } {
  let codeKey: Uint8Array;
  try {
    codeKey = enrollmentCodeKey(args.code);
  } catch (e) {
    throw new EnrollmentError('malformed', (e as Error).message);
  }
  const fields = {
    clinicId: args.clinicId ?? null,
    deviceId: args.identity.deviceId,
    publicKey: args.identity.publicKey,
    name: args.deviceName,
    at: args.now.toISOString(),
    nonce: randomBytes(16),
  };
  const msg = joinMessage(fields);
  const request: JoinRequest = {
    v: 1,
    t: 'join',
    ...fields,
    mac: hmac(sha256, codeKey, msg),
    sig: args.identity.sign(msg),
  };
  return { request: new Uint8Array(cbor.encode(request)), codeKey };
}

const Grant = z.strictObject({
  v: z.literal(1),
  t: z.literal('grant'),
  clinicId: z.string(),
  genesis: z.string(),
  addOp: z.string(),
  enroller: z.string(),
  ops: z.array(bytes()).max(100_000),
  clinicKeyBox: bytes(),
  mac: bytes(32),
});

const grantMessage = (requestHash: Uint8Array, clinicId: string, genesis: string, addOp: string, enroller: string) =>
  framed(GRANT_LABEL, requestHash, clinicId, genesis, addOp, enroller);

function decode<T>(schema: z.ZodType<T>, data: Uint8Array, what: string): T {
  let raw: unknown;
  try {
    raw = cbor.decode(data);
  } catch {
    throw new EnrollmentError('malformed', `The ${what} is not readable.`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new EnrollmentError('malformed', `The ${what} is not readable.`);
  return r.data;
}

/**
 * Step 3, on the enrolling device. Returns the roster addition (the host stores it
 * in the roster document) and the grant to send back. Refuses wrong, expired or used
 * codes; a wrong MAC counts as a failed attempt against every pending code.
 */
export function acceptJoinRequest(args: {
  request: Uint8Array;
  store: EnrollmentCodeStore;
  roster: Roster;
  anchor: RosterAnchor;
  enroller: DeviceIdentity;
  clinicSecretKey: Uint8Array;
  now: Date;
}): { op: SignedRosterOp; roster: Roster; grant: Uint8Array; deviceId: string } {
  const req = decode(JoinRequest, args.request, 'join request');
  const now = args.now.toISOString();
  try {
    assertDeviceId(req.deviceId);
  } catch {
    throw new EnrollmentError('malformed', 'The join request names an invalid device id.');
  }
  const msg = joinMessage(req);
  if (!verifySignature(req.publicKey, msg, req.sig))
    throw new EnrollmentError('malformed', 'The join request is not signed by the key it presents.');
  if (req.clinicId !== null && req.clinicId !== args.roster.clinicId) {
    throw new EnrollmentError('wrong-clinic', 'The enrollment code was issued by another clinic.');
  }
  const codes = args.store
    .active(args.roster.clinicId, now)
    .filter((c) => c.usedAt === null && c.failures < MAX_CODE_FAILURES && Date.parse(c.expiresAt) > args.now.getTime());
  const match = codes.find((c) => equalBytes(hmac(sha256, c.key, msg), req.mac));
  if (!match) {
    args.store.recordFailure(codes.map((c) => c.id));
    throw new EnrollmentError(
      'bad-code',
      'The enrollment code is wrong, expired or already used. Ask the administrator for a new code.',
    );
  }
  if (args.roster.devices.has(req.deviceId))
    throw new EnrollmentError('already-enrolled', `Device ${req.deviceId} is already on the clinic roster.`);
  if (!args.store.consume(match.id, now))
    throw new EnrollmentError('code-used', 'The enrollment code was already used.');

  const op = addDeviceOp(
    args.roster,
    args.enroller,
    { deviceId: req.deviceId, publicKey: req.publicKey, name: req.name, admin: match.admin },
    { at: now, approvedBy: match.approvedBy },
  );
  const roster = buildRoster([...args.roster.ops, op], args.anchor);
  const addOp = rosterOpHash(op);
  const clinicKeyBox = sealTo(
    deviceX25519PublicKey(req.publicKey),
    args.clinicSecretKey,
    CLINIC_KEY_CONTEXT,
    framed(args.roster.clinicId, req.deviceId),
  );
  const grant = {
    v: 1,
    t: 'grant',
    clinicId: args.roster.clinicId,
    genesis: args.anchor.genesis,
    addOp,
    enroller: args.enroller.deviceId,
    ops: roster.ops.map(encodeRosterOp),
    clinicKeyBox,
    mac: hmac(
      sha256,
      match.key,
      grantMessage(sha256(args.request), args.roster.clinicId, args.anchor.genesis, addOp, args.enroller.deviceId),
    ),
  };
  return { op, roster, grant: new Uint8Array(cbor.encode(grant)), deviceId: req.deviceId };
}

/**
 * Step 4, on the new device: checks the grant came from the holder of the code,
 * verifies the roster from its founding operation, and opens the clinic key. The
 * host then pins `anchor` and stores `ops` and `clinicSecretKey` (sealed).
 */
export function acceptEnrollmentGrant(args: {
  grant: Uint8Array;
  request: Uint8Array;
  codeKey: Uint8Array;
  identity: DeviceIdentity;
  /** From the QR, when scanned: the clinic and enrolling device it named. */
  expect?: { clinicId?: string; enrollerKey?: Uint8Array };
}): { anchor: RosterAnchor; roster: Roster; ops: SignedRosterOp[]; clinicSecretKey: Uint8Array } {
  const g = decode(Grant, args.grant, 'enrollment answer');
  const bad = (why: string) => new EnrollmentError('bad-grant', `The enrollment answer was refused: ${why}.`);
  const mac = hmac(
    sha256,
    args.codeKey,
    grantMessage(sha256(args.request), g.clinicId, g.genesis, g.addOp, g.enroller),
  );
  if (!equalBytes(mac, g.mac)) throw bad('it does not come from the device that issued the code');
  if (args.expect?.clinicId && args.expect.clinicId !== g.clinicId)
    throw bad('it names another clinic than the QR code');
  const anchor = { clinicId: g.clinicId, genesis: g.genesis };
  let ops: SignedRosterOp[];
  let roster: Roster;
  try {
    ops = g.ops.map(decodeRosterOp);
    roster = buildRoster(ops, anchor);
  } catch {
    throw bad('the clinic roster does not verify');
  }
  if (
    !roster.ops.some((op) => rosterOpHash(op) === g.addOp) ||
    !isActiveDevice(roster, args.identity.deviceId, args.identity.publicKey)
  ) {
    throw bad('this device is not on the roster it returned');
  }
  const enroller = roster.devices.get(g.enroller);
  if (!enroller || !isActiveDevice(roster, g.enroller) || !enroller.admin)
    throw bad('the enrolling device is not an administrator device');
  if (args.expect?.enrollerKey && toHex(args.expect.enrollerKey) !== toHex(enroller.publicKey))
    throw bad('the enrolling device is not the one in the QR code');
  let clinicSecretKey: Uint8Array;
  try {
    clinicSecretKey = args.identity.unseal(
      g.clinicKeyBox,
      CLINIC_KEY_CONTEXT,
      framed(g.clinicId, args.identity.deviceId),
    );
  } catch {
    throw bad('the clinic key could not be opened');
  }
  if (toHex(clinicPublicKeyOf(clinicSecretKey)) !== toHex(roster.clinicKey))
    throw bad('the clinic key does not match the roster');
  return { anchor, roster, ops: roster.ops, clinicSecretKey };
}
