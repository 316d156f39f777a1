// This device's sync identity: the Ed25519 device key the store made at init
// (meta device.private_key, sealed under the database key). Sync uses the same key
// the anchoring checkpoints are signed with, so a device has one identity.
import { deviceIdentityFromSeed, type DeviceIdentity } from '../../../sync';
import { fromB64 } from '../../store/crypto/encoding';
import type { Db } from '../../store/database';
import { unsealPrivateKey } from '../../store/data-dir';
import { requireMeta } from '../../store/repositories/meta';

export function loadDeviceIdentity(db: Db, dataKey: Uint8Array): DeviceIdentity {
  const deviceId = requireMeta(db, 'device.id');
  const seed = unsealPrivateKey(dataKey, fromB64(requireMeta(db, 'device.private_key')));
  return deviceIdentityFromSeed(deviceId, seed);
}
