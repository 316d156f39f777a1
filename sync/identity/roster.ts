// The clinic roster: which devices are enrolled, their keys, who enrolled them, and
// which are revoked. It is a set of signed operations (roster-ops.ts) forming a DAG
// rooted at the clinic's founding operation, so two administrators enrolling
// devices while offline merge by union like everything else that syncs.
//
// Validity rules (evaluated deterministically over the whole set, so every device
// holding the same operations computes the same roster):
//  1. The founding operation is the pinned anchor: its hash is stored when the
//     clinic is founded or the device enrolled, never learned from a peer.
//  2. Every other operation is signed by a device that, in the operation's causal
//     past (its ancestors), is enrolled, an administrator, and not revoked.
//  3. Revocation cuts off: an addition signed by a device D that the revocation of D
//     did not know about (not among its ancestors) is void, as is everything that
//     depends on it. A stolen laptop cannot enrol accomplices by back-dating
//     operations onto an old parent. Revocations themselves are never cut off:
//     revoking only removes trust, so two admins revoking each other leaves both revoked.
//  4. Two concurrent additions of the same device id: the one with the lower hash stands.
//  5. A device's role (clinic, field, hub) and field teams are set by `set-device-role`
//     operations of an administrator device (same rules 2 and 3 as an addition: one
//     signed by a device concurrently with that device's revocation is void). The one in
//     force is the latest: of the operations for that device, those no other one has in
//     its causal past; among several such (concurrent administrators), the latest `at`,
//     then the lower hash. A device without one is a clinic device.
import { verifySignature, type DeviceIdentity } from './device';
import { toHex } from './bytes';
import {
  MAX_DEVICE_TEAMS,
  TEAM_ID,
  parseRosterOpBody,
  rosterOpHash,
  rosterSigningMessage,
  signRosterOp,
  type DeviceRoleName,
  type RosterOpBody,
  type SignedRosterOp,
} from './roster-ops';
import { generateClinicKey } from './device';

export interface RosterAnchor {
  clinicId: string;
  /** Hash of the founding operation. */
  genesis: string;
}

export interface RosterDevice {
  deviceId: string;
  publicKey: Uint8Array;
  name: string;
  admin: boolean;
  enrolledBy: string;
  enrolledAt: string;
  approvedBy: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  /** 'clinic' unless an administrator set another role (rule 5). */
  role: DeviceRoleName;
  /** Field teams (a field device only). */
  teamIds: string[];
  /** The administrator device that set the role in force, and when; null for the default. */
  roleSetBy: string | null;
  roleSetAt: string | null;
}

export interface Roster {
  clinicId: string;
  clinicName: string;
  /** The clinic's X25519 public key: bundles are encrypted to it. */
  clinicKey: Uint8Array;
  genesis: string;
  /** Accepted operations no other accepted operation cites: parents for the next one. */
  heads: string[];
  devices: ReadonlyMap<string, RosterDevice>;
  /** Accepted operations, parents before children. */
  ops: SignedRosterOp[];
  /** Operations present but void, with the reason (shown to administrators). */
  rejected: { hash: string; reason: string }[];
}

export class RosterError extends Error {
  override name = 'RosterError';
}

interface Node {
  hash: string;
  op: SignedRosterOp;
  body: RosterOpBody;
}

/** Founds a clinic: the first device is its first administrator. */
export function foundClinic(args: {
  founder: DeviceIdentity;
  clinicId: string;
  clinicName: string;
  deviceName: string;
  at: string;
}): { op: SignedRosterOp; anchor: RosterAnchor; clinicSecretKey: Uint8Array } {
  const clinicKey = generateClinicKey();
  const op = signRosterOp(
    {
      v: 1,
      kind: 'found',
      clinicId: args.clinicId,
      at: args.at,
      by: args.founder.deviceId,
      parents: [],
      clinicName: args.clinicName,
      clinicKey: clinicKey.publicKey,
      device: { deviceId: args.founder.deviceId, publicKey: args.founder.publicKey, name: args.deviceName },
    },
    args.founder.sign,
  );
  return { op, anchor: { clinicId: args.clinicId, genesis: rosterOpHash(op) }, clinicSecretKey: clinicKey.secretKey };
}

function assertAdmin(roster: Roster, signer: DeviceIdentity): void {
  const me = roster.devices.get(signer.deviceId);
  if (!me || me.revokedAt || !me.admin || toHex(me.publicKey) !== toHex(signer.publicKey)) {
    throw new RosterError('this device is not an active administrator device of the clinic');
  }
}

/** An administrator device adds a device (normally via acceptJoinRequest, after the code check). */
export function addDeviceOp(
  roster: Roster,
  signer: DeviceIdentity,
  device: { deviceId: string; publicKey: Uint8Array; name: string; admin?: boolean },
  opts: { at: string; approvedBy?: string | null },
): SignedRosterOp {
  assertAdmin(roster, signer);
  if (roster.devices.has(device.deviceId)) throw new RosterError(`device ${device.deviceId} is already on the roster`);
  return signRosterOp(
    {
      v: 1,
      kind: 'add',
      clinicId: roster.clinicId,
      at: opts.at,
      by: signer.deviceId,
      parents: [...roster.heads],
      device: {
        deviceId: device.deviceId,
        publicKey: device.publicKey,
        name: device.name,
        admin: device.admin ?? false,
      },
      approvedBy: opts.approvedBy ?? null,
    },
    signer.sign,
  );
}

export function revokeDeviceOp(
  roster: Roster,
  signer: DeviceIdentity,
  deviceId: string,
  opts: { at: string; reason: string },
): SignedRosterOp {
  assertAdmin(roster, signer);
  const target = roster.devices.get(deviceId);
  if (!target) throw new RosterError(`device ${deviceId} is not on the roster`);
  if (target.revokedAt) throw new RosterError(`device ${deviceId} is already revoked`);
  return signRosterOp(
    {
      v: 1,
      kind: 'revoke',
      clinicId: roster.clinicId,
      at: opts.at,
      by: signer.deviceId,
      parents: [...roster.heads],
      deviceId,
      reason: opts.reason,
    },
    signer.sign,
  );
}

/** An administrator device sets a device's role and (field devices only) its teams. */
export function setDeviceRoleOp(
  roster: Roster,
  signer: DeviceIdentity,
  deviceId: string,
  assignment: { role: DeviceRoleName; teamIds?: readonly string[] },
  opts: { at: string },
): SignedRosterOp {
  assertAdmin(roster, signer);
  const target = roster.devices.get(deviceId);
  if (!target) throw new RosterError(`device ${deviceId} is not on the roster`);
  if (target.revokedAt) throw new RosterError(`device ${deviceId} is revoked`);
  const teamIds = [...new Set(assignment.teamIds ?? [])].sort();
  if (assignment.role !== 'field' && teamIds.length > 0)
    throw new RosterError('only a field device belongs to field teams');
  const bad = teamIds.find((t) => !TEAM_ID.test(t));
  if (bad !== undefined) throw new RosterError(`not a team id: ${bad}`);
  if (teamIds.length > MAX_DEVICE_TEAMS) throw new RosterError(`at most ${MAX_DEVICE_TEAMS} teams per device`);
  return signRosterOp(
    {
      v: 1,
      kind: 'set-device-role',
      clinicId: roster.clinicId,
      at: opts.at,
      by: signer.deviceId,
      parents: [...roster.heads],
      deviceId,
      role: assignment.role,
      teamIds,
    },
    signer.sign,
  );
}

/** True when the device is enrolled, not revoked, and (if given) holds this public key. */
export function isActiveDevice(roster: Roster, deviceId: string, publicKey?: Uint8Array): boolean {
  const d = roster.devices.get(deviceId);
  if (!d || d.revokedAt !== null) return false;
  return publicKey === undefined || toHex(d.publicKey) === toHex(publicKey);
}

/** Applies accepted operations (parents first) to an empty device list. */
function fold(nodes: Node[]): Map<string, RosterDevice> {
  const devices = new Map<string, RosterDevice>();
  for (const { body } of nodes) {
    if (body.kind === 'found' || body.kind === 'add') {
      if (devices.has(body.device.deviceId)) continue;
      devices.set(body.device.deviceId, {
        deviceId: body.device.deviceId,
        publicKey: body.device.publicKey,
        name: body.device.name,
        admin: body.kind === 'found' ? true : body.device.admin,
        enrolledBy: body.by,
        enrolledAt: body.at,
        approvedBy: body.kind === 'add' ? body.approvedBy : null,
        revokedAt: null,
        revokedBy: null,
        revokeReason: null,
        role: 'clinic',
        teamIds: [],
        roleSetBy: null,
        roleSetAt: null,
      });
    } else if (body.kind === 'revoke') {
      const d = devices.get(body.deviceId);
      if (d && d.revokedAt === null)
        devices.set(body.deviceId, { ...d, revokedAt: body.at, revokedBy: body.by, revokeReason: body.reason });
    }
  }
  return devices;
}

/** Rule 5: the role operation in force for each device, applied to the folded device list. */
function withRoles(
  devices: Map<string, RosterDevice>,
  accepted: Node[],
  ancestors: Map<string, Set<string>>,
): Map<string, RosterDevice> {
  const byDevice = new Map<string, Node[]>();
  for (const n of accepted)
    if (n.body.kind === 'set-device-role') byDevice.set(n.body.deviceId, [...(byDevice.get(n.body.deviceId) ?? []), n]);
  for (const [deviceId, ops] of byDevice) {
    const d = devices.get(deviceId);
    if (!d) continue;
    const latest = ops.filter((n) => !ops.some((m) => m !== n && ancestors.get(m.hash)!.has(n.hash)));
    const time = (n: Node) => Date.parse(n.body.at);
    latest.sort((a, b) => time(b) - time(a) || (a.hash < b.hash ? -1 : 1));
    const w = latest[0]!.body;
    if (w.kind !== 'set-device-role') continue;
    devices.set(deviceId, { ...d, role: w.role, teamIds: [...w.teamIds], roleSetBy: w.by, roleSetAt: w.at });
  }
  return devices;
}

/** Parents-first order; among ready operations the lowest hash goes first (determinism). */
function topoOrder(nodes: Map<string, Node>): { order: Node[]; orphans: string[] } {
  const children = new Map<string, string[]>();
  const waiting = new Map<string, number>();
  for (const n of nodes.values()) {
    const missing = n.body.parents.filter((p) => !nodes.has(p));
    if (missing.length > 0) continue;
    waiting.set(n.hash, n.body.parents.length);
    for (const p of n.body.parents) children.set(p, [...(children.get(p) ?? []), n.hash]);
  }
  const ready = [...waiting].filter(([, w]) => w === 0).map(([h]) => h);
  const order: Node[] = [];
  while (ready.length > 0) {
    ready.sort();
    const h = ready.shift()!;
    order.push(nodes.get(h)!);
    for (const c of children.get(h) ?? []) {
      const w = waiting.get(c);
      if (w === undefined) continue;
      waiting.set(c, w - 1);
      if (w - 1 === 0) ready.push(c);
    }
  }
  const placed = new Set(order.map((n) => n.hash));
  return { order, orphans: [...nodes.keys()].filter((h) => !placed.has(h)) };
}

/**
 * Verifies a set of roster operations against the pinned anchor and computes the
 * roster. Throws only when the founding operation is missing or invalid; any other
 * bad operation is listed in `rejected` and has no effect.
 */
export function buildRoster(ops: Iterable<SignedRosterOp>, anchor: RosterAnchor): Roster {
  const rejected = new Map<string, string>();
  const nodes = new Map<string, Node>();
  for (const op of ops) {
    const hash = rosterOpHash(op);
    if (nodes.has(hash)) continue;
    const body = parseRosterOpBody(op);
    if (!body) rejected.set(hash, 'malformed operation');
    else if (body.clinicId !== anchor.clinicId) rejected.set(hash, 'operation of another clinic');
    else if (body.kind === 'found' && hash !== anchor.genesis) rejected.set(hash, 'a second founding operation');
    else if (body.kind !== 'found' && body.parents.length === 0) rejected.set(hash, 'operation without parents');
    else nodes.set(hash, { hash, op, body });
  }
  const genesis = nodes.get(anchor.genesis);
  if (!genesis || genesis.body.kind !== 'found' || genesis.body.parents.length > 0) {
    throw new RosterError('the clinic founding operation is missing');
  }
  if (
    genesis.body.by !== genesis.body.device.deviceId ||
    !verifySignature(genesis.body.device.publicKey, rosterSigningMessage(genesis.op.body), genesis.op.sig)
  ) {
    throw new RosterError('the clinic founding operation is not validly signed');
  }

  const { order, orphans } = topoOrder(nodes);
  for (const h of orphans) rejected.set(h, 'an ancestor operation is missing');
  const ancestors = new Map<string, Set<string>>();
  for (const n of order) {
    const set = new Set<string>();
    for (const p of n.body.parents) {
      set.add(p);
      for (const a of ancestors.get(p)!) set.add(a);
    }
    ancestors.set(n.hash, set);
  }
  const sigCache = new Map<string, boolean>();
  const sigOk = (n: Node, key: Uint8Array) => {
    const k = `${n.hash}:${toHex(key)}`;
    if (!sigCache.has(k)) sigCache.set(k, verifySignature(key, rosterSigningMessage(n.op.body), n.op.sig));
    return sigCache.get(k)!;
  };

  // Rule 3 and 4 need to know the outcome of other operations, so evaluate to a
  // fixpoint. `excluded` only grows, so this ends within |ops| rounds.
  const excluded = new Map<string, string>();
  let accepted: Set<string>;
  let reasons: Map<string, string>;
  for (;;) {
    ({ accepted, reasons } = evaluate(order, ancestors, excluded, sigOk));
    const more = cutOff(order, ancestors, accepted);
    const fresh = [...more].filter(([h]) => !excluded.has(h));
    if (fresh.length === 0) break;
    for (const [h, why] of fresh) excluded.set(h, why);
  }
  for (const [h, why] of reasons) rejected.set(h, why);

  const acceptedNodes = order.filter((n) => accepted.has(n.hash));
  const cited = new Set(acceptedNodes.flatMap((n) => n.body.parents));
  return {
    clinicId: anchor.clinicId,
    clinicName: genesis.body.clinicName,
    clinicKey: genesis.body.clinicKey,
    genesis: anchor.genesis,
    heads: acceptedNodes.filter((n) => !cited.has(n.hash)).map((n) => n.hash),
    devices: withRoles(fold(acceptedNodes), acceptedNodes, ancestors),
    ops: acceptedNodes.map((n) => n.op),
    rejected: [...rejected].map(([hash, reason]) => ({ hash, reason })).sort((a, b) => a.hash.localeCompare(b.hash)),
  };
}

function evaluate(
  order: Node[],
  ancestors: Map<string, Set<string>>,
  excluded: Map<string, string>,
  sigOk: (n: Node, key: Uint8Array) => boolean,
): { accepted: Set<string>; reasons: Map<string, string> } {
  const accepted = new Set<string>();
  const reasons = new Map<string, string>();
  for (const n of order) {
    const reason = judge(n);
    if (reason) reasons.set(n.hash, reason);
    else accepted.add(n.hash);
  }
  return { accepted, reasons };

  function judge(n: Node): string | undefined {
    const { body } = n;
    if (body.kind === 'found') return undefined; // the anchor, checked by the caller
    const cut = excluded.get(n.hash);
    if (cut) return cut;
    if (body.parents.some((p) => !accepted.has(p))) return 'depends on a rejected operation';
    const anc = ancestors.get(n.hash)!;
    const past = fold(order.filter((m) => accepted.has(m.hash) && anc.has(m.hash)));
    const signer = past.get(body.by);
    if (!signer) return 'signed by a device that is not enrolled';
    if (signer.revokedAt) return 'signed by a revoked device';
    if (!signer.admin) return 'signed by a device that is not an administrator device';
    if (!sigOk(n, signer.publicKey)) return 'signature does not verify';
    if (body.kind === 'add' && past.has(body.device.deviceId)) return 'device already enrolled';
    if (body.kind === 'revoke') {
      const target = past.get(body.deviceId);
      if (!target) return 'revokes a device that is not enrolled';
      if (target.revokedAt) return 'device already revoked';
    }
    if (body.kind === 'set-device-role') {
      const target = past.get(body.deviceId);
      if (!target) return 'sets the role of a device that is not enrolled';
      if (target.revokedAt) return 'sets the role of a revoked device';
    }
    return undefined;
  }
}

function cutOff(order: Node[], ancestors: Map<string, Set<string>>, accepted: Set<string>): Map<string, string> {
  const out = new Map<string, string>();
  const live = order.filter((n) => accepted.has(n.hash));
  for (const r of live) {
    if (r.body.kind !== 'revoke') continue;
    const revoked = r.body.deviceId;
    const known = ancestors.get(r.hash)!;
    for (const x of live) {
      if ((x.body.kind === 'add' || x.body.kind === 'set-device-role') && x.body.by === revoked && !known.has(x.hash)) {
        out.set(x.hash, `signed by ${revoked} concurrently with its revocation`);
      }
    }
  }
  const firstAdd = new Map<string, Node>();
  for (const x of live) {
    if (x.body.kind !== 'add') continue;
    const id = x.body.device.deviceId;
    const prior = firstAdd.get(id);
    if (!prior) firstAdd.set(id, x);
    else {
      const loser = prior.hash < x.hash ? x : prior;
      if (loser === prior) firstAdd.set(id, x);
      out.set(loser.hash, `device ${id} was enrolled concurrently by another operation`);
    }
  }
  return out;
}
