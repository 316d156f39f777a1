// `--demo`: create (first time) or unlock a demo clinic with sample users, patients
// and visits. Shared by browser mode and the Electron host process.
import { createUser } from '../../access/users';
import { initDataDir, isInitialized } from '../../store/data-dir';
import { deployAnchorContract, startLocalEvm, type LocalEvm } from '../../../anchor-queue';
import type { Host } from '../host';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from './seed';

/** The demo database holds demo data only; its passphrase is printed for anyone to use. */
export const DEMO_PASSPHRASE = 'sijill-demo-passphrase';
export const DEMO_PATIENTS = 300;

/**
 * Prepares the demo clinic and, unless `ledger` is false, a local EVM node (anvil,
 * from npm) with the anchoring contract, so a newcomer sees real anchors. The chain
 * lives only as long as the process: returns a function that stops it.
 */
export async function prepareDemo(
  host: Host,
  say: (line: string) => void,
  options: { patients?: number; ledger?: boolean } = {},
): Promise<() => Promise<void>> {
  const patients = options.patients ?? DEMO_PATIENTS;
  const passphrase = process.env.SIJILL_PASSPHRASE || DEMO_PASSPHRASE;
  if (!isInitialized(host.dataDir)) {
    say(`Creating a demo clinic in ${host.dataDir} ...`);
    const store = await initDataDir(host.dataDir, { clinicName: 'Al-Amal Primary Health Care Centre (demo)', passphrase });
    await createUser(store.db, store.dataKey, { ...DEMO_USERS[0]!, password: DEMO_PASSWORD }, null);
    store.db.close();
    await host.unlock(passphrase);
    let last = -1;
    await seedDemo(host.clinic, {
      patients,
      onProgress: (done, total) => {
        const pct = Math.floor((done / total) * 10) * 10;
        if (pct !== last) {
          last = pct;
          say(`  seeding demo patients: ${pct}%`);
        }
      },
    });
  } else {
    await host.unlock(passphrase);
  }
  say(`Demo database passphrase: ${passphrase === DEMO_PASSPHRASE ? DEMO_PASSPHRASE : '(from SIJILL_PASSPHRASE)'}`);
  say(`Demo users (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.username} (${u.role})`).join(', ')}`);
  if (options.ledger === false) return async () => {};
  let evm: LocalEvm | null = null;
  try {
    evm = await startLocalEvm({ blockTimeSeconds: 2 });
    const [deployer, clinicAccount] = evm.accounts;
    const contract = await deployAnchorContract(evm.rpcUrl, deployer!.privateKey);
    host.clinic.anchoring.configureLedger({
      rpcUrl: evm.rpcUrl,
      chainId: evm.chainId,
      contractAddress: contract.address,
      confirmations: 2,
      privateKey: clinicAccount!.privateKey,
    });
    say(`Demo ledger: a local EVM node at ${evm.rpcUrl} (chain ${evm.chainId}), anchoring contract ${contract.address}.`);
  } catch (err) {
    // The demo is still useful without a ledger: checkpoints accumulate and the status says so.
    say(`Demo ledger not started (${err instanceof Error ? err.message : String(err)}); checkpoints will accumulate unanchored.`);
    await evm?.stop();
    evm = null;
  }
  const running = evm;
  return async () => {
    await running?.stop();
  };
}
