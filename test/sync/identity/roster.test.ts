// The clinic roster: a DAG of signed operations from the founding device. Verified
// deterministically; forged, foreign and back-dated operations have no effect.
import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import {
  addDeviceOp,
  buildRoster,
  decodeRosterOp,
  encodeRosterOp,
  foundClinic,
  generateDeviceIdentity,
  isActiveDevice,
  putRosterOps,
  revokeDeviceOp,
  rosterOpHash,
  rosterOpsOf,
  signRosterOp,
  RosterError,
  type RosterDoc,
  type SignedRosterOp,
} from '../../../sync';
import { makeClinic } from './clinic-fixture';

const T = (s: number) => new Date(Date.UTC(2025, 2, 1, 9, 0, s)).toISOString();
const dev = (id: string) => generateDeviceIdentity(id).identity;

describe('founding and enrolling', () => {
  it('the founder is the first administrator; additions record who, when and approval', () => {
    const c = makeClinic(['desk', 'lap'], 'clinic-r');
    const r = c.roster();
    expect(r.clinicId).toBe('clinic-r');
    expect(r.clinicKey).toHaveLength(32);
    const desk = r.devices.get(c.devices.desk!.deviceId)!;
    const lap = r.devices.get(c.devices.lap!.deviceId)!;
    expect(desk.admin).toBe(true);
    expect(lap).toMatchObject({
      name: 'lap',
      admin: false,
      enrolledBy: desk.deviceId,
      approvedBy: 'admin-user',
      revokedAt: null,
    });
    expect(isActiveDevice(r, lap.deviceId, c.devices.lap!.publicKey)).toBe(true);
    expect(isActiveDevice(r, lap.deviceId, c.devices.desk!.publicKey)).toBe(false); // wrong key
    expect(r.heads).toHaveLength(1);
    expect(r.rejected).toEqual([]);
  });

  it('revocation: the device stays listed with when and why', () => {
    const c = makeClinic(['desk', 'lap']);
    c.revoke('lap');
    const lap = c.roster().devices.get(c.devices.lap!.deviceId)!;
    expect(lap.revokedAt).not.toBeNull();
    expect(lap.revokeReason).toBe('lost');
    expect(isActiveDevice(c.roster(), lap.deviceId)).toBe(false);
  });

  it('the result does not depend on the order operations arrive in', () => {
    const c = makeClinic(['desk', 'a', 'b', 'c']);
    c.revoke('b');
    const shuffled = [...c.ops].reverse();
    const r2 = buildRoster(shuffled, c.anchor);
    expect([...r2.devices.values()]).toEqual([...c.roster().devices.values()]);
    expect(r2.heads).toEqual(c.roster().heads);
  });

  it('only an active administrator device can sign roster changes (local guard)', () => {
    const c = makeClinic(['desk', 'lap']);
    expect(() =>
      addDeviceOp(
        c.roster(),
        c.devices.lap!,
        { deviceId: 'x', publicKey: dev('x').publicKey, name: 'x' },
        { at: T(1) },
      ),
    ).toThrow(RosterError);
    expect(() => revokeDeviceOp(c.roster(), c.devices.desk!, 'nobody', { at: T(1), reason: '' })).toThrow(
      /not on the roster/,
    );
  });
});

describe('refused operations have no effect', () => {
  it('missing or forged founding operation: the roster cannot be built', () => {
    const c = makeClinic(['desk']);
    expect(() => buildRoster([], c.anchor)).toThrow(/founding operation is missing/);
    const impostor = dev('impostor');
    const forged: SignedRosterOp = { body: c.ops[0]!.body, sig: impostor.sign(c.ops[0]!.body) };
    expect(() => buildRoster([forged], c.anchor)).toThrow(/not validly signed/);
    const other = foundClinic({
      founder: impostor,
      clinicId: c.clinicId,
      clinicName: 'Fake',
      deviceName: 'x',
      at: T(0),
    });
    expect(() => buildRoster([other.op], c.anchor)).toThrow(/missing/);
  });

  it('an addition signed by a non-admin, an unknown device, or with a bad signature is rejected', () => {
    const c = makeClinic(['desk', 'lap']);
    const r = c.roster();
    const body = (by: string) => ({
      v: 1 as const,
      kind: 'add' as const,
      clinicId: c.clinicId,
      at: T(5),
      by,
      parents: r.heads,
      device: { deviceId: 'evil', publicKey: dev('evil').publicKey, name: 'evil', admin: true },
      approvedBy: null,
    });
    const byLaptop = signRosterOp(body(c.devices.lap!.deviceId), c.devices.lap!.sign);
    const stranger = dev('stranger');
    const byStranger = signRosterOp(body('stranger'), stranger.sign);
    const badSig = { ...signRosterOp(body(c.devices.desk!.deviceId), c.devices.desk!.sign) };
    badSig.sig = new Uint8Array(badSig.sig);
    badSig.sig[0]! ^= 1;
    const r2 = buildRoster([...c.ops, byLaptop, byStranger, badSig], c.anchor);
    expect(r2.devices.has('evil')).toBe(false);
    const reasons = Object.fromEntries(r2.rejected.map((x) => [x.hash, x.reason]));
    expect(reasons[rosterOpHash(byLaptop)]).toMatch(/not an administrator/);
    expect(reasons[rosterOpHash(byStranger)]).toMatch(/not enrolled/);
    expect(reasons[rosterOpHash(badSig)]).toMatch(/signature/);
  });

  it('operations of another clinic, malformed bytes and orphans are rejected', () => {
    const c = makeClinic(['desk']);
    const other = makeClinic(['d2'], 'clinic-other');
    const junk: SignedRosterOp = { body: new Uint8Array([1, 2, 3]), sig: new Uint8Array(64) };
    const orphan = signRosterOp(
      {
        v: 1,
        kind: 'revoke',
        clinicId: c.clinicId,
        at: T(1),
        by: c.devices.desk!.deviceId,
        parents: ['ab'.repeat(32)],
        deviceId: c.devices.desk!.deviceId,
        reason: '',
      },
      c.devices.desk!.sign,
    );
    const refound = foundClinic({
      founder: dev('re'),
      clinicId: c.clinicId,
      clinicName: 'Again',
      deviceName: 're',
      at: T(2),
    }).op;
    const r = buildRoster([...c.ops, ...other.ops, junk, orphan, refound], c.anchor);
    expect(r.devices.size).toBe(1);
    expect(r.rejected.map((x) => x.reason).sort()).toEqual(
      [
        'a second founding operation',
        'an ancestor operation is missing',
        'malformed operation',
        'operation of another clinic',
      ].sort(),
    );
  });

  it('a revoked device cannot sign after its revocation', () => {
    const c = makeClinic(['desk', 'admin2'], 'clinic-a', ['admin2']);
    c.revoke('admin2');
    const late = signRosterOp(
      {
        v: 1,
        kind: 'add',
        clinicId: c.clinicId,
        at: T(9),
        by: c.devices.admin2!.deviceId,
        parents: c.roster().heads,
        device: { deviceId: 'friend', publicKey: dev('friend').publicKey, name: 'friend', admin: false },
        approvedBy: null,
      },
      c.devices.admin2!.sign,
    );
    const r = buildRoster([...c.ops, late], c.anchor);
    expect(r.devices.has('friend')).toBe(false);
    expect(r.rejected[0]!.reason).toMatch(/revoked device/);
  });
});

describe('concurrent administrators (the roster syncs like everything else)', () => {
  it('two admins enrolling offline: both additions stand after merging', () => {
    const c = makeClinic(['desk', 'admin2'], 'clinic-a', ['admin2']);
    const base = c.roster();
    const x = dev('x');
    const y = dev('y');
    const opX = addDeviceOp(base, c.devices.desk!, { deviceId: 'x', publicKey: x.publicKey, name: 'x' }, { at: T(10) });
    const opY = addDeviceOp(
      base,
      c.devices.admin2!,
      { deviceId: 'y', publicKey: y.publicKey, name: 'y' },
      { at: T(10) },
    );
    const r = buildRoster([...c.ops, opX, opY], c.anchor);
    expect(isActiveDevice(r, 'x')).toBe(true);
    expect(isActiveDevice(r, 'y')).toBe(true);
    expect(r.heads).toHaveLength(2);
  });

  it('revocation cuts off additions the revoked device signed concurrently (back-dating does not help)', () => {
    const c = makeClinic(['desk', 'thief'], 'clinic-a', ['thief']);
    const beforeTheft = c.roster();
    // The stolen admin laptop signs an addition on the old heads, with an early date…
    const accomplice = dev('accomplice');
    const backdated = addDeviceOp(
      beforeTheft,
      c.devices.thief!,
      { deviceId: 'accomplice', publicKey: accomplice.publicKey, name: 'acc', admin: true },
      { at: T(0) },
    );
    // …and the accomplice (if accepted) would enrol more devices.
    const r1 = buildRoster([...c.ops, backdated], c.anchor);
    const more = addDeviceOp(
      r1,
      accomplice,
      { deviceId: 'more', publicKey: dev('more').publicKey, name: 'more' },
      { at: T(1) },
    );
    // Meanwhile the clinic revokes the laptop without having seen the back-dated op.
    c.revoke('thief');
    const r = buildRoster([...c.ops, backdated, more], c.anchor);
    expect(isActiveDevice(r, c.devices.thief!.deviceId)).toBe(false);
    expect(r.devices.has('accomplice')).toBe(false);
    expect(r.devices.has('more')).toBe(false);
    const reasons = r.rejected.map((x) => x.reason).join('\n');
    expect(reasons).toMatch(/concurrently with its revocation/);
    expect(reasons).toMatch(/depends on a rejected operation/);
  });

  it('an addition the revoker had seen stays (revocation is not retroactive)', () => {
    const c = makeClinic(['desk', 'admin2'], 'clinic-a', ['admin2']);
    const z = dev('z');
    c.ops.push(
      addDeviceOp(c.roster(), c.devices.admin2!, { deviceId: 'z', publicKey: z.publicKey, name: 'z' }, { at: T(3) }),
    );
    const r0 = buildRoster(c.ops, c.anchor);
    c.ops.push(revokeDeviceOp(r0, c.devices.desk!, c.devices.admin2!.deviceId, { at: T(4), reason: 'left' }));
    const r = buildRoster(c.ops, c.anchor);
    expect(isActiveDevice(r, 'z')).toBe(true);
    expect(isActiveDevice(r, c.devices.admin2!.deviceId)).toBe(false);
  });

  it('two admins revoking each other concurrently: both end up revoked', () => {
    const c = makeClinic(['desk', 'a1', 'a2'], 'clinic-a', ['a1', 'a2']);
    const base = c.roster();
    const r1 = revokeDeviceOp(base, c.devices.a1!, c.devices.a2!.deviceId, { at: T(5), reason: 'x' });
    const r2 = revokeDeviceOp(base, c.devices.a2!, c.devices.a1!.deviceId, { at: T(5), reason: 'y' });
    const r = buildRoster([...c.ops, r1, r2], c.anchor);
    expect(isActiveDevice(r, c.devices.a1!.deviceId)).toBe(false);
    expect(isActiveDevice(r, c.devices.a2!.deviceId)).toBe(false);
    expect(isActiveDevice(r, c.devices.desk!.deviceId)).toBe(true);
  });

  it('the same device id enrolled concurrently with two keys: exactly one stands, the same everywhere', () => {
    const c = makeClinic(['desk', 'admin2'], 'clinic-a', ['admin2']);
    const base = c.roster();
    const k1 = dev('dup');
    const k2 = dev('dup');
    const o1 = addDeviceOp(
      base,
      c.devices.desk!,
      { deviceId: 'dup', publicKey: k1.publicKey, name: 'one' },
      { at: T(6) },
    );
    const o2 = addDeviceOp(
      base,
      c.devices.admin2!,
      { deviceId: 'dup', publicKey: k2.publicKey, name: 'two' },
      { at: T(6) },
    );
    const ra = buildRoster([...c.ops, o1, o2], c.anchor);
    const rb = buildRoster([o2, ...c.ops, o1], c.anchor);
    expect(ra.devices.get('dup')).toEqual(rb.devices.get('dup'));
    const winner = rosterOpHash(o1) < rosterOpHash(o2) ? k1 : k2;
    expect(isActiveDevice(ra, 'dup', winner.publicKey)).toBe(true);
  });

  it('roster operations travel in an Automerge document and merge by union', () => {
    const c = makeClinic(['desk', 'admin2'], 'clinic-a', ['admin2']);
    let a = A.change(A.init<RosterDoc>(), (d) => putRosterOps(d, c.ops));
    let b = A.merge(A.init<RosterDoc>(), a);
    const base = c.roster();
    a = A.change(a, (d) =>
      putRosterOps(d, [
        addDeviceOp(base, c.devices.desk!, { deviceId: 'p', publicKey: dev('p').publicKey, name: 'p' }, { at: T(7) }),
      ]),
    );
    b = A.change(b, (d) =>
      putRosterOps(d, [
        addDeviceOp(base, c.devices.admin2!, { deviceId: 'q', publicKey: dev('q').publicKey, name: 'q' }, { at: T(7) }),
      ]),
    );
    b = A.change(b, (d) => {
      d.rosterOps['junk'] = new Uint8Array([9, 9]);
    });
    const merged = A.merge(a, b);
    const r = buildRoster(rosterOpsOf(merged), c.anchor);
    expect(isActiveDevice(r, 'p') && isActiveDevice(r, 'q')).toBe(true);
    const back = decodeRosterOp(encodeRosterOp(c.ops[0]!));
    expect([Array.from(back.body), Array.from(back.sig)]).toEqual([
      Array.from(c.ops[0]!.body),
      Array.from(c.ops[0]!.sig),
    ]);
  });
});
