// Publishing (copying the entries signed here into their charts) over thousands of
// entries runs in batches that give the event loop a turn: a peer's handshake, the
// renderer's requests and timers go on meanwhile. (It once held the loop for tens of
// seconds on a clinic's first listen, and a laptop joining then could not connect.)
import { afterEach, describe, expect, it } from 'vitest';
import { openTestHost, registration, type TestHost } from './sync-fixture';

const hosts: TestHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

describe('publishing entries', () => {
  it('publishes every entry into its chart, yielding to the event loop between batches', async () => {
    const desk = await openTestHost('desk');
    hosts.push(desk);
    // Recorded before the device belongs to a clinic: nothing is published yet.
    const patients: string[] = [];
    for (let i = 0; i < 200; i++) {
      const p = await desk.clinic.registerPatient(desk.doctor, registration(`P${i}`));
      desk.clinic.recordEntry(desk.doctor, p.id, 'note', { text: `visit ${i}` });
      patients.push(p.id);
    }
    await desk.clinic.sync.listen({ port: 0, host: '127.0.0.1' });
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      await desk.clinic.sync.publish();
    } finally {
      clearInterval(ticker);
    }
    expect(turns).toBeGreaterThan(0);
    for (const id of [patients[0]!, patients[199]!]) {
      const signed = await desk.clinic.charts.withChart(id, (h) =>
        Object.keys((h.doc() as { signedEntries?: Record<string, unknown> }).signedEntries ?? {}),
      );
      expect(signed).toHaveLength(1);
    }
  }, 60_000);
});
