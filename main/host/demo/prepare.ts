// `--demo`: create (first time) or unlock a demo clinic with sample users, patients
// and visits. Shared by browser mode and the Electron host process.
import { createUser } from '../../access/users';
import { initDataDir, isInitialized } from '../../store/data-dir';
import { deployAnchorContract, startLocalEvm, type LocalEvm } from '../../../anchor-queue';
import { defaultProfileFor, startSimulator, type CaptureProtocol, type RunningSimulator } from '../../../device-bridge';
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
    const store = await initDataDir(host.dataDir, {
      clinicName: 'Al-Amal Primary Health Care Centre (demo)',
      passphrase,
    });
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
    say(
      `Demo ledger: a local EVM node at ${evm.rpcUrl} (chain ${evm.chainId}), anchoring contract ${contract.address}.`,
    );
  } catch (err) {
    // The demo is still useful without a ledger: checkpoints accumulate and the status says so.
    say(
      `Demo ledger not started (${err instanceof Error ? err.message : String(err)}); checkpoints will accumulate unanchored.`,
    );
    await evm?.stop();
    evm = null;
  }
  const running = evm;
  const stopDevices = await startDemoDevices(host, say);
  return async () => {
    await stopDevices();
    await running?.stop();
  };
}

/**
 * Simulated devices on pty pairs (socat): a pulse oximeter and an ECG front-end
 * attached to two demo patients, and a lab analyzer whose results wait in the lab
 * inbox. Earlier runs' demo connections (their ptys are gone) are disconnected first.
 */
async function startDemoDevices(host: Host, say: (line: string) => void): Promise<() => Promise<void>> {
  const clinic = host.clinic;
  for (const c of clinic.devices.list()) {
    if (c.enabled && c.label.startsWith('Demo ')) await clinic.devices.disconnect(null, c.id);
  }
  const patients = clinic.db.prepare('SELECT id FROM patients ORDER BY mrn LIMIT 2').all() as { id: string }[];
  const plan: { protocol: CaptureProtocol; label: string; patientId: string | null }[] = [
    { protocol: 'cms50d', label: 'Demo pulse oximeter (bed 1)', patientId: patients[0]?.id ?? null },
    { protocol: 'ecg', label: 'Demo ECG (bed 2)', patientId: patients[1]?.id ?? null },
    { protocol: 'astm', label: 'Demo chemistry analyzer', patientId: null },
  ];
  const sims: RunningSimulator[] = [];
  try {
    for (const p of plan) {
      const sim = await startSimulator(p.protocol, {
        pty: true,
        ...(p.protocol === 'astm' ? { astm: { messages: 3 } } : {}),
      });
      sims.push(sim);
      await clinic.devices.connect(null, {
        profileId: defaultProfileFor(p.protocol).id,
        path: sim.path!,
        label: p.label,
        patientId: p.patientId,
      });
    }
    say(`Demo devices: ${plan.map((p) => p.label).join(', ')} (simulated on pty pairs).`);
  } catch (err) {
    say(`Demo devices not started (${err instanceof Error ? err.message : String(err)}); is socat installed?`);
  }
  return async () => {
    await clinic.devices.stop();
    await Promise.all(sims.map((s) => s.stop()));
  };
}
