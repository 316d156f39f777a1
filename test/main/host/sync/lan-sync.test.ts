// Two clinic hosts in one process over the real authenticated WebSocket adapters:
// enrollment with a one-time code, a one-shot sync that moves charts and signed
// entries both ways, and the refusal of a revoked device.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { enrolledPair, registration, snapshot, type TestHost } from './sync-fixture';

const hosts: TestHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

const pair = () => enrolledPair(hosts);

describe('LAN sync through the host', () => {
  it('enrolls a device with a code, then syncs charts and signed entries both ways', async () => {
    const { desk, laptop, url } = await pair();
    const a = await desk.clinic.registerPatient(desk.doctor, registration('Layla'));
    desk.clinic.recordEntry(desk.doctor, a.id, 'note', { text: 'seen at the desk' });
    const b = await laptop.clinic.registerPatient(laptop.doctor, registration('Omar', { sex: 'male' }));
    laptop.clinic.recordEntry(laptop.doctor, b.id, 'note', { text: 'seen in the field' });

    const r = await laptop.clinic.sync.syncOnce(url, { timeoutMs: 30_000 });
    expect(r.converged).toBe(true);
    const s1 = await snapshot(desk);
    const s2 = await snapshot(laptop);
    expect(s1.patients.sort()).toEqual([a.id, b.id].sort());
    expect(s2).toEqual(s1);
    expect(s1.entries).toHaveLength(2);
    // The received entry is searchable by name on the other side (projection re-run).
    expect(desk.clinic.searchPatients(desk.doctor, 'Omar', 10).map((p) => p.id)).toEqual([b.id]);
    // The entry received from the laptop still verifies on the desk.
    const chart = await desk.clinic.getChart(desk.doctor, b.id);
    expect(chart.entries.map((e) => e.signatureValid)).toEqual([true]);
    expect(desk.clinic.stats()).toMatchObject({ peers: 1, conflicts: 0 });
    // The listening side records its last sync too, once the exchange converged.
    expect(laptop.clinic.sync.status().lastSyncAt).not.toBeNull();
    await vi.waitFor(() => expect(desk.clinic.sync.status().lastSyncAt).not.toBeNull(), { timeout: 10_000 });
  }, 60_000);

  it('refuses a revoked device: it receives nothing more', async () => {
    const { desk, laptop, url } = await pair();
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 30_000 })).converged).toBe(true);
    desk.clinic.sync.revoke(null, laptop.clinic.deviceId, 'laptop lost');
    await desk.clinic.registerPatient(desk.doctor, registration('Secret'));
    await expect(laptop.clinic.sync.syncOnce(url, { timeoutMs: 5_000 })).rejects.toThrow(/did not accept this device/);
    expect((await snapshot(laptop)).patients).toHaveLength(0);
  }, 60_000);
});
