// A large demo clinic is seeded with bounded memory: idle charts are unloaded while
// the seeding runs, not only once it is over. (Every await of a registration settles
// in microtasks; without a turn of the event loop the unloading timer never fired,
// every chart stayed loaded, and registrations grew ~8x slower past ~2,000.)
import { afterEach, describe, expect, it } from 'vitest';
import { seedDemo } from '../../../../main/host/demo/seed';
import { openTestHost, type TestHost } from '../sync/sync-fixture';

const hosts: TestHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

describe('demo seed', () => {
  it('unloads idle charts while it seeds', async () => {
    const host = await openTestHost('demo', { loadedLimits: { maxLoaded: 8, idleMs: 500 } });
    hosts.push(host);
    const loaded = host.clinic.charts.loaded;
    const started = Date.now();
    let peak = 0;
    let patients = 0;
    // Seeds in rounds until well past the unloading timer (1 s), the idle time and the
    // first, slower rounds.
    while (Date.now() - started < 5000) {
      await seedDemo(host.clinic, {
        patients: 40,
        seed: patients + 1,
        onProgress: () => void (peak = Math.max(peak, loaded.loaded)),
      });
      patients += 40;
    }
    // Read at once, before this test gives the event loop a turn of its own.
    expect(loaded.evicted).toBeGreaterThan(0);
    expect(peak).toBeLessThan(patients);
  }, 60_000);
});
