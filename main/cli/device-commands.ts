// Device commands a technician runs to see what a device sends.
import { readFileSync } from 'node:fs';
import { CAPTURE_PROTOCOLS, decodeCapture, isCaptureProtocol, itemToJson } from '../../device-bridge';
import { CliError } from './prompt';

/**
 * `sijill device decode --protocol P FILE`: one JSON object per decoded record or
 * observation on stdout, errors with byte offsets on stderr; exit 0 only when the
 * whole file decoded without error.
 */
export function decodeCommand(protocol: string | undefined, file: string | undefined): number {
  if (!protocol || !isCaptureProtocol(protocol)) throw new CliError(`--protocol must be one of ${CAPTURE_PROTOCOLS.join(', ')}`, 2);
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
