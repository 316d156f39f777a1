// startSimulator: runs one protocol's simulated device. With { pty: true } it creates a socat pty pair, opens
// the device end with serialport and returns the other end's path: that is what the bridge (or
// `sijill simulate <protocol> --pty`, which prints it) opens.
import { defaultProfileFor } from '../profiles/registry';
import type { DeviceProfile } from '../profiles/types';
import type { Clock } from '../supervisor/clock';
import { SerialPortTransport } from '../transport/serial';
import type { ByteTransport } from '../transport/types';
import type { CaptureProtocol } from '../types';
import {
  AstmSenderSimulator,
  type AstmSenderSimulatorOptions,
  type AstmSenderSimulatorStats,
} from './astm-sender-simulator';
import {
  Hl7SenderSimulator,
  type Hl7SenderSimulatorOptions,
  type Hl7SenderSimulatorStats,
} from './hl7-sender-simulator';
import { createPtyPair, type PtyPair } from './pty';
import {
  cms50dSource,
  ecgSource,
  masimoSource,
  noninSource,
  type EcgSimOptions,
  type MasimoSimOptions,
  type PacketSource,
} from './sources';
import { StreamSimulator, type StreamSimulatorStats } from './stream-simulator';
import { readWfdbRecord } from './wfdb';

export interface StartSimulatorOptions {
  /** Create a socat pty pair; the result's `path` is the end to open. */
  pty?: boolean;
  /** Or write to this serial device (a real adapter and a null-modem cable). */
  devicePath?: string;
  /** Or drive this transport (tests, in-process links). It must be open. */
  transport?: ByteTransport;
  /** Line settings for `devicePath`/pty. Default: the protocol's built-in profile. */
  profile?: DeviceProfile;
  clock?: Clock;
  /** Streaming protocols: time multiplier. Default 1. */
  speed?: number;
  /** CMS50D+: stay silent until the host sends its start command, stop without keep-alive. Default true. */
  waitForCommand?: boolean;
  oximeter?: MasimoSimOptions;
  /** ECG; `wfdbHeader` streams a WFDB record (path of its .hea), read at run time. */
  ecg?: EcgSimOptions & { wfdbHeader?: string };
  astm?: AstmSenderSimulatorOptions;
  hl7?: Hl7SenderSimulatorOptions;
}

export type SimulatorStats = StreamSimulatorStats | AstmSenderSimulatorStats | Hl7SenderSimulatorStats;

export interface RunningSimulator {
  protocol: CaptureProtocol;
  /** The end the bridge should open (pty mode). */
  path?: string;
  /** The end the simulator writes to (pty or devicePath mode). */
  devicePath?: string;
  pty?: PtyPair;
  stats(): SimulatorStats;
  /** Resolves when a finite run (ASTM/HL7 messages) has been acknowledged in full; never for streams. */
  done(): Promise<void>;
  stop(): Promise<void>;
}

interface Driver {
  start(): void;
  stop(): void;
  stats(): SimulatorStats;
  done(): Promise<void>;
}

async function sourceFor(protocol: CaptureProtocol, o: StartSimulatorOptions): Promise<PacketSource> {
  switch (protocol) {
    case 'cms50d':
      return cms50dSource(o.oximeter);
    case 'nonin':
      return noninSource(o.oximeter);
    case 'masimo':
      return masimoSource(o.oximeter);
    case 'ecg': {
      const ecg = o.ecg ?? {};
      if (ecg.wfdbHeader) return ecgSource({ ...ecg, record: await readWfdbRecord(ecg.wfdbHeader) });
      return ecgSource(ecg);
    }
    default:
      throw new RangeError(`'${protocol}' is not a streaming protocol`);
  }
}

async function driverFor(
  protocol: CaptureProtocol,
  transport: ByteTransport,
  o: StartSimulatorOptions,
): Promise<Driver> {
  const clock = o.clock ? { clock: o.clock } : {};
  if (protocol === 'astm') {
    const sim = new AstmSenderSimulator(transport, { ...clock, ...o.astm });
    return { start: () => sim.start(), stop: () => sim.stop(), stats: () => sim.stats(), done: () => sim.whenDone() };
  }
  if (protocol === 'hl7') {
    const sim = new Hl7SenderSimulator(transport, { ...clock, ...o.hl7 });
    return { start: () => sim.start(), stop: () => sim.stop(), stats: () => sim.stats(), done: () => sim.whenDone() };
  }
  const sim = new StreamSimulator(transport, await sourceFor(protocol, o), {
    ...clock,
    speed: o.speed ?? 1,
    waitForCommand: o.waitForCommand ?? protocol === 'cms50d',
  });
  return {
    start: () => sim.start(),
    stop: () => sim.stop(),
    stats: () => sim.stats(),
    done: () => new Promise<void>(() => {}),
  };
}

export async function startSimulator(
  protocol: CaptureProtocol,
  options: StartSimulatorOptions = {},
): Promise<RunningSimulator> {
  const modes = [options.pty === true, options.devicePath !== undefined, options.transport !== undefined];
  if (modes.filter(Boolean).length !== 1) {
    throw new Error('startSimulator needs exactly one of { pty: true }, devicePath or transport');
  }
  const profile = options.profile ?? defaultProfileFor(protocol);
  let pty: PtyPair | undefined;
  let transport = options.transport;
  let ownsTransport = false;
  try {
    if (options.pty) pty = await createPtyPair();
    const devicePath = pty?.devicePath ?? options.devicePath;
    if (!transport) {
      transport = new SerialPortTransport({ path: devicePath as string, line: profile.line });
      await transport.open();
      ownsTransport = true;
    }
    const driver = await driverFor(protocol, transport, options);
    driver.start();
    const owned = transport;
    const running: RunningSimulator = {
      protocol,
      stats: () => driver.stats(),
      done: () => driver.done(),
      stop: async () => {
        driver.stop();
        if (ownsTransport) await owned.close().catch(() => {});
        await pty?.close();
      },
    };
    if (pty) {
      running.pty = pty;
      running.path = pty.hostPath;
    }
    if (devicePath) running.devicePath = devicePath;
    return running;
  } catch (e) {
    if (ownsTransport) await transport?.close().catch(() => {});
    await pty?.close();
    throw e;
  }
}
