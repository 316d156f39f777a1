// A clinic host in its own process, for the SIGKILL tests: opens the data directory
// with its passphrase, configures the ledger, and steps the anchor queue while
// recording an entry every few milliseconds, until it is killed.
//
//   node bin/run-ts.js test/anchor-queue/faults/anchor-worker.ts DATA_DIR RPC_URL CHAIN_ID CONTRACT CONFIRMATIONS PATIENT_ID
//   env: SIJILL_PASSPHRASE, SIJILL_LEDGER_KEY (secrets never on the command line)
//
// stdout, one line each: "ready", then "entry <id>" after every committed entry.
import { getUserByUsername } from '../../../main/access/users';
import { Clinic } from '../../../main/host/clinic';
import { openDataDir } from '../../../main/store/data-dir';
import type { Hex } from '../../../anchor-queue';

const [dataDir, rpcUrl, chainId, contract, confirmations, patientId] = process.argv.slice(2);
const passphrase = process.env.SIJILL_PASSPHRASE;
const privateKey = process.env.SIJILL_LEDGER_KEY as Hex | undefined;
if (!dataDir || !rpcUrl || !chainId || !contract || !confirmations || !patientId || !passphrase || !privateKey) {
  console.error(
    'usage: anchor-worker.ts DATA_DIR RPC_URL CHAIN_ID CONTRACT CONFIRMATIONS PATIENT_ID (env SIJILL_PASSPHRASE, SIJILL_LEDGER_KEY)',
  );
  process.exit(2);
}

const clinic = await Clinic.open(await openDataDir(dataDir, passphrase));
const user = getUserByUsername(clinic.db, 'doc');
if (!user) throw new Error('no user "doc" in the data directory');
clinic.anchoring.configureLedger({
  rpcUrl,
  chainId: Number(chainId),
  contractAddress: contract as Hex,
  confirmations: Number(confirmations),
  privateKey,
});
process.stdout.write('ready\n');

// Recording goes on next to anchoring; each line is written only after the commit.
const recorder = setInterval(() => {
  const entry = clinic.recordEntry(user, patientId, 'note', { text: 'recorded by the worker' });
  process.stdout.write(`entry ${entry.id}\n`);
}, 20);
recorder.unref();

for (;;) {
  await clinic.anchoring.stepQueue();
  await new Promise((resolve) => setTimeout(resolve, 50));
}
