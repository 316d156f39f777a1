// The sijill command line. Every command that opens a database takes --data-dir
// and reads the passphrase from SIJILL_PASSPHRASE or a terminal prompt.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ROLES, Role, Username, Password, Passphrase, type Role as RoleT } from '../api';
import { createUser } from '../access/users';
import { verifyAuditChain } from '../access/audit-log';
import { changePassphrase, initDataDir, isInitialized, openDataDir } from '../store/data-dir';
import { StoreError } from '../store/errors';
import { Clinic } from '../host/clinic';
import { CliError, readSecret } from './prompt';
import { serveCommand } from './serve';
import { seedDemo } from '../host/demo/seed';
import { decodeCommand, replayCommand, simulateCommand } from './device-commands';
import {
  anchorConfigureCommand,
  anchorStatusCommand,
  verifyCommand,
  verifyStoreCommand,
  writeReceipt,
} from './anchor-commands';
import {
  bundleExportCommand,
  bundleImportCommand,
  hubCommand,
  peersEnrollCommand,
  peersJoinCommand,
  peersListCommand,
  peersRevokeCommand,
  peersRoleCommand,
  syncCommand,
} from './sync-commands';

const USAGE = `Usage: sijill <command> [options]

  init --data-dir DIR --clinic NAME --admin USERNAME [--admin-name NAME]
                         create an encrypted clinic database (admin password: SIJILL_ADMIN_PASSWORD or prompt)
  serve --data-dir DIR [--port N] [--demo] [--bind ADDR] [--listen-peers [--peer-port N] [--peer-bind ADDR]]
                         serve the app on http://127.0.0.1:PORT (browser mode); with --listen-peers also
                         accept enrolled devices (sync) and enrollments on ws://ADDR:N (default 0.0.0.0:8471)
  start [--data-dir DIR] [--demo] [--port N]
                         open the desktop app, or browser mode when Electron is not available
  demo seed --data-dir DIR --patients N [--seed S]
                         add realistic demo users, patients, visits, vitals and notes
  user add --data-dir DIR --username U --role ROLE [--display-name NAME]
                         add a user (password: SIJILL_USER_PASSWORD or prompt); roles: ${ROLES.join(', ')}
  audit verify --data-dir DIR
                         check the audit hash chain; exit 0 only when all of it verifies
  stats --data-dir DIR [--json]
                         counts of patients, entries, audit records, users, leaves, checkpoints, anchors
  passphrase change --data-dir DIR
                         re-wrap the database key under a new passphrase (SIJILL_NEW_PASSPHRASE or prompt)
  receipt ENTRY-ID --data-dir DIR --out FILE
                         write the entry's receipt (leaf, inclusion proof, checkpoint, anchor)
  verify FILE [--key VERIFIER-KEY] [--ledger RPC_URL] [--json]
                         verify a receipt offline (and against the ledger); exit 0 only if all holds
  verify-store --data-dir DIR [--json]
                         recompute every leaf from the stored records; names the first that changed
  device decode --protocol astm|hl7|cms50d|nonin|masimo|ecg FILE
                         decode a device capture: JSON lines on stdout, errors with byte offsets on stderr
  device replay --data-dir DIR --connection ID
                         decode a connection's raw byte log again (JSON lines, like decode)
  simulate cms50d|nonin|masimo|astm|hl7|ecg --pty [--wfdb HEADER.hea] [--speed N]
                         run a simulated device on a pty pair (socat) and print the path to open
  anchor status --data-dir DIR [--json]
                         the anchoring queue: checkpoints, pending, last anchor
  anchor seal --data-dir DIR
                         seal a checkpoint of the log now
  anchor configure --data-dir DIR --rpc URL --chain-id N --contract ADDRESS [--confirmations N]
                         set the national ledger (account key: SIJILL_LEDGER_KEY or prompt)
  peers enroll --data-dir DIR [--address HOST:PORT] [--ttl-minutes N]
                         print a one-time enrollment code (and its QR text) for a new device
  peers join --data-dir DIR --code CODE --peer ws://HOST:PORT [--name NAME]
                         enroll this device with the clinic of the device listening at that address
  peers revoke --data-dir DIR --device ID [--reason TEXT]
                         revoke a device: it is refused and receives nothing more
  peers role DEVICE --data-dir DIR --role clinic|field|hub [--team T]...
                         set a device's role and field teams (this must be an administrator device): a
                         field device receives only its teams' patients, a hub only consented ones
  peers list --data-dir DIR [--json]
                         the clinic's devices, revoked ones marked, with roles and last sync times
  sync --data-dir DIR --peer ws://HOST:PORT [--timeout SECONDS]
                         sync once; exit 0 only when both sides hold the same data (3: not yet)
  bundle export --data-dir DIR --since-peer DEVICE-ID --out FILE
                         write a signed, encrypted bundle of what that device lacks (USB stick)
  hub --data-dir DIR --upstream ws://HOST:PORT [--port N] [--bind ADDR]
                         run the regional hub gateway (this enrolled device) in front of an automerge-repo
                         sync server; devices sync with it by: sijill sync --peer ws://HUB:PORT
  bundle import --data-dir DIR FILE
                         import a bundle; a tampered, replayed or foreign one is refused, nothing changed

The database passphrase is read from SIJILL_PASSPHRASE, or prompted for on a terminal.`;

const common = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...common, ...options }, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new CliError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`, 2);
  }
}

function requireOpt(value: string | undefined, flag: string): string {
  if (!value) throw new CliError(`Missing --${flag}.\n\n${USAGE}`, 2);
  return value;
}

function validated<T>(
  schema: {
    safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  value: unknown,
  what: string,
): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new CliError(`${what}: ${r.error.issues.map((i) => i.message).join('; ')}`, 2);
  return r.data;
}

async function withClinic<T>(dataDir: string, fn: (clinic: Clinic) => Promise<T> | T): Promise<T> {
  const passphrase = await readSecret('SIJILL_PASSPHRASE', 'Database passphrase: ');
  const clinic = await Clinic.open(await openDataDir(dataDir, passphrase));
  try {
    return await fn(clinic);
  } finally {
    await clinic.close();
  }
}

const commands: Record<string, (args: string[]) => Promise<number>> = {
  async receipt([entryId, ...args]) {
    if (!entryId || entryId.startsWith('--')) throw new CliError(`receipt needs an entry id.\n\n${USAGE}`, 2);
    const o = parse(args, { out: { type: 'string' } });
    const dataDir = requireOpt(o['data-dir'], 'data-dir');
    const out = requireOpt(o.out, 'out');
    return withClinic(dataDir, (clinic) => {
      writeReceipt(clinic, entryId, out);
      return 0;
    });
  },

  async verify([file, ...args]) {
    if (!file || file.startsWith('--')) throw new CliError(`verify needs a receipt file.\n\n${USAGE}`, 2);
    const o = parse(args, { key: { type: 'string' }, ledger: { type: 'string' }, json: { type: 'boolean' } });
    return verifyCommand(file, { key: o.key, ledger: o.ledger, json: o.json });
  },

  async device([sub, ...args]) {
    if (sub === 'decode') {
      let parsed;
      try {
        parsed = parseArgs({ args, options: { protocol: { type: 'string' } }, strict: true, allowPositionals: true });
      } catch (err) {
        throw new CliError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`, 2);
      }
      return decodeCommand(parsed.values.protocol, parsed.positionals[0]);
    }
    if (sub === 'replay') {
      const o = parse(args, { connection: { type: 'string' } });
      const connection = requireOpt(o.connection, 'connection');
      return withClinic(requireOpt(o['data-dir'], 'data-dir'), (clinic) => replayCommand(clinic, connection));
    }
    throw new CliError(`Unknown command "device ${sub ?? ''}".\n\n${USAGE}`, 2);
  },

  async simulate([protocol, ...args]) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: { pty: { type: 'boolean' }, wfdb: { type: 'string' }, speed: { type: 'string' } },
        strict: true,
      });
    } catch (err) {
      throw new CliError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`, 2);
    }
    return simulateCommand(protocol, parsed.values);
  },

  async 'verify-store'(args) {
    const o = parse(args, { json: { type: 'boolean' } });
    return withClinic(requireOpt(o['data-dir'], 'data-dir'), (clinic) => verifyStoreCommand(clinic, o.json ?? false));
  },

  async anchor([sub, ...args]) {
    const o = parse(args, {
      json: { type: 'boolean' },
      rpc: { type: 'string' },
      'chain-id': { type: 'string' },
      contract: { type: 'string' },
      confirmations: { type: 'string' },
    });
    const dataDir = requireOpt(o['data-dir'], 'data-dir');
    if (sub === 'status') return withClinic(dataDir, (clinic) => anchorStatusCommand(clinic, o.json ?? false));
    if (sub === 'seal')
      return withClinic(dataDir, (clinic) => {
        const sealed = clinic.anchoring.sealNow();
        console.log(
          sealed
            ? `Sealed a checkpoint at tree size ${sealed.treeSize}.`
            : 'Nothing new to seal: the newest checkpoint covers the whole log.',
        );
        return 0;
      });
    if (sub === 'configure') return withClinic(dataDir, (clinic) => anchorConfigureCommand(clinic, o));
    throw new CliError(`Unknown command "anchor ${sub ?? ''}".\n\n${USAGE}`, 2);
  },

  async init(args) {
    const o = parse(args, { clinic: { type: 'string' }, admin: { type: 'string' }, 'admin-name': { type: 'string' } });
    const dataDir = requireOpt(o['data-dir'], 'data-dir');
    const clinicName = requireOpt(o.clinic, 'clinic');
    const admin = validated(Username, requireOpt(o.admin, 'admin'), 'Administrator username');
    if (isInitialized(dataDir)) throw new CliError(`${dataDir} already holds a Sijill database. Nothing was changed.`);
    const passphrase = validated(
      Passphrase,
      await readSecret('SIJILL_PASSPHRASE', 'New database passphrase: ', { confirm: true }),
      'Passphrase',
    );
    const password = validated(
      Password,
      await readSecret('SIJILL_ADMIN_PASSWORD', `Password for ${admin}: `, { confirm: true }),
      'Admin password',
    );
    const store = await initDataDir(dataDir, { clinicName, passphrase });
    try {
      await createUser(
        store.db,
        store.dataKey,
        { username: admin, displayName: o['admin-name'] ?? admin, role: 'administrator', password },
        null,
      );
    } finally {
      store.db.close();
    }
    console.log(`Created the encrypted clinic database for "${clinicName}" in ${dataDir}; administrator: ${admin}.`);
    return 0;
  },

  serve: (args) =>
    serveCommand(
      parse(args, {
        port: { type: 'string' },
        demo: { type: 'boolean' },
        bind: { type: 'string' },
        'listen-peers': { type: 'boolean' },
        'peer-port': { type: 'string' },
        'peer-bind': { type: 'string' },
      }),
      { electron: false },
    ),

  async peers([sub, ...args]) {
    if (sub === 'role') {
      let parsed;
      try {
        parsed = parseArgs({
          args,
          options: { ...common, role: { type: 'string' }, team: { type: 'string', multiple: true } },
          strict: true,
          allowPositionals: true,
        });
      } catch (err) {
        throw new CliError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`, 2);
      }
      if (parsed.positionals.length !== 1) throw new CliError(`peers role needs one DEVICE id.\n\n${USAGE}`, 2);
      const v = parsed.values;
      return withClinic(requireOpt(v['data-dir'], 'data-dir'), (c) =>
        peersRoleCommand(c, { device: parsed.positionals[0], role: v.role, teams: v.team }),
      );
    }
    const o = parse(args, {
      code: { type: 'string' },
      peer: { type: 'string' },
      name: { type: 'string' },
      device: { type: 'string' },
      reason: { type: 'string' },
      address: { type: 'string' },
      'ttl-minutes': { type: 'string' },
      json: { type: 'boolean' },
    });
    const dataDir = requireOpt(o['data-dir'], 'data-dir');
    if (sub === 'enroll')
      return withClinic(dataDir, (c) => peersEnrollCommand(c, { address: o.address, ttlMinutes: o['ttl-minutes'] }));
    if (sub === 'join') return withClinic(dataDir, (c) => peersJoinCommand(c, o));
    if (sub === 'revoke') return withClinic(dataDir, (c) => peersRevokeCommand(c, o));
    if (sub === 'list') return withClinic(dataDir, (c) => peersListCommand(c, o.json ?? false));
    throw new CliError(`Unknown command "peers ${sub ?? ''}".\n\n${USAGE}`, 2);
  },

  async sync(args) {
    const o = parse(args, { peer: { type: 'string' }, timeout: { type: 'string' } });
    return withClinic(requireOpt(o['data-dir'], 'data-dir'), (c) => syncCommand(c, o));
  },

  async hub(args) {
    const o = parse(args, { upstream: { type: 'string' }, port: { type: 'string' }, bind: { type: 'string' } });
    return withClinic(requireOpt(o['data-dir'], 'data-dir'), (c) => hubCommand(c, o));
  },

  async bundle([sub, ...args]) {
    if (sub === 'export') {
      const o = parse(args, { 'since-peer': { type: 'string' }, out: { type: 'string' } });
      return withClinic(requireOpt(o['data-dir'], 'data-dir'), (c) => bundleExportCommand(c, o));
    }
    if (sub === 'import') {
      let parsed;
      try {
        parsed = parseArgs({ args, options: { ...common }, strict: true, allowPositionals: true });
      } catch (err) {
        throw new CliError(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`, 2);
      }
      const file = parsed.positionals[0];
      if (!file || parsed.positionals.length > 1) throw new CliError(`bundle import needs one FILE.\n\n${USAGE}`, 2);
      return withClinic(requireOpt(parsed.values['data-dir'], 'data-dir'), (c) => bundleImportCommand(c, file));
    }
    throw new CliError(`Unknown command "bundle ${sub ?? ''}".\n\n${USAGE}`, 2);
  },

  start: (args) =>
    serveCommand(parse(args, { port: { type: 'string' }, demo: { type: 'boolean' }, bind: { type: 'string' } }), {
      electron: true,
    }),

  async demo([sub, ...args]) {
    if (sub !== 'seed') throw new CliError(`Unknown command "demo ${sub ?? ''}".\n\n${USAGE}`, 2);
    const o = parse(args, { patients: { type: 'string' }, seed: { type: 'string' } });
    const dataDir = requireOpt(o['data-dir'], 'data-dir');
    const patients = Number(o.patients ?? '300');
    const seed = Number(o.seed ?? '1');
    if (!Number.isInteger(patients) || patients < 0 || patients > 100_000)
      throw new CliError('--patients must be a whole number from 0 to 100000', 2);
    if (!Number.isInteger(seed)) throw new CliError('--seed must be a whole number', 2);
    return withClinic(dataDir, async (clinic) => {
      let last = 0;
      const result = await seedDemo(clinic, {
        patients,
        seed,
        onProgress: (done, total) => {
          const pct = Math.floor((done / total) * 100);
          if (pct >= last + 10 || done === total) {
            last = pct;
            process.stderr.write(`seeding: ${done}/${total} patients (${pct}%)\n`);
          }
        },
      });
      console.log(`Seeded ${result.patients} patients, ${result.entries} entries and ${result.users} users.`);
      return 0;
    });
  },

  async user([sub, ...args]) {
    if (sub !== 'add') throw new CliError(`Unknown command "user ${sub ?? ''}".\n\n${USAGE}`, 2);
    const o = parse(args, {
      username: { type: 'string' },
      role: { type: 'string' },
      'display-name': { type: 'string' },
    });
    const dataDir = requireOpt(o['data-dir'], 'data-dir');
    const username = validated(Username, requireOpt(o.username, 'username'), 'Username');
    const role: RoleT = validated(Role, requireOpt(o.role, 'role'), `Role (one of ${ROLES.join(', ')})`);
    return withClinic(dataDir, async (clinic) => {
      const password = validated(
        Password,
        await readSecret('SIJILL_USER_PASSWORD', `Password for ${username}: `, { confirm: true }),
        'Password',
      );
      const user = await createUser(
        clinic.db,
        clinic.store.dataKey,
        { username, displayName: o['display-name'] ?? username, role, password },
        null,
      );
      console.log(`Added ${user.username} (${user.role}).`);
      return 0;
    });
  },

  async audit([sub, ...args]) {
    if (sub !== 'verify') throw new CliError(`Unknown command "audit ${sub ?? ''}".\n\n${USAGE}`, 2);
    const o = parse(args, { json: { type: 'boolean' } });
    const dataDir = requireOpt(o['data-dir'], 'data-dir');
    return withClinic(dataDir, (clinic) => {
      const r = verifyAuditChain(clinic.db);
      if (o.json) console.log(JSON.stringify(r));
      else if (r.ok) console.log(`Audit chain verified: ${r.records} records, no break.`);
      else console.error(`AUDIT CHAIN BROKEN at record ${r.firstBrokenSeq}: ${r.reason}.`);
      return r.ok ? 0 : 3;
    });
  },

  async stats(args) {
    const o = parse(args, { json: { type: 'boolean' } });
    const dataDir = requireOpt(o['data-dir'], 'data-dir');
    return withClinic(dataDir, (clinic) => {
      const s = clinic.stats();
      if (o.json) console.log(JSON.stringify(s));
      else for (const [k, v] of Object.entries(s)) console.log(`${k}: ${v}`);
      return 0;
    });
  },

  async passphrase([sub, ...args]) {
    if (sub !== 'change') throw new CliError(`Unknown command "passphrase ${sub ?? ''}".\n\n${USAGE}`, 2);
    const o = parse(args, {});
    const dataDir = requireOpt(o['data-dir'], 'data-dir');
    const oldPass = await readSecret('SIJILL_PASSPHRASE', 'Current passphrase: ');
    const newPass = validated(
      Passphrase,
      await readSecret('SIJILL_NEW_PASSPHRASE', 'New passphrase: ', { confirm: true }),
      'New passphrase',
    );
    await changePassphrase(dataDir, oldPass, newPass);
    console.log('Passphrase changed. The database itself was not rewritten.');
    return 0;
  },
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const run = commands[command];
  if (!run) {
    console.error(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(err.message);
      return err.exitCode;
    }
    if (err instanceof StoreError) {
      console.error(err.message);
      return err.code === 'WRONG_PASSPHRASE' ? 4 : 1;
    }
    if (err && typeof err === 'object' && 'code' in err && 'message' in err && typeof err.message === 'string') {
      console.error(err.message);
      return 1;
    }
    console.error(`sijill: unexpected error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
