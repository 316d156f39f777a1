// The decoding of charts received whole (bulk-decode.ts), on its worker thread
// (bulk-decoder.ts): the same result as inline, a refusal for bytes that are not a
// chart, a refused verdict for an entry whose signature does not cover its content,
// and inline decoding once the thread is gone.
import * as A from '@automerge/automerge';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeCharts, type DecodedChart } from '../../../../main/host/sync/bulk-decode';
import { BulkDecoder } from '../../../../main/host/sync/bulk-decoder';
import { storedDocBytes } from '../../../../main/host/sync/doc-loading';
import { openTestHost, registration, until, type TestHost } from './sync-fixture';

const hosts: TestHost[] = [];
const decoders: BulkDecoder[] = [];
afterEach(async () => {
  for (const d of decoders.splice(0)) await d.close();
  for (const h of hosts.splice(0)) await h.close();
});

async function chartBytes(): Promise<{ documentId: string; bytes: Uint8Array; patientId: string }> {
  const desk = await openTestHost('desk');
  hosts.push(desk);
  // A device of a clinic (it founds one): only then are entries published into charts.
  await desk.clinic.sync.ensureClinic(null);
  const p = await desk.clinic.registerPatient(desk.doctor, registration('Zainab'));
  desk.clinic.recordEntry(desk.doctor, p.id, 'note', { text: 'Fever for three days.' });
  await desk.clinic.sync.publish();
  const { document_id: documentId } = desk.clinic.db
    .prepare('SELECT document_id FROM patients WHERE id = ?')
    .get(p.id) as { document_id: string };
  return { documentId, bytes: storedDocBytes(desk.clinic.db, documentId)!, patientId: p.id };
}

const ok = (d: DecodedChart) => {
  if (!d.ok) throw new Error(`not decoded: ${d.reason}`);
  return d;
};

describe('BulkDecoder', () => {
  it('decodes on its worker thread exactly as inline; refuses what is not a chart; flags a forged entry', async () => {
    const good = await chartBytes();
    // The same chart with its entry's content changed after signing.
    const forged = A.change(A.load<Record<string, unknown>>(good.bytes), (d) => {
      const entries = d.signedEntries as Record<string, { canonical: unknown }>;
      const [id] = Object.keys(entries);
      const w = entries[id!]!;
      w.canonical = new A.ImmutableString(String(w.canonical).replace('three', 'ten'));
    });
    const docs = [
      good,
      { documentId: '2WbN7m8ZxL3kQfHc5VtYp9RdJs', bytes: A.save(forged) },
      { documentId: '3XcP8n9AyM4rRgJd6WuZq1SeKt', bytes: new Uint8Array([1, 2, 3, 4, 5]) },
      { documentId: '4YdQ9o1BzN5sShKe7XvAr2TfLu', bytes: A.save(A.from({ kind: 'not a chart' })) },
    ];

    const decoder = new BulkDecoder(() => undefined);
    decoders.push(decoder);
    decoder.warmUp();
    await until(() => decoder.onWorker, 30_000, 'the decoding thread to start');
    const onWorker = await decoder.decode(docs);
    expect(onWorker).toEqual(decodeCharts(docs));

    const g = ok(onWorker[0]!);
    expect(g.chart).toMatchObject({ id: good.patientId, givenName: 'Zainab' });
    expect(g.heads).toEqual(A.getHeads(A.load(good.bytes)));
    expect(g.verdicts).toHaveLength(1);
    expect(g.verdicts[0]![1].ok).toBe(true);
    const f = ok(onWorker[1]!);
    expect(f.verdicts[0]![1]).toEqual({ ok: false, reason: 'hash or signature does not verify' });
    expect(onWorker[2]).toMatchObject({ ok: false, reason: expect.stringMatching(/^it does not load/) });
    expect(onWorker[3]).toMatchObject({ ok: false, reason: 'not a patient chart' });

    // Once the thread is gone, batches are decoded inline, with the same result.
    await decoder.close();
    expect(decoder.onWorker).toBe(false);
    expect(await decoder.decode(docs)).toEqual(onWorker);
  });
});
