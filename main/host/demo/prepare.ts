// `--demo`: create (first time) or unlock a demo clinic with sample users, patients
// and visits. Shared by browser mode and the Electron host process.
import { createUser } from '../../access/users';
import { initDataDir, isInitialized } from '../../store/data-dir';
import type { Host } from '../host';
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from './seed';

/** The demo database holds demo data only; its passphrase is printed for anyone to use. */
export const DEMO_PASSPHRASE = 'sijill-demo-passphrase';
export const DEMO_PATIENTS = 300;

export async function prepareDemo(host: Host, say: (line: string) => void, patients = DEMO_PATIENTS): Promise<void> {
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
}
