import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACK,
  AstmLinkReceiver,
  AstmLinkSender,
  encodeAstmRecords,
  ENQ,
  EOT,
  NAK,
  STX,
  type AstmSenderEvent,
} from '../../device-bridge/index';
import { ascii } from './helpers';

const writes = (evs: AstmSenderEvent[]) =>
  evs.filter((e) => e.type === 'write').map((e) => Array.from((e as { bytes: Uint8Array }).bytes));
const one = (b: number) => Uint8Array.of(b);
const records = ['H|\\^&|||LIS', 'P|1||PAT-1', `O|1|SMP-1||${'^^^GLU\\'.repeat(60)}`, 'L|1|N'];
const { frames } = encodeAstmRecords(records.map(ascii));

describe('AstmLinkSender', () => {
  it('ENQ, frames on each ACK, EOT at the end', () => {
    const tx = new AstmLinkSender();
    expect(writes(tx.send(frames, 0))).toEqual([[ENQ]]);
    expect(tx.state).toBe('establishing');
    const out: AstmSenderEvent[] = [];
    for (let i = 0; i <= frames.length; i++) out.push(...tx.receive(one(ACK), i * 10));
    expect(writes(out)).toEqual([...frames.map((f) => Array.from(f)), [EOT]]);
    expect(out.at(-1)).toEqual({ type: 'delivered', frames: frames.length });
    expect(tx.state).toBe('idle');
  });

  it('retransmits a NAKed frame and gives up (EOT) after 6 refusals', () => {
    const tx = new AstmLinkSender();
    tx.send(frames, 0);
    expect(writes(tx.receive(one(ACK), 0))).toEqual([Array.from(frames[0]!)]);
    for (let i = 1; i < 6; i++) expect(writes(tx.receive(one(NAK), i))).toEqual([Array.from(frames[0]!)]);
    const last = tx.receive(one(NAK), 6);
    expect(writes(last)).toEqual([[EOT]]);
    expect(last.at(-1)).toMatchObject({ type: 'failed', reason: 'frame refused 6 times' });
    // any byte other than ACK/EOT counts as a NAK
    const tx2 = new AstmLinkSender();
    tx2.send(frames, 0);
    tx2.receive(one(ACK), 0);
    expect(writes(tx2.receive(one(0x41), 1))).toEqual([Array.from(frames[0]!)]);
  });

  it('15 s reply timer on ENQ and on frames, with an injected clock', () => {
    const tx = new AstmLinkSender();
    tx.send(frames, 1000);
    expect(tx.tick(15_999)).toEqual([]);
    const t = tx.tick(16_000);
    expect(writes(t)).toEqual([[EOT]]);
    expect(t.at(-1)).toMatchObject({ type: 'failed', reason: expect.stringMatching(/ENQ/) });
    const tx2 = new AstmLinkSender();
    tx2.send(frames, 0);
    tx2.receive(one(ACK), 5_000);
    expect(tx2.tick(19_999)).toEqual([]);
    expect(tx2.tick(20_000).at(-1)).toMatchObject({ type: 'failed', reason: expect.stringMatching(/frame/) });
  });

  it('busy receiver (NAK to ENQ): waits 10 s then sends ENQ again; contention: a computer waits 20 s', () => {
    const tx = new AstmLinkSender();
    tx.send(frames, 0);
    expect(tx.receive(one(NAK), 100)).toEqual([]);
    expect(tx.state).toBe('backoff');
    expect(tx.tick(10_099)).toEqual([]);
    expect(writes(tx.tick(10_100))).toEqual([[ENQ]]);
    expect(tx.receive(one(ENQ), 10_200)).toEqual([{ type: 'contention' }]);
    expect(tx.tick(30_199)).toEqual([]);
    expect(writes(tx.tick(30_200))).toEqual([[ENQ]]);
    const inst = new AstmLinkSender({ role: 'instrument' });
    inst.send(frames, 0);
    inst.receive(one(ENQ), 0);
    expect(writes(inst.tick(1_000))).toEqual([[ENQ]]);
  });

  it('queued messages are sent one session after another', () => {
    const tx = new AstmLinkSender();
    tx.send(frames.slice(0, 1), 0);
    tx.send(frames.slice(1, 2), 0);
    tx.receive(one(ACK), 1);
    const end = tx.receive(one(ACK), 2);
    expect(writes(end)).toEqual([[EOT], [ENQ]]);
    expect(end.filter((e) => e.type === 'delivered')).toHaveLength(1);
  });
});

/** Sender → (corrupting channel) → receiver → replies → sender, with a simulated clock. */
function run(corrupt: (bytes: Uint8Array, n: number) => Uint8Array) {
  const tx = new AstmLinkSender();
  const rx = new AstmLinkReceiver({ lenient: false });
  const received: string[] = [];
  const outcome: AstmSenderEvent[] = [];
  let now = 0;
  let n = 0;
  const queue: { to: 'rx' | 'tx'; bytes: Uint8Array }[] = [];
  const fromTx = (evs: AstmSenderEvent[]) => {
    for (const e of evs) {
      if (e.type === 'write') queue.push({ to: 'rx', bytes: corrupt(e.bytes, n++) });
      else if (e.type === 'delivered' || e.type === 'failed') outcome.push(e);
    }
  };
  fromTx(tx.send(frames, now));
  while (now < 200_000 && (queue.length > 0 || tx.state !== 'idle')) {
    const job = queue.shift();
    if (!job) {
      now += 1000;
      fromTx(tx.tick(now));
      rx.tick(now);
      continue;
    }
    if (job.to === 'rx') {
      for (const e of rx.push(job.bytes, now)) {
        if (e.type === 'send') queue.push({ to: 'tx', bytes: e.bytes });
        if (e.type === 'message') received.push(e.text);
      }
    } else {
      fromTx(tx.receive(job.bytes, now));
    }
  }
  return { received, outcome };
}

describe('sender and receiver over a noisy line', () => {
  const sentRecords = records.map((r) => `${r}\r`);

  it('a clean line delivers every record once', () => {
    const { received, outcome } = run((b) => b);
    expect(received).toEqual(sentRecords);
    expect(outcome).toEqual([{ type: 'delivered', frames: frames.length }]);
  });

  it('single-byte corruption of frame content is always caught (NAK) and repaired by retransmission', () => {
    let corrupted = 0;
    fc.assert(
      fc.property(
        fc.array(fc.record({ hit: fc.boolean(), pos: fc.nat(), val: fc.integer({ min: 0x20, max: 0x7e }) }), {
          maxLength: 40,
        }),
        (plan) => {
          let lastHit = false;
          const { received, outcome } = run((bytes, n) => {
            const p = plan[n];
            // never two corrupted transmissions in a row, so no frame is refused 6 times
            if (!p || !p.hit || lastHit || bytes[0] !== STX) {
              lastHit = false;
              return bytes;
            }
            // FN, text or checksum characters (not STX, ETX/ETB or the trailer): a byte becomes another printable one
            const positions = [
              ...Array.from({ length: bytes.length - 6 }, (_, i) => i + 1),
              bytes.length - 4,
              bytes.length - 3,
            ];
            const at = positions[p.pos % positions.length]!;
            if (bytes[at] === p.val) return bytes;
            const copy = bytes.slice();
            copy[at] = p.val;
            lastHit = true;
            corrupted++;
            return copy;
          });
          expect(received).toEqual(sentRecords);
          expect(outcome).toEqual([{ type: 'delivered', frames: frames.length }]);
        },
      ),
      { numRuns: 300 },
    );
    expect(corrupted).toBeGreaterThan(100); // the property really exercised corrupted frames
  });

  it('arbitrary corruption never yields a record that was not sent, nor a record twice', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ hit: fc.boolean(), pos: fc.nat(), val: fc.integer({ min: 0, max: 255 }) }), {
          maxLength: 40,
        }),
        (plan) => {
          const { received, outcome } = run((bytes, n) => {
            const p = plan[n];
            if (!p || !p.hit) return bytes;
            const copy = bytes.slice();
            copy[p.pos % copy.length] = p.val;
            return copy;
          });
          expect(outcome).toHaveLength(1);
          // what arrived is a subsequence of what was sent, each record at most once
          let k = 0;
          for (const r of received) {
            while (k < sentRecords.length && sentRecords[k] !== r) k++;
            expect(k).toBeLessThan(sentRecords.length);
            k++;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
