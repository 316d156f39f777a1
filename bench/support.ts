// Shared set-up for benchmarks: a fresh initialised clinic in a temp directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser, getUserByUsername, type UserRow } from '../main/access/users';
import { Clinic } from '../main/host/clinic';
import { initDataDir } from '../main/store/data-dir';

export async function benchClinic(): Promise<{ clinic: Clinic; user: UserRow; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sijill-bench-'));
  const store = await initDataDir(join(dir, 'data'), { clinicName: 'Bench Clinic', passphrase: 'bench passphrase' });
  await createUser(
    store.db,
    store.dataKey,
    { username: 'doctor', displayName: 'Bench Doctor', role: 'doctor', password: 'bench-password' },
    null,
  );
  const clinic = await Clinic.open(store);
  return {
    clinic,
    user: getUserByUsername(store.db, 'doctor')!,
    cleanup: async () => {
      await clinic.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
