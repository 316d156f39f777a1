// The permission matrix against the API contract.
import { describe, expect, it } from 'vitest';
import { contract, METHODS, ROLES, type Method, type Role } from '../../../main/api';
import {
  capabilityPermissions,
  hasCapability,
  mayCall,
  methodPermissions,
  permissionsOf,
} from '../../../main/access/permissions';

const PUBLIC: Method[] = ['host.status', 'host.initialize', 'host.unlock', 'auth.login'];

describe('methodPermissions', () => {
  it('has an entry for every contract method, and none for anything else', () => {
    expect(METHODS.length).toBeGreaterThan(10);
    for (const m of METHODS) expect(methodPermissions, m).toHaveProperty([m]);
    expect(Object.keys(methodPermissions).sort()).toEqual([...METHODS].sort());
  });

  it('makes exactly host.status, host.initialize, host.unlock and auth.login public', () => {
    const open = METHODS.filter((m) => methodPermissions[m] === 'public');
    expect(open.sort()).toEqual([...PUBLIC].sort());
  });

  it('agrees with the public flag of the contract', () => {
    for (const m of METHODS) expect(methodPermissions[m] === 'public', m).toBe(contract[m].public);
  });

  it('names only real roles, and every non-public method is open to at least one role', () => {
    for (const m of METHODS) {
      const who = methodPermissions[m];
      if (who === 'public') continue;
      expect(who.length, m).toBeGreaterThan(0);
      for (const r of who) expect(ROLES, `${m}: ${r}`).toContain(r);
    }
  });

  it('lets everyone call public methods, logged in or not', () => {
    for (const role of ROLES) for (const m of PUBLIC) expect(mayCall(role, m)).toBe(true);
  });

  it('lets every role log out, see itself and the stats', () => {
    for (const role of ROLES)
      for (const m of ['auth.logout', 'auth.me', 'stats.get'] as Method[])
        expect(mayCall(role, m), `${role} ${m}`).toBe(true);
  });
});

describe('spot checks by role', () => {
  const can = (role: Role, m: Method) => mayCall(role, m);

  it('clerk: may search, register and read charts, record an encounter; not vitals, notes, allergies or amendments', () => {
    expect(can('clerk', 'patients.register')).toBe(true);
    expect(can('clerk', 'patients.search')).toBe(true);
    expect(can('clerk', 'patients.get')).toBe(true);
    expect(can('clerk', 'entries.recordEncounter')).toBe(true);
    expect(can('clerk', 'entries.recordVitals')).toBe(false);
    expect(can('clerk', 'entries.addNote')).toBe(false);
    expect(can('clerk', 'entries.amend')).toBe(false);
    expect(can('clerk', 'patients.addAllergy')).toBe(false);
    expect(can('clerk', 'users.create')).toBe(false);
  });

  it('auditor: may verify and read the audit log and list users; not read or search patients', () => {
    expect(can('auditor', 'audit.verify')).toBe(true);
    expect(can('auditor', 'audit.recent')).toBe(true);
    expect(can('auditor', 'users.list')).toBe(true);
    expect(can('auditor', 'patients.get')).toBe(false);
    expect(can('auditor', 'patients.search')).toBe(false);
    expect(can('auditor', 'patients.register')).toBe(false);
    expect(can('auditor', 'users.create')).toBe(false);
    expect(can('auditor', 'entries.recordVitals')).toBe(false);
  });

  it('device technician: may search (to attach a device) but not read charts or write anything clinical', () => {
    expect(can('device_technician', 'patients.search')).toBe(true);
    expect(can('device_technician', 'patients.get')).toBe(false);
    expect(can('device_technician', 'patients.register')).toBe(false);
    expect(can('device_technician', 'entries.recordVitals')).toBe(false);
    expect(can('device_technician', 'audit.verify')).toBe(false);
  });

  it('clinical roles record vitals and notes; only the administrator creates users', () => {
    for (const role of ['administrator', 'doctor', 'nurse'] as Role[]) {
      expect(can(role, 'entries.recordVitals'), role).toBe(true);
      expect(can(role, 'entries.addNote'), role).toBe(true);
      expect(can(role, 'entries.amend'), role).toBe(true);
    }
    expect(ROLES.filter((r) => can(r, 'users.create'))).toEqual(['administrator']);
    expect(can('lab_technician', 'entries.recordVitals')).toBe(false);
    expect(can('lab_technician', 'patients.get')).toBe(true);
  });
});

describe('capabilities', () => {
  it('entries.read is false for the clerk, the auditor and the device technician; true for clinical roles', () => {
    expect(hasCapability('clerk', 'entries.read')).toBe(false);
    expect(hasCapability('auditor', 'entries.read')).toBe(false);
    expect(hasCapability('device_technician', 'entries.read')).toBe(false);
    for (const role of ['administrator', 'doctor', 'nurse', 'lab_technician'] as Role[])
      expect(hasCapability(role, 'entries.read'), role).toBe(true);
  });

  it('entries.amendOthers is for administrator and doctor only', () => {
    expect(ROLES.filter((r) => hasCapability(r, 'entries.amendOthers'))).toEqual(['administrator', 'doctor']);
  });

  it('every capability names only real roles', () => {
    for (const [cap, roles] of Object.entries(capabilityPermissions))
      for (const r of roles) expect(ROLES, cap).toContain(r);
  });
});

describe('permissionsOf', () => {
  it('lists exactly the non-public methods and capabilities a role has', () => {
    for (const role of ROLES) {
      const expected = [
        ...METHODS.filter((m) => methodPermissions[m] !== 'public' && mayCall(role, m)),
        ...(Object.keys(capabilityPermissions) as (keyof typeof capabilityPermissions)[]).filter((c) =>
          hasCapability(role, c),
        ),
      ];
      expect(permissionsOf(role).sort(), role).toEqual(expected.sort());
      for (const m of PUBLIC) expect(permissionsOf(role)).not.toContain(m);
    }
    expect(permissionsOf('clerk')).toContain('patients.register');
    expect(permissionsOf('clerk')).not.toContain('entries.read');
    expect(permissionsOf('doctor')).toContain('entries.read');
  });
});
