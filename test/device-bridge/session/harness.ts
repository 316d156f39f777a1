// Shared helpers for the bridge's live tests: recording sinks, waiting, raw-log inspection, cleanup that runs
// even when a test fails (socat processes, open ports).
import {
  closeAllPtyPairs,
  DeviceSession,
  SerialPortTransport,
  type DecodedItem,
  type DeviceProfile,
  type ItemSink,
  type RawByteLog,
  type StoreContext,
} from '../../../device-bridge/index';

export interface SinkCall {
  items: DecodedItem[];
  context: StoreContext;
  /** Time the call started / settled (ms, Date.now()). */
  startedAt: number;
  settledAt?: number;
  ok?: boolean;
}

export interface RecordingSink {
  sink: ItemSink;
  calls: SinkCall[];
  /** Items of the calls that resolved, in order. */
  stored(): DecodedItem[];
  /** Runs at the start of each call (before any delay), e.g. to snapshot what was written so far. */
  onCall?: (call: SinkCall) => void;
}

/** A sink that keeps what it is given; `fail(n)` says whether call n (0-based) rejects; `delayMs` slows it. */
export function recordingSink(options: { delayMs?: number; fail?: (n: number) => boolean } = {}): RecordingSink {
  const rec: RecordingSink = {
    calls: [],
    stored: () => rec.calls.filter((c) => c.ok).flatMap((c) => c.items),
    sink: async (items, context) => {
      const call: SinkCall = { items, context, startedAt: Date.now() };
      const n = rec.calls.length;
      rec.calls.push(call);
      rec.onCall?.(call);
      if (options.delayMs) await sleep(options.delayMs);
      call.settledAt = Date.now();
      if (options.fail?.(n)) {
        call.ok = false;
        throw new Error('disk full (simulated)');
      }
      call.ok = true;
    },
  };
  return rec;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Every outbound byte the raw log holds for a connection, in order. */
export function loggedOut(log: RawByteLog, connectionId: string): number[] {
  const out: number[] = [];
  for (const e of log.iterate(connectionId)) if (e.direction === 'out') out.push(...e.bytes);
  return out;
}

const cleanups: (() => Promise<void> | void)[] = [];

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** For afterEach: runs registered cleanups (newest first), then kills any socat left. */
export async function runCleanups(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch {
      // keep cleaning
    }
  }
  await closeAllPtyPairs();
}

/** Opens `path` with serialport and attaches a session to it, the way the supervisor does. */
export async function openSession(
  path: string,
  profile: DeviceProfile,
  sink: ItemSink,
  options: { rawLog?: RawByteLog; connectionId?: string } = {},
): Promise<{ session: DeviceSession; transport: SerialPortTransport }> {
  const transport = new SerialPortTransport({ path, line: profile.line });
  await transport.open();
  const session = new DeviceSession({
    connectionId: options.connectionId ?? 'test-connection',
    profile,
    sink,
    ...(options.rawLog ? { rawLog: options.rawLog } : {}),
  });
  session.attach(transport);
  onCleanup(async () => {
    await transport.close();
    await session.close();
  });
  return { session, transport };
}

export const numericValues = (items: DecodedItem[], code: string): number[] =>
  items.flatMap((i) => (i.kind === 'numeric' && i.code.code === code ? [i.value] : []));
