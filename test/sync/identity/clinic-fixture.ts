// A test clinic: a founding administrator device plus enrolled devices, built with
// the real roster operations. Shared by the sync test folders.
import {
  addDeviceOp,
  buildRoster,
  foundClinic,
  generateDeviceIdentity,
  isActiveDevice,
  revokeDeviceOp,
  type DeviceIdentity,
  type Roster,
  type RosterAnchor,
  type SignedRosterOp,
} from '../../../sync';

export interface TestClinic {
  clinicId: string;
  anchor: RosterAnchor;
  clinicSecretKey: Uint8Array;
  devices: Record<string, DeviceIdentity>;
  ops: SignedRosterOp[];
  roster(): Roster;
  revoke(name: string): void;
  trust: (deviceId: string, publicKey: Uint8Array) => boolean;
}

let n = 0;
const at = () => new Date(Date.UTC(2025, 0, 1, 8, 0, n++)).toISOString();

export function makeClinic(names: string[], clinicId = 'clinic-a', admins: string[] = []): TestClinic {
  const [founderName, ...rest] = names;
  const founder = generateDeviceIdentity(`${clinicId}-${founderName}`).identity;
  const found = foundClinic({
    founder,
    clinicId,
    clinicName: `Clinic ${clinicId}`,
    deviceName: founderName!,
    at: at(),
  });
  const ops: SignedRosterOp[] = [found.op];
  const devices: Record<string, DeviceIdentity> = { [founderName!]: founder };
  let roster = buildRoster(ops, found.anchor);
  for (const name of rest) {
    const d = generateDeviceIdentity(`${clinicId}-${name}`).identity;
    devices[name] = d;
    ops.push(
      addDeviceOp(
        roster,
        founder,
        { deviceId: d.deviceId, publicKey: d.publicKey, name, admin: admins.includes(name) },
        { at: at(), approvedBy: 'admin-user' },
      ),
    );
    roster = buildRoster(ops, found.anchor);
  }
  const clinic: TestClinic = {
    clinicId,
    anchor: found.anchor,
    clinicSecretKey: found.clinicSecretKey,
    devices,
    ops,
    roster: () => roster,
    revoke(name) {
      ops.push(revokeDeviceOp(roster, founder, devices[name]!.deviceId, { at: at(), reason: 'lost' }));
      roster = buildRoster(ops, found.anchor);
    },
    trust: (deviceId, publicKey) => isActiveDevice(roster, deviceId, publicKey),
  };
  return clinic;
}

/** A device no administrator ever enrolled. */
export const strangerDevice = (id = 'stranger'): DeviceIdentity => generateDeviceIdentity(id).identity;
