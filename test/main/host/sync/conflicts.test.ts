// Concurrent edits of a watched chart field on two hosts: after the sync the
// conflict is in the review queue (not settled silently); resolving writes the
// chosen value, who chose and why, and an audit record, and the other side gets it.
import * as A from '@automerge/automerge';
import { afterEach, describe, expect, it } from 'vitest';
import { readConflicts, resolveConflictById } from '../../../../main/host/sync/conflict-review';
import { openTestHost, registration, type TestHost } from './sync-fixture';

const hosts: TestHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

describe('conflict queue through the host', () => {
  it('queues a concurrent demographic edit and resolves it with a reason', async () => {
    const desk = await openTestHost('desk');
    const laptop = await openTestHost('laptop');
    hosts.push(desk, laptop);
    const port = await desk.clinic.sync.listen({ port: 0, host: '127.0.0.1' });
    const url = `ws://127.0.0.1:${port}`;
    const { code } = await desk.clinic.sync.enrollmentCode(null);
    await laptop.clinic.sync.join({ code, peerUrl: url, actorId: null });
    const p = await desk.clinic.registerPatient(desk.doctor, registration('Layla'));
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 30_000 })).converged).toBe(true);

    // Both edit the family name while apart.
    await desk.clinic.charts.change(p.id, desk.doctor.id, { action: 'test.edit' }, (d) => {
      d.demographics.familyName = new A.ImmutableString('Al-Rawi');
    });
    await laptop.clinic.charts.change(p.id, laptop.doctor.id, { action: 'test.edit' }, (d) => {
      d.demographics.familyName = new A.ImmutableString('Al-Rawe');
    });
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 30_000 })).converged).toBe(true);

    const open = readConflicts(desk.clinic.db, desk.doctor.id, { patientId: p.id });
    expect(open).toHaveLength(1);
    expect(open[0]!.path).toEqual(['demographics', 'familyName']);
    expect(open[0]!.values.map((v) => v.value).sort()).toEqual(['Al-Rawe', 'Al-Rawi']);
    expect(desk.clinic.stats().conflicts).toBe(1);

    const choice = open[0]!.values.findIndex((v) => v.value === 'Al-Rawi');
    await expect(
      resolveConflictById(desk.clinic, desk.doctor.id, open[0]!.id, { choose: choice }, '  '),
    ).rejects.toThrow(/reason/);
    const done = await resolveConflictById(
      desk.clinic,
      desk.doctor.id,
      open[0]!.id,
      { choose: choice },
      'spelling on the national ID card',
    );
    expect(done).toMatchObject({
      status: 'resolved',
      resolvedBy: desk.doctor.id,
      reason: 'spelling on the national ID card',
    });
    expect((await desk.clinic.charts.read(p.id)).familyName).toBe('Al-Rawi');
    const audit = desk.clinic.db
      .prepare("SELECT actor_id, entity_id FROM audit_log WHERE action = 'conflict.resolve'")
      .all() as { actor_id: string; entity_id: string }[];
    expect(audit).toEqual([{ actor_id: desk.doctor.id, entity_id: open[0]!.id }]);
    // Resolving twice is refused.
    await expect(resolveConflictById(desk.clinic, desk.doctor.id, open[0]!.id, { choose: 0 }, 'again')).rejects.toThrow(
      /already resolved/,
    );

    // The choice reaches the other device.
    expect((await laptop.clinic.sync.syncOnce(url, { timeoutMs: 30_000 })).converged).toBe(true);
    expect((await laptop.clinic.charts.read(p.id)).familyName).toBe('Al-Rawi');
  }, 90_000);
});
