// A real Sijill host in its own process, for fault tests that kill it: it unlocks a data directory with its
// passphrase (Host.unlock: key file, scrypt, migrations, then every enabled device connection is started), serves
// the API and events over WebSocket (startHttpServer), optionally connects a device, and reports on stdout, one
// JSON object per line:
//   {"type":"ready","wsUrl":…,"connections":[…]}   devices started and connected
//   {"type":"hold","table":"entries"}               the device sink's transaction is blocked (see --hold-commit)
//   {"type":"event","event":…,"data":…}             every host event (device.live, device.state, …)
// It closes cleanly when its stdin ends or on SIGTERM; tests kill it with SIGKILL to crash it.
//
//   node bin/run-ts.js test/main/host/device-worker.ts --data DIR --renderer DIR [--hold-commit]
//        [--connect '{"profileId":…,"path":…,"patientId":…,"label":…}']
//   passphrase in SIJILL_WORKER_PASSPHRASE
//
// --hold-commit makes the first commit of device data never finish, without touching production code: a TEMP
// trigger (it lives only in this process's connection; nothing is written to the database file) on inserts into
// `entries` calls a function registered on that connection, which reports "hold" and then blocks the thread. The
// sink's transaction has inserted its signed entries by then but cannot commit, exactly like a host that is still
// inside its write when it crashes. The test then kills the process.
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Host } from '../../../main/host/host';
import { startHttpServer } from '../../../main/host/transports/http-server';

const HOLD_MS = 120_000;

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    renderer: { type: 'string' },
    'hold-commit': { type: 'boolean', default: false },
    connect: { type: 'string' },
  },
});

/** Synchronous: a "hold" line must be out before the thread blocks, and any line before a SIGKILL lands. */
function say(message: unknown): void {
  const line = Buffer.from(`${JSON.stringify(message)}\n`);
  for (let off = 0; off < line.length;) {
    try {
      off += writeSync(1, line, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

async function main(): Promise<void> {
  const dataDir = values.data;
  const passphrase = process.env.SIJILL_WORKER_PASSPHRASE;
  if (!dataDir || !values.renderer || !passphrase)
    throw new Error('usage: --data DIR --renderer DIR (passphrase in SIJILL_WORKER_PASSPHRASE)');
  const host = new Host(dataDir);
  host.onEvent((event, data) => say({ type: 'event', event, data }));
  await host.unlock(passphrase); // also starts every enabled device connection
  const clinic = host.clinic;

  if (values['hold-commit']) {
    clinic.db.function('sijill_test_hold_commit', () => {
      say({ type: 'hold', table: 'entries' });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, HOLD_MS);
      return null;
    });
    clinic.db.exec(
      'CREATE TEMP TRIGGER sijill_test_hold AFTER INSERT ON main.entries BEGIN SELECT sijill_test_hold_commit(); END',
    );
  }

  const server = await startHttpServer({ host, rendererDir: values.renderer, port: 0 });

  if (values.connect) {
    const c = JSON.parse(values.connect) as {
      profileId: string;
      path: string;
      patientId?: string | null;
      label?: string;
    };
    if (!clinic.devices.list().some((d) => d.enabled && d.path === c.path)) await clinic.devices.connect(null, c);
  }
  // ready once every enabled connection has its port open
  const deadline = Date.now() + 15_000;
  while (clinic.devices.list().some((d) => d.enabled && d.state !== 'connected')) {
    if (Date.now() > deadline) throw new Error(`devices not connected: ${JSON.stringify(clinic.devices.list())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  say({
    type: 'ready',
    pid: process.pid,
    wsUrl: `${server.url.replace('http', 'ws')}api`,
    connections: clinic.devices.list().map((d) => ({ id: d.id, path: d.path, state: d.state, patientId: d.patientId })),
  });

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    await host.close();
    say({ type: 'closed' });
    process.exit(0);
  };
  process.stdin.on('end', () => void shutdown());
  process.stdin.resume();
  process.on('SIGTERM', () => void shutdown());
}

main().catch((e: unknown) => {
  say({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(1);
});
