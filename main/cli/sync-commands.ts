// `sijill peers …`, `sijill sync` and `sijill bundle …`: the sync commands. They run
// with the CLI's own clinic (actor null in the audit: whoever holds the database
// passphrase); progress goes to stderr, results to stdout.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { ApiError, DeviceIdText, DeviceRoleAssignment, PeerUrl } from '../api';
import type { Clinic } from '../host/clinic';
import { exportBundleFile, importBundleFile } from '../host/sync/bundle-exchange';
import type { SyncProgress } from '../host/sync/sync-service';
import { setDeviceRole } from '../host/sync/device-roles';
import { startHubGateway } from '../host/sync/hub';
import { lastContactAfter, listPeers } from '../store/sync/peers';
import { CliError } from './prompt';

const progressPrinter = (label: string) => {
  let last = -1;
  return (p: SyncProgress) => {
    const pct = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100);
    if (pct >= last + 10 || p.done === p.total) {
      last = pct;
      process.stderr.write(`${label}: ${p.phase} ${p.done}/${p.total} (${pct}%)\n`);
    }
  };
};

function check<T>(schema: { safeParse(v: unknown): { success: boolean; data?: T } }, value: string, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new CliError(`${what} is not valid: ${value}`, 2);
  return r.data as T;
}

/** Turns the host's typed refusals into the CLI's clear message and exit code. */
async function asCli<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof ApiError) throw new CliError(e.message, e.code === 'UNAVAILABLE' ? 5 : 1);
    throw e;
  }
}

export async function peersEnrollCommand(clinic: Clinic, opts: { address?: string; ttlMinutes?: string }) {
  const ttl = opts.ttlMinutes === undefined ? 10 : Number(opts.ttlMinutes);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 1440) throw new CliError('--ttl-minutes must be 1 to 1440', 2);
  const r = await asCli(() =>
    clinic.sync.enrollmentCode(null, { ttlMs: ttl * 60_000, ...(opts.address ? { address: opts.address } : {}) }),
  );
  console.log(`Enrollment code: ${r.code}`);
  console.log(`QR: ${r.qr}`);
  console.log(`Valid once, until ${r.expiresAt}. On the new device run:`);
  console.log(`  sijill peers join --data-dir DIR --code ${r.code} --peer ws://THIS-HOST:PORT`);
  return 0;
}

export async function peersJoinCommand(clinic: Clinic, opts: { code?: string; peer?: string; name?: string }) {
  if (!opts.code) throw new CliError('Missing --code.', 2);
  if (!opts.peer) throw new CliError('Missing --peer ws://HOST:PORT.', 2);
  const peerUrl = check<string>(PeerUrl, opts.peer, '--peer');
  const r = await asCli(() =>
    clinic.sync.join({ code: opts.code!, peerUrl, ...(opts.name ? { deviceName: opts.name } : {}), actorId: null }),
  );
  console.log(`Joined clinic "${r.clinicName}" (${r.clinicId}), enrolled by device ${r.enrolledBy}.`);
  console.log(`This device: ${clinic.deviceId}. Sync with: sijill sync --data-dir DIR --peer ${peerUrl}`);
  return 0;
}

export async function peersRevokeCommand(clinic: Clinic, opts: { device?: string; reason?: string }) {
  if (!opts.device) throw new CliError('Missing --device ID.', 2);
  const deviceId = check<string>(DeviceIdText, opts.device, '--device');
  await asCli(() => clinic.sync.revoke(null, deviceId, opts.reason ?? 'revoked from the command line'));
  console.log(`Revoked device ${deviceId}: it is refused from now on and receives nothing more.`);
  return 0;
}

/**
 * `sijill peers role DEVICE --role clinic|field|hub [--team T]...`: this device (an
 * administrator device) signs the role into the roster; other devices apply it when
 * the roster reaches them (their next sync). The command line acts as whoever holds
 * the database passphrase, like revocation.
 */
export async function peersRoleCommand(clinic: Clinic, opts: { device?: string; role?: string; teams?: string[] }) {
  if (!opts.device)
    throw new CliError('Missing DEVICE: sijill peers role DEVICE --role clinic|field|hub [--team T]...', 2);
  if (!opts.role) throw new CliError('Missing --role clinic|field|hub.', 2);
  const r = DeviceRoleAssignment.safeParse({ deviceId: opts.device, role: opts.role, teamIds: opts.teams ?? [] });
  if (!r.success)
    throw new CliError(
      r.error.issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '),
      2,
    );
  const { device, changed } = await asCli(() => setDeviceRole({ db: clinic.db, sync: clinic.sync }, null, r.data));
  const what =
    device.role === 'field'
      ? `a field device of team(s) ${device.teamIds.join(', ') || '(none)'}`
      : `a ${device.role} device`;
  console.log(
    changed
      ? `Device ${device.deviceId} is now ${what}. Other devices apply this at their next sync.`
      : `Device ${device.deviceId} already is ${what}: nothing changed.`,
  );
  return 0;
}

export function peersListCommand(clinic: Clinic, json: boolean) {
  const roster = clinic.sync.roster;
  const peers = listPeers(clinic.db);
  const rows = roster
    ? [...roster.devices.values()].map((d) => {
        const p = peers.find((x) => x.device_id === d.deviceId);
        return {
          deviceId: d.deviceId,
          name: d.name,
          admin: d.admin,
          thisDevice: d.deviceId === clinic.deviceId,
          revoked: d.revokedAt !== null,
          role: d.role,
          teamIds: d.teamIds,
          address: p?.address ?? null,
          lastSyncAt: p?.last_sync_at ?? null,
          contactAfterRevocation: d.revokedAt ? lastContactAfter(clinic.db, d.deviceId, d.revokedAt) : null,
        };
      })
    : [];
  if (json) console.log(JSON.stringify({ clinicId: roster?.clinicId ?? null, devices: rows }));
  else if (!roster) console.log('This device is not enrolled in a clinic yet.');
  else
    for (const r of rows)
      console.log(
        `${r.deviceId}  ${r.name}${r.thisDevice ? ' (this device)' : ''}${r.admin ? ' [admin]' : ''}${r.revoked ? ' REVOKED' : ''}` +
          `  ${r.role}${r.teamIds.length > 0 ? ` (teams ${r.teamIds.join(', ')})` : ''}` +
          `${r.address ? `  ${r.address}` : ''}  last sync: ${r.lastSyncAt ?? 'never'}` +
          (r.contactAfterRevocation
            ? `\n    WARNING: this device exchanged data with it at ${r.contactAfterRevocation}, after its revocation` +
              ' (before the revocation reached this device): review what it recorded since.'
            : ''),
      );
  return 0;
}

export async function syncCommand(clinic: Clinic, opts: { peer?: string; timeout?: string }) {
  if (!opts.peer) throw new CliError('Missing --peer ws://HOST:PORT.', 2);
  const url = check<string>(PeerUrl, opts.peer, '--peer');
  const timeout = opts.timeout === undefined ? 300 : Number(opts.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new CliError('--timeout must be a number of seconds', 2);
  const r = await asCli(() =>
    clinic.sync.syncOnce(url, { timeoutMs: timeout * 1000, onProgress: progressPrinter('sync') }),
  );
  if (r.converged) {
    console.log(`In sync with device ${r.peer}: both hold the same ${r.documents} charts and their entries.`);
    return 0;
  }
  console.error(
    `Not in sync with ${url} after ${timeout} s (${r.peer ? `device ${r.peer}` : 'no peer'}). Run the command again.`,
  );
  return 3;
}

const bundleContext = (clinic: Clinic) => ({
  db: clinic.db,
  dataKey: clinic.store.dataKey,
  charts: clinic.charts,
  sync: clinic.sync,
});

export async function bundleExportCommand(clinic: Clinic, opts: { 'since-peer'?: string; out?: string }) {
  if (!opts['since-peer']) throw new CliError('Missing --since-peer DEVICE-ID.', 2);
  if (!opts.out) throw new CliError('Missing --out FILE.', 2);
  const peer = check<string>(DeviceIdText, opts['since-peer'], '--since-peer');
  const r = await asCli(() => exportBundleFile(bundleContext(clinic), null, peer, progressPrinter('export')));
  // Written whole or not at all: a half-written bundle on a USB stick would only be refused later.
  const tmp = `${opts.out}.partial`;
  writeFileSync(tmp, r.file);
  renameSync(tmp, opts.out);
  console.log(`Wrote ${opts.out}: ${r.documents} documents, ${r.bytes} bytes, for device ${peer}.`);
  return 0;
}

export async function bundleImportCommand(clinic: Clinic, file: string) {
  let data: Uint8Array;
  try {
    data = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new CliError(`Cannot read ${file}: ${(e as Error).message}`, 2);
  }
  const r = await asCli(() => importBundleFile(bundleContext(clinic), null, data, progressPrinter('import')));
  console.log(
    `Imported bundle ${r.bundleId} from “${r.fromDeviceName}” (${r.fromDevice}): ${r.documents} documents (${r.newDocuments} new), ${r.conflicts} new conflicts to review.`,
  );
  return 0;
}

/** Runs the hub gateway in front of a sync server until SIGINT/SIGTERM. */
export async function hubCommand(clinic: Clinic, opts: { upstream?: string; port?: string; bind?: string }) {
  if (!opts.upstream) throw new CliError('Missing --upstream ws://HOST:PORT (the automerge-repo sync server).', 2);
  const upstreamUrl = check<string>(PeerUrl, opts.upstream, '--upstream');
  const port = opts.port === undefined ? 8472 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError('--port must be 0 to 65535', 2);
  const bind = opts.bind ?? '0.0.0.0';
  const hub = await startHubGateway({
    sync: clinic.sync,
    upstreamUrl,
    port,
    host: bind,
    log: (m) => console.error(m),
  }).catch((e: Error) => {
    throw new CliError(e.message);
  });
  console.log(
    `Hub gateway listening on ws://${bind}:${hub.port} (device ${clinic.deviceId}), relaying to ${upstreamUrl}`,
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await hub.close();
  return 0;
}
