// Enrollment: one-time codes (typed or QR), proof of possession both ways, single
// use, expiry, and attempt limits.
import { describe, expect, it } from 'vitest';
import {
  acceptEnrollmentGrant,
  acceptJoinRequest,
  buildRoster,
  clinicPublicKeyOf,
  createJoinRequest,
  EnrollmentCodeError,
  EnrollmentError,
  formatEnrollmentQr,
  generateDeviceIdentity,
  isActiveDevice,
  issueEnrollmentCode,
  MAX_CODE_FAILURES,
  newEnrollmentCode,
  normalizeEnrollmentCode,
  parseEnrollmentQr,
  type EnrollmentCodeStore,
  type PendingEnrollmentCode,
} from '../../../sync';
import { makeClinic } from './clinic-fixture';

class MemoryCodeStore implements EnrollmentCodeStore {
  rows = new Map<string, PendingEnrollmentCode>();
  save(c: PendingEnrollmentCode) {
    this.rows.set(c.id, { ...c });
  }
  active(clinicId: string, now: string) {
    return [...this.rows.values()].filter(
      (c) => c.clinicId === clinicId && !c.usedAt && c.expiresAt > now && c.failures < MAX_CODE_FAILURES,
    );
  }
  consume(id: string, at: string) {
    const c = this.rows.get(id);
    if (!c || c.usedAt) return false;
    c.usedAt = at;
    return true;
  }
  recordFailure(ids: string[]) {
    for (const id of ids) this.rows.get(id)!.failures++;
  }
}

const NOW = new Date('2025-03-01T10:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

function setup() {
  const clinic = makeClinic(['desk'], 'clinic-e');
  const store = new MemoryCodeStore();
  const desk = clinic.devices.desk!;
  const issue = (opts: { admin?: boolean } = {}) =>
    issueEnrollmentCode({
      store,
      roster: clinic.roster(),
      enroller: desk,
      now: NOW,
      approvedBy: 'u-admin',
      address: '192.168.1.5:7443',
      ...opts,
    });
  const accept = (request: Uint8Array, now = NOW) =>
    acceptJoinRequest({
      request,
      store,
      roster: clinic.roster(),
      anchor: clinic.anchor,
      enroller: desk,
      clinicSecretKey: clinic.clinicSecretKey,
      now,
    });
  return { clinic, store, desk, issue, accept };
}

describe('enrollment codes', () => {
  it('10 code characters plus a check character, forgiving what people type', () => {
    const code = newEnrollmentCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]$/);
    const canonical = normalizeEnrollmentCode(code);
    expect(canonical).toHaveLength(11);
    expect(normalizeEnrollmentCode(` ${code.toLowerCase().replace(/-/g, ' ')} `)).toBe(canonical);
    expect(normalizeEnrollmentCode(canonical.replace(/0/g, 'O').replace(/1/g, 'l'))).toBe(canonical);
  });

  it('the check character catches every single mistyped character', () => {
    const canonical = normalizeEnrollmentCode(newEnrollmentCode());
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    for (let i = 0; i < canonical.length; i++) {
      for (const c of alphabet) {
        if (c === canonical[i]) continue;
        const typo = canonical.slice(0, i) + c + canonical.slice(i + 1);
        expect(() => normalizeEnrollmentCode(typo)).toThrow(EnrollmentCodeError);
      }
    }
    expect(() => normalizeEnrollmentCode('ABCDE')).toThrow(/11 characters/);
    expect(() => normalizeEnrollmentCode('ABCDE-FGHJK-!')).toThrow(/not used/);
  });

  it('QR payload round-trips and rejects anything else', () => {
    const { issue } = setup();
    const { qr, code } = issue();
    const q = parseEnrollmentQr(qr);
    expect(normalizeEnrollmentCode(q.code)).toBe(normalizeEnrollmentCode(code));
    expect(q).toMatchObject({ clinicId: 'clinic-e', address: '192.168.1.5:7443' });
    expect(parseEnrollmentQr(formatEnrollmentQr(q))).toEqual(q);
    expect(() => parseEnrollmentQr('https://example.org/?code=x')).toThrow(EnrollmentError);
    const c = normalizeEnrollmentCode(code);
    const badCheck = c.slice(0, 10) + (c[10] === '0' ? '1' : '0');
    expect(() => parseEnrollmentQr(qr.replace(/code=[^&]+/, `code=${badCheck}`))).toThrow(/typing mistake/);
    expect(() => parseEnrollmentQr(qr.replace(/key=[^&]+/, 'key=abc'))).toThrow(/damaged/);
  });

  it('only an administrator device can issue codes', () => {
    const clinic = makeClinic(['desk', 'lap'], 'clinic-e');
    expect(() =>
      issueEnrollmentCode({
        store: new MemoryCodeStore(),
        roster: clinic.roster(),
        enroller: clinic.devices.lap!,
        now: NOW,
      }),
    ).toThrow(/administrator/);
  });
});

describe('enrolling a device', () => {
  it('typed code: join request → roster addition + grant → the new device verifies and gets the clinic key', () => {
    const { clinic, issue, accept, store } = setup();
    const { code } = issue();
    const laptop = generateDeviceIdentity('laptop-7').identity;
    const { request, codeKey } = createJoinRequest({
      code,
      identity: laptop,
      deviceName: 'Field laptop 7',
      now: later(60_000),
    });
    const out = accept(request, later(61_000));
    expect(out.deviceId).toBe('laptop-7');
    clinic.ops.push(out.op);
    const desktopView = buildRoster(clinic.ops, clinic.anchor);
    expect(desktopView.devices.get('laptop-7')).toMatchObject({
      name: 'Field laptop 7',
      enrolledBy: clinic.devices.desk!.deviceId,
      approvedBy: 'u-admin',
      admin: false,
    });
    const joined = acceptEnrollmentGrant({ grant: out.grant, request, codeKey, identity: laptop });
    expect(joined.anchor).toEqual(clinic.anchor);
    expect(isActiveDevice(joined.roster, 'laptop-7', laptop.publicKey)).toBe(true);
    expect(Array.from(clinicPublicKeyOf(joined.clinicSecretKey))).toEqual(
      Array.from(clinicPublicKeyOf(clinic.clinicSecretKey)),
    );
    expect([...store.rows.values()][0]!.usedAt).not.toBeNull();
  });

  it('QR: the new device pins the clinic and the enrolling device named in the QR', () => {
    const { clinic, issue, accept } = setup();
    const q = parseEnrollmentQr(issue({ admin: true }).qr);
    const tablet = generateDeviceIdentity('tablet-1').identity;
    const { request, codeKey } = createJoinRequest({
      code: q.code,
      identity: tablet,
      deviceName: 'Tablet',
      now: NOW,
      clinicId: q.clinicId,
    });
    const out = accept(request);
    const joined = acceptEnrollmentGrant({
      grant: out.grant,
      request,
      codeKey,
      identity: tablet,
      expect: { clinicId: q.clinicId, enrollerKey: q.enrollerKey },
    });
    expect(joined.roster.devices.get('tablet-1')!.admin).toBe(true);
    const otherKey = generateDeviceIdentity('x').identity.publicKey;
    expect(() =>
      acceptEnrollmentGrant({
        grant: out.grant,
        request,
        codeKey,
        identity: tablet,
        expect: { enrollerKey: otherKey },
      }),
    ).toThrow(/not the one in the QR/);
    expect(() =>
      acceptEnrollmentGrant({ grant: out.grant, request, codeKey, identity: tablet, expect: { clinicId: 'clinic-z' } }),
    ).toThrow(/another clinic/);
    void clinic;
  });

  it('a code works once', () => {
    const { issue, accept } = setup();
    const { code } = issue();
    const a = generateDeviceIdentity('a').identity;
    const b = generateDeviceIdentity('b').identity;
    accept(createJoinRequest({ code, identity: a, deviceName: 'a', now: NOW }).request);
    expect(() => accept(createJoinRequest({ code, identity: b, deviceName: 'b', now: NOW }).request)).toThrow(
      /wrong, expired or already used/,
    );
  });

  it('an expired code is refused', () => {
    const { issue, accept } = setup();
    const { code } = issue();
    const a = generateDeviceIdentity('a').identity;
    const err = (() => {
      try {
        accept(createJoinRequest({ code, identity: a, deviceName: 'a', now: NOW }).request, later(11 * 60_000));
      } catch (e) {
        return e as EnrollmentError;
      }
    })();
    expect(err?.code).toBe('bad-code');
  });

  it('wrong codes count against pending codes; after the limit even the right code is dead', () => {
    const { issue, accept, store } = setup();
    const { code } = issue();
    const a = generateDeviceIdentity('a').identity;
    for (let i = 0; i < MAX_CODE_FAILURES; i++) {
      expect(() =>
        accept(createJoinRequest({ code: newEnrollmentCode(), identity: a, deviceName: 'a', now: NOW }).request),
      ).toThrow(/wrong/);
    }
    expect([...store.rows.values()][0]!.failures).toBe(MAX_CODE_FAILURES);
    expect(() => accept(createJoinRequest({ code, identity: a, deviceName: 'a', now: NOW }).request)).toThrow(/wrong/);
  });

  it('refuses a request not signed by the presented key, a device already enrolled, or a code from another clinic', () => {
    const { issue, accept, clinic } = setup();
    const { code } = issue();
    const a = generateDeviceIdentity('a').identity;
    const { request } = createJoinRequest({ code, identity: a, deviceName: 'a', now: NOW });
    const forged = new Uint8Array(request);
    forged[forged.length - 5]! ^= 0xff; // inside the signature
    expect(() => accept(forged)).toThrow(/not signed by the key|not readable/);
    const desk = clinic.devices.desk!;
    expect(() => accept(createJoinRequest({ code, identity: desk, deviceName: 'again', now: NOW }).request)).toThrow(
      /already on the clinic roster/,
    );
    expect(() =>
      accept(createJoinRequest({ code, identity: a, deviceName: 'a', now: NOW, clinicId: 'clinic-q' }).request),
    ).toThrow(/another clinic/);
  });

  it('the new device refuses a grant from someone who did not issue its code', () => {
    const real = setup();
    const impostor = setup(); // another "clinic" on the LAN, with its own code
    const { code } = real.issue();
    const { code: otherCode } = impostor.issue();
    const lap = generateDeviceIdentity('lap').identity;
    const { request, codeKey } = createJoinRequest({ code, identity: lap, deviceName: 'lap', now: NOW });
    // The impostor cannot answer with a valid MAC: it does not know the code.
    const { request: req2 } = createJoinRequest({ code: otherCode, identity: lap, deviceName: 'lap', now: NOW });
    const fake = impostor.accept(req2);
    expect(() => acceptEnrollmentGrant({ grant: fake.grant, request, codeKey, identity: lap })).toThrow(
      /does not come from the device that issued the code/,
    );
    // A grant for another device does not enroll this one.
    const genuine = real.accept(request);
    const other = generateDeviceIdentity('other').identity;
    expect(() => acceptEnrollmentGrant({ grant: genuine.grant, request, codeKey, identity: other })).toThrow(
      EnrollmentError,
    );
    expect(() => acceptEnrollmentGrant({ grant: new Uint8Array([1, 2, 3]), request, codeKey, identity: lap })).toThrow(
      /not readable/,
    );
  });
});
