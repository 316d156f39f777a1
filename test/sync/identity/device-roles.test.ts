// Device roles in the signed roster (`set-device-role`): an administrator device sets a
// device's role and field teams; every device computes the same role from the same
// operations; forged, unsigned, non-admin and back-dated operations have no effect.
import { cbor } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import {
  buildRoster,
  generateDeviceIdentity,
  rosterOpHash,
  setDeviceRoleOp,
  signRosterOp,
  RosterError,
  type RosterOpBody,
  type SignedRosterOp,
} from '../../../sync';
import { parseRosterOpBody } from '../../../sync/identity/roster-ops';
import { makeClinic } from './clinic-fixture';

const T = (s: number) => new Date(Date.UTC(2025, 3, 1, 9, 0, s)).toISOString();
const reasonOf = (r: ReturnType<typeof buildRoster>, op: SignedRosterOp) =>
  r.rejected.find((x) => x.hash === rosterOpHash(op))?.reason;

describe('set-device-role', () => {
  it('a device without the operation is a clinic device (nothing changes for existing clinics)', () => {
    const c = makeClinic(['desk', 'tab']);
    const tab = c.roster().devices.get(c.devices.tab!.deviceId)!;
    expect(tab).toMatchObject({ role: 'clinic', teamIds: [], roleSetBy: null, roleSetAt: null });
  });

  it('an administrator device sets a field role with teams; the roster records who and when', () => {
    const c = makeClinic(['desk', 'tab']);
    const tabId = c.devices.tab!.deviceId;
    c.ops.push(
      setDeviceRoleOp(c.roster(), c.devices.desk!, tabId, { role: 'field', teamIds: ['T2', 'T1', 'T1'] }, { at: T(1) }),
    );
    const r = buildRoster(c.ops, c.anchor);
    expect(r.rejected).toEqual([]);
    expect(r.devices.get(tabId)).toMatchObject({
      role: 'field',
      teamIds: ['T1', 'T2'], // sorted, once each
      roleSetBy: c.devices.desk!.deviceId,
      roleSetAt: T(1),
    });
    // A later operation supersedes it (it has the earlier one in its causal past),
    // even with an earlier clock.
    c.ops.push(setDeviceRoleOp(r, c.devices.desk!, tabId, { role: 'clinic' }, { at: T(0) }));
    expect(buildRoster(c.ops, c.anchor).devices.get(tabId)).toMatchObject({ role: 'clinic', teamIds: [] });
    // The result does not depend on the order operations arrive in.
    expect(buildRoster([...c.ops].reverse(), c.anchor).devices.get(tabId)).toMatchObject({ role: 'clinic' });
  });

  it('the local builder refuses what the roster would refuse', () => {
    const c = makeClinic(['desk', 'tab', 'lost']);
    c.revoke('lost');
    const r = c.roster();
    const tabId = c.devices.tab!.deviceId;
    expect(() => setDeviceRoleOp(r, c.devices.tab!, tabId, { role: 'field', teamIds: ['T1'] }, { at: T(1) })).toThrow(
      RosterError,
    );
    expect(() => setDeviceRoleOp(r, c.devices.desk!, 'nobody', { role: 'hub' }, { at: T(1) })).toThrow(
      /not on the roster/,
    );
    expect(() => setDeviceRoleOp(r, c.devices.desk!, c.devices.lost!.deviceId, { role: 'hub' }, { at: T(1) })).toThrow(
      /revoked/,
    );
    expect(() => setDeviceRoleOp(r, c.devices.desk!, tabId, { role: 'clinic', teamIds: ['T1'] }, { at: T(1) })).toThrow(
      /only a field device/,
    );
    expect(() =>
      setDeviceRoleOp(r, c.devices.desk!, tabId, { role: 'field', teamIds: ['bad team'] }, { at: T(1) }),
    ).toThrow(/not a team id/);
  });

  it('is refused when signed by a non-admin, an unknown device, with a forged or missing signature', () => {
    const c = makeClinic(['desk', 'tab', 'lap']);
    const r = c.roster();
    const body = (by: string): RosterOpBody => ({
      v: 1,
      kind: 'set-device-role',
      clinicId: c.clinicId,
      at: T(5),
      by,
      parents: r.heads,
      deviceId: c.devices.tab!.deviceId,
      role: 'hub',
      teamIds: [],
    });
    const byLaptop = signRosterOp(body(c.devices.lap!.deviceId), c.devices.lap!.sign);
    const stranger = generateDeviceIdentity('stranger').identity;
    const byStranger = signRosterOp(body('stranger'), stranger.sign);
    // Claims the administrator desk, signed with another key.
    const forged = signRosterOp(body(c.devices.desk!.deviceId), c.devices.lap!.sign);
    // No signature at all (zero bytes where the signature goes).
    const unsigned: SignedRosterOp = { body: forged.body, sig: new Uint8Array(64) };
    for (const op of [byLaptop, byStranger, forged, unsigned]) {
      const r2 = buildRoster([...c.ops, op], c.anchor);
      expect(r2.devices.get(c.devices.tab!.deviceId)!.role).toBe('clinic');
    }
    const r3 = buildRoster([...c.ops, byLaptop, byStranger, forged], c.anchor);
    expect(reasonOf(r3, byLaptop)).toMatch(/not an administrator/);
    expect(reasonOf(r3, byStranger)).toMatch(/not enrolled/);
    expect(reasonOf(r3, forged)).toMatch(/signature/);
    expect(reasonOf(buildRoster([...c.ops, unsigned], c.anchor), unsigned)).toMatch(/signature/);
  });

  it('is malformed (no effect) with an unknown role, teams on a non-field device, or bad team ids', () => {
    const c = makeClinic(['desk', 'tab']);
    const r = c.roster();
    const base = {
      v: 1,
      kind: 'set-device-role',
      clinicId: c.clinicId,
      at: T(6),
      by: c.devices.desk!.deviceId,
      parents: r.heads,
      deviceId: c.devices.tab!.deviceId,
    };
    for (const extra of [
      { role: 'superuser', teamIds: [] },
      { role: 'clinic', teamIds: ['T1'] },
      { role: 'field', teamIds: ['T1', 'T1'] },
      { role: 'field', teamIds: ['has space'] },
    ]) {
      expect(() => signRosterOp({ ...base, ...extra } as RosterOpBody, c.devices.desk!.sign)).toThrow();
    }
    // Bytes crafted without the validating encoder are refused by buildRoster just the same.
    const raw = new Uint8Array(cbor.encode({ ...base, role: 'clinic', teamIds: ['T1'] }));
    const op: SignedRosterOp = { body: raw, sig: c.devices.desk!.sign(raw) };
    expect(parseRosterOpBody(op)).toBeUndefined();
    const r2 = buildRoster([...c.ops, op], c.anchor);
    expect(reasonOf(r2, op)).toBe('malformed operation');
    expect(r2.devices.get(c.devices.tab!.deviceId)!.role).toBe('clinic');
  });

  it('is refused for a device not enrolled in its causal past, or already revoked', () => {
    const c = makeClinic(['desk', 'tab']);
    const before = c.roster();
    c.revoke('tab');
    const tabId = c.devices.tab!.deviceId;
    const late = signRosterOp(
      {
        v: 1,
        kind: 'set-device-role',
        clinicId: c.clinicId,
        at: T(7),
        by: c.devices.desk!.deviceId,
        parents: c.roster().heads,
        deviceId: tabId,
        role: 'clinic',
        teamIds: [],
      },
      c.devices.desk!.sign,
    );
    const ghost = signRosterOp(
      {
        v: 1,
        kind: 'set-device-role',
        clinicId: c.clinicId,
        at: T(7),
        by: c.devices.desk!.deviceId,
        parents: before.heads,
        deviceId: 'ghost',
        role: 'field',
        teamIds: ['T1'],
      },
      c.devices.desk!.sign,
    );
    const r = buildRoster([...c.ops, late, ghost], c.anchor);
    expect(reasonOf(r, late)).toMatch(/revoked device/);
    expect(reasonOf(r, ghost)).toMatch(/not enrolled/);
  });

  it('a stolen administrator device cannot change roles concurrently with its revocation', () => {
    const c = makeClinic(['desk', 'thief', 'tab'], 'clinic-a', ['thief']);
    const tabId = c.devices.tab!.deviceId;
    const beforeTheft = c.roster();
    // Back-dated onto the old heads: the field tablet would become a clinic device.
    c.ops.push(setDeviceRoleOp(beforeTheft, c.devices.desk!, tabId, { role: 'field', teamIds: ['T1'] }, { at: T(1) }));
    const withField = buildRoster(c.ops, c.anchor);
    const sneaky = setDeviceRoleOp(beforeTheft, c.devices.thief!, tabId, { role: 'clinic' }, { at: T(50) });
    // Meanwhile the clinic revokes the thief without having seen `sneaky`.
    c.ops.push(
      signRosterOp(
        {
          v: 1,
          kind: 'revoke',
          clinicId: c.clinicId,
          at: T(2),
          by: c.devices.desk!.deviceId,
          parents: withField.heads,
          deviceId: c.devices.thief!.deviceId,
          reason: 'stolen',
        },
        c.devices.desk!.sign,
      ),
    );
    const r = buildRoster([...c.ops, sneaky], c.anchor);
    expect(reasonOf(r, sneaky)).toMatch(/concurrently with its revocation/);
    expect(r.devices.get(tabId)).toMatchObject({ role: 'field', teamIds: ['T1'] });
  });

  it('two administrators setting a role concurrently: the later one stands, the same everywhere', () => {
    const c = makeClinic(['desk', 'admin2', 'tab'], 'clinic-a', ['admin2']);
    const base = c.roster();
    const tabId = c.devices.tab!.deviceId;
    const early = setDeviceRoleOp(base, c.devices.desk!, tabId, { role: 'field', teamIds: ['T1'] }, { at: T(10) });
    const later = setDeviceRoleOp(base, c.devices.admin2!, tabId, { role: 'field', teamIds: ['T9'] }, { at: T(11) });
    const ra = buildRoster([...c.ops, early, later], c.anchor);
    const rb = buildRoster([later, ...c.ops, early], c.anchor);
    expect(ra.devices.get(tabId)!.teamIds).toEqual(['T9']);
    expect(rb.devices.get(tabId)).toEqual(ra.devices.get(tabId));
    // Same time: the lower hash stands.
    const x = setDeviceRoleOp(base, c.devices.desk!, tabId, { role: 'hub' }, { at: T(12) });
    const y = setDeviceRoleOp(base, c.devices.admin2!, tabId, { role: 'field', teamIds: ['T3'] }, { at: T(12) });
    const winner = rosterOpHash(x) < rosterOpHash(y) ? 'hub' : 'field';
    expect(buildRoster([...c.ops, x, y], c.anchor).devices.get(tabId)!.role).toBe(winner);
    expect(buildRoster([y, ...c.ops, x], c.anchor).devices.get(tabId)!.role).toBe(winner);
  });
});
