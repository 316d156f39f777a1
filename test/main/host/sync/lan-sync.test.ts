// Two clinic hosts in one process over the real authenticated WebSocket adapters:
// enrollment with a one-time code, a one-shot sync that moves charts and signed
// entries both ways, and the refusal of a revoked device (and what a device that
// had not heard of the revocation yet took from it: kept, and shown for review).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setDeviceRole } from '../../../../main/host/sync/device-roles';
import { enrolledPair, held, openTestHost, registration, restart, snapshot, type TestHost } from './sync-fixture';

const hosts: TestHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

const pair = () => enrolledPair(hosts);

/** The desk and laptop of `pair`, a tablet enrolled too, and the laptop synced with the desk. */
async function threeDevices() {
  const { desk, laptop, url } = await pair();
  const tablet = await openTestHost('tablet');
  hosts.push(tablet);
  const { code } = await desk.clinic.sync.enrollmentCode(null);
  await tablet.clinic.sync.join({ code, peerUrl: url, deviceName: 'tablet', actorId: null });
  expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 30_000 })).converged).toBe(true);
  return { desk, laptop, tablet, url };
}

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

  it('a device that meets a revoked device before it hears of the revocation keeps what it got, and shows the contact for review', async () => {
    const { desk, laptop, tablet, url } = await threeDevices();

    desk.clinic.sync.revoke(null, laptop.clinic.deviceId, 'laptop lost');
    const revokedAt = desk.clinic.sync.roster!.devices.get(laptop.clinic.deviceId)!.revokedAt!;
    await new Promise((r) => setTimeout(r, 5));
    // The laptop, revoked on the desk only, meets the tablet, which does not know yet.
    const late = await laptop.clinic.registerPatient(laptop.doctor, registration('AfterRevocation'));
    const tabletPort = await tablet.clinic.sync.listen({ port: 0, host: '127.0.0.1' });
    expect((await laptop.clinic.sync.syncOnce(`ws://127.0.0.1:${tabletPort}`, { timeoutMs: 30_000 })).converged).toBe(
      true,
    );
    expect(held(tablet)).toContain(late.id);
    const seenByTablet = () => tablet.clinic.sync.status().peers.find((p) => p.deviceId === laptop.clinic.deviceId)!;
    expect(seenByTablet()).toMatchObject({ revoked: false, contactAfterRevocation: null });

    // The tablet hears of the revocation from the desk: the laptop is refused from now on,
    // what it already took in stays (and travels on: docs/architecture.md, Revocation),
    // and the contact after the revocation is shown.
    expect((await tablet.clinic.sync.syncOnce(url, { timeoutMs: 30_000 })).converged).toBe(true);
    expect(held(desk)).toContain(late.id);
    const seen = seenByTablet();
    expect(seen.revoked).toBe(true);
    expect(seen.contactAfterRevocation).not.toBeNull();
    expect(seen.contactAfterRevocation! > revokedAt).toBe(true);
    await expect(laptop.clinic.sync.syncOnce(`ws://127.0.0.1:${tabletPort}`, { timeoutMs: 5_000 })).rejects.toThrow(
      /did not accept this device/,
    );
    // The desk revoked it knowingly and met it only before: nothing to review there.
    const seenByDesk = desk.clinic.sync.status().peers.find((p) => p.deviceId === laptop.clinic.deviceId)!;
    expect(seenByDesk).toMatchObject({ revoked: true, contactAfterRevocation: null });
  }, 90_000);

  it('a connection open across the revocation counts as a contact after it, up to when the revocation arrives', async () => {
    const { desk, laptop, tablet, url } = await threeDevices();
    // The laptop stays connected to the tablet (as `serve --peer` does).
    const tabletPort = await tablet.clinic.sync.listen({ port: 0, host: '127.0.0.1' });
    const tabletUrl = `ws://127.0.0.1:${tabletPort}`;
    laptop.clinic.sync.connect(tabletUrl);
    const laptopOnTablet = () => tablet.clinic.sync.status().peers.find((p) => p.deviceId === laptop.clinic.deviceId);
    await vi.waitFor(() => expect(laptopOnTablet()?.connected).toBe(true), { timeout: 10_000 });

    desk.clinic.sync.revoke(null, laptop.clinic.deviceId, 'laptop lost');
    await new Promise((r) => setTimeout(r, 5));
    // The revocation reaches the tablet: the open connection is dropped and flagged.
    expect((await tablet.clinic.sync.syncOnce(url, { timeoutMs: 30_000 })).converged).toBe(true);
    await vi.waitFor(() => expect(laptopOnTablet()?.connected).toBe(false), { timeout: 10_000 });
    const seen = laptopOnTablet()!;
    expect(seen.revoked).toBe(true);
    expect(seen.contactAfterRevocation).not.toBeNull();
    laptop.clinic.sync.disconnect(tabletUrl);
  }, 90_000);

  it('a chart whose newer heads a device learnt of through another device is fetched when the holder connects', async () => {
    const devices = await threeDevices();
    const { laptop, tablet } = devices;
    let desk = devices.desk;
    const p = await desk.clinic.registerPatient(desk.doctor, registration('Huda'));
    // The tablet works for a field team p is not assigned to: it gets the catalog, never p.
    setDeviceRole({ db: desk.clinic.db, sync: desk.clinic.sync }, null, {
      deviceId: tablet.clinic.deviceId,
      role: 'field',
      teamIds: ['T1'],
    });
    expect((await laptop.clinic.sync.syncOnce(devices.url, { timeoutMs: 30_000 })).converged).toBe(true);
    await desk.clinic.addAllergy(desk.doctor, p.id, 'penicillin');
    expect((await tablet.clinic.sync.syncOnce(devices.url, { timeoutMs: 30_000 })).converged).toBe(true);
    expect(held(tablet)).not.toContain(p.id);

    // The laptop meets the tablet: the desk's new heads of p reach it in the catalog, p
    // itself does not (the desk is not connected, the tablet does not hold it).
    const tabletPort = await tablet.clinic.sync.listen({ port: 0, host: '127.0.0.1' });
    expect((await laptop.clinic.sync.syncOnce(`ws://127.0.0.1:${tabletPort}`, { timeoutMs: 30_000 })).converged).toBe(
      true,
    );
    expect((await laptop.clinic.charts.read(p.id)).allergies).toEqual([]);

    // Then the desk, restarted (nothing loaded, so it offers nothing unasked): its catalog
    // holds nothing the laptop lacks, so no catalog change prompts the laptop. It must
    // ask for p because the desk, which lists newer heads of p, is now connected.
    desk = await restart(desk, hosts);
    const deskPort = await desk.clinic.sync.listen({ port: 0, host: '127.0.0.1' });
    expect((await laptop.clinic.sync.syncOnce(`ws://127.0.0.1:${deskPort}`, { timeoutMs: 15_000 })).converged).toBe(
      true,
    );
    expect((await laptop.clinic.charts.read(p.id)).allergies.map((a) => a.text)).toEqual(['penicillin']);
  }, 120_000);
});
