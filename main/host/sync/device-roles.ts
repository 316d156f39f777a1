// Setting a device's role (clinic, field, hub) and field teams: a signed roster
// operation (`set-device-role`, sync/identity/roster.ts rule 5) made by this device,
// which must be an active administrator device of the clinic, for a caller who may
// change the roster (the permission that revocation needs; the command line, which
// holds the database passphrase, passes no user). The operation is stored with its
// audit record in one transaction; RosterState then copies it into the roster
// document, so it reaches every device, and the share policy applies it at once.
import type { DeviceIdentity, DeviceRoleName, RosterDevice } from '../../../sync';
import { RosterError, setDeviceRoleOp } from '../../../sync';
import { ApiError, type Role } from '../../api';
import { appendAudit } from '../../access/audit-log';
import { mayCall } from '../../access/permissions';
import type { Db } from '../../store/database';
import type { RosterState } from './roster-state';

export interface DeviceRoleAssignment {
  deviceId: string;
  role: DeviceRoleName;
  teamIds: readonly string[];
}

export function setDeviceRole(
  ctx: { db: Db; sync: { identity: DeviceIdentity; rosterState: RosterState | undefined } },
  actor: { id: string; role: Role } | null,
  assignment: DeviceRoleAssignment,
): { device: RosterDevice; changed: boolean } {
  if (actor && !mayCall(actor.role, 'peers.revoke'))
    throw new ApiError('FORBIDDEN', 'Only those who may revoke devices may set a device’s role.');
  const roster = ctx.sync.rosterState;
  if (!roster)
    throw new ApiError(
      'CONFLICT',
      'This device is not enrolled in a clinic yet: issue a code here, or join another device.',
    );
  const teamIds = [...new Set(assignment.teamIds)].sort();
  const current = roster.roster.devices.get(assignment.deviceId);
  if (
    current &&
    current.revokedAt === null &&
    current.role === assignment.role &&
    current.teamIds.join('\u0000') === teamIds.join('\u0000')
  )
    return { device: current, changed: false };

  let op;
  try {
    op = setDeviceRoleOp(
      roster.roster,
      ctx.sync.identity,
      assignment.deviceId,
      { role: assignment.role, teamIds },
      { at: new Date().toISOString() },
    );
  } catch (e) {
    if (e instanceof RosterError)
      throw new ApiError(/administrator device/.test(e.message) ? 'FORBIDDEN' : 'VALIDATION', e.message);
    throw e;
  }
  ctx.db.transaction(() => {
    // The audit record first: if storing the operation fails, neither is kept.
    appendAudit(ctx.db, {
      actorId: actor?.id ?? null,
      action: 'sync.device.role',
      entityId: assignment.deviceId,
      detail: { role: assignment.role, teamIds },
    });
    roster.add([op]);
  })();
  const device = roster.roster.devices.get(assignment.deviceId);
  if (!device || device.role !== assignment.role)
    throw new ApiError('INTERNAL', 'The role operation was stored but the roster did not accept it.');
  return { device, changed: true };
}
