// Device commands a technician runs to see what a device sends.
import { readFileSync } from 'node:fs';
import {
  CAPTURE_PROTOCOLS,
  decodeCapture,
  defaultProfileFor,
  isCaptureProtocol,
  itemToJson,
  listProfiles,
  replayRawLog,
  startSimulator,
} from '../../device-bridge';
import type { Clinic } from '../host/clinic';
import { getConnection, iterateRawBytes } from '../store/repositories/devices';
import { CliError } from './prompt';

/**
 * `sijill device decode --protocol P FILE`: one JSON object per decoded record or
 * observation on stdout, errors with byte offsets on stderr; exit 0 only when the
 * whole file decoded without error.
 */
export function decodeCommand(protocol: string | undefined, file: string | undefined): number {
  if (!protocol || !isCaptureProtocol(protocol))
    throw new CliError(`--protocol must be one of ${CAPTURE_PROTOCOLS.join(', ')}`, 2);
  if (!file) throw new CliError('device decode needs a capture FILE', 2);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { items, errors } = decodeCapture(protocol, bytes);
  for (const item of items) process.stdout.write(`${JSON.stringify(itemToJson(item))}\n`);
  for (const e of errors) process.stderr.write(`${file}: byte ${e.offset}: ${e.message}\n`);
  return errors.length === 0 ? 0 : 1;
}

/**
 * `sijill simulate <protocol> --pty [--wfdb HEADER]`: a simulated device on a pty
 * pair (socat). Prints the path to open in the Devices screen; runs until Ctrl+C.
 */
export async function simulateCommand(
  protocol: string | undefined,
  o: { pty?: boolean; wfdb?: string; speed?: string },
): Promise<number> {
  if (!protocol || !isCaptureProtocol(protocol))
    throw new CliError(`simulate needs a protocol: ${CAPTURE_PROTOCOLS.join(', ')}`, 2);
  if (!o.pty) throw new CliError('simulate writes to a pty pair: pass --pty', 2);
  const speed = o.speed === undefined ? 1 : Number(o.speed);
  if (!(speed > 0)) throw new CliError('--speed must be a positive number', 2);
  let sim;
  try {
    sim = await startSimulator(protocol, { pty: true, speed, ...(o.wfdb ? { ecg: { wfdbHeader: o.wfdb } } : {}) });
  } catch (err) {
    throw new CliError(
      `Could not start the ${protocol} simulator: ${err instanceof Error ? err.message : String(err)} (is socat installed?)`,
    );
  }
  console.log(`Simulated ${protocol} device: open ${sim.path} (profile ${defaultProfileFor(protocol).id}).`);
  console.log('Press Ctrl+C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.stop();
  return 0;
}

/** `sijill device replay --data-dir DIR --connection ID`: the raw byte log through the decoders again. */
export async function replayCommand(clinic: Clinic, connectionId: string): Promise<number> {
  const conn = getConnection(clinic.db, connectionId);
  if (!conn) throw new CliError(`No device connection ${connectionId} in this database.`);
  const profile = listProfiles().find((p) => p.id === conn.profile_id);
  if (!profile) throw new CliError(`The connection uses an unknown profile ${conn.profile_id}.`);
  const result = await replayRawLog(iterateRawBytes(clinic.db, connectionId), profile.protocol, { profile });
  for (const item of result.items) process.stdout.write(`${JSON.stringify(itemToJson(item))}\n`);
  for (const e of result.errors) process.stderr.write(`connection ${connectionId}: byte ${e.offset}: ${e.message}\n`);
  return result.errors.length === 0 ? 0 : 1;
}
