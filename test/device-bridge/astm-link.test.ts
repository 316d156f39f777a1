import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACK,
  AstmLinkReceiver,
  astmChecksum,
  encodeAstmFrame,
  encodeAstmRecords,
  ENQ,
  EOT,
  ETB,
  ETX,
  NAK,
  STX,
  type AstmLinkEvent,
} from '../../device-bridge/index';
import { ascii, concat, feed, plain, sharedFixture, splitAt } from './helpers';

const sends = (evs: AstmLinkEvent[]) =>
  evs.filter((e) => e.type === 'send').map((e) => (e as { bytes: Uint8Array }).bytes[0]);
const messages = (evs: AstmLinkEvent[]) =>
  evs.filter((e): e is Extract<AstmLinkEvent, { type: 'message' }> => e.type === 'message').map((e) => e.text);
const errors = (evs: AstmLinkEvent[]) =>
  evs.filter((e): e is Extract<AstmLinkEvent, { type: 'error' }> => e.type === 'error');

const records = [
  'H|\\^&|||SIM^1|||||||P|1|20260505102133',
  'P|1||PAT-1',
  'O|1|SMP-9||^^^GLU',
  'R|1|^^^GLU|5.4|mmol/L||N||F',
  'L|1|N',
].map(ascii);

function session(frames: Uint8Array[]): Uint8Array {
  return concat(Uint8Array.of(ENQ), ...frames, Uint8Array.of(EOT));
}

describe('ASTM E1381 checksum and frame encoding', () => {
  it('checksum is the mod-256 sum from FN through ETX, as two uppercase hex digits', () => {
    // '7' + 'L|1|N' + CR + ETX, by hand: 0x37+0x4C+0x7C+0x31+0x7C+0x4E+0x0D+0x03 = 0x20A → 0x0A
    expect(astmChecksum(7, ascii('L|1|N\r'), true)).toBe(0x0a);
    expect(astmChecksum(1, ascii('L|1|N\r'), true)).toBe(0x04);
    const frame = encodeAstmFrame(7, ascii('L|1|N\r'), true);
    expect(Array.from(frame)).toEqual([STX, 0x37, ...ascii('L|1|N\r'), ETX, 0x30, 0x41, 0x0d, 0x0a]);
    // a frame of the cobas c111 capture: '7L|1|N' CR ETX checksum 0A → same bytes as our encoder
    const cobas = sharedFixture('astm/senaite/cobas_c111.txt');
    const tail = cobas.subarray(cobas.length - 12);
    expect(Array.from(tail.subarray(0, 11))).toEqual(
      Array.from(encodeAstmFrame(7, ascii('L|1|N\r'), true).subarray(0, 11)),
    );
  });

  it('rejects frame numbers outside 0..7', () => {
    expect(() => encodeAstmFrame(8, ascii('x'), true)).toThrow(RangeError);
  });

  it('splits long records into 240-byte ETB frames and numbers frames 1..7,0,1…', () => {
    const long = ascii(`R|1|^^^X|${'9'.repeat(600)}`);
    const { frames, nextFrameNumber } = encodeAstmRecords([long], { firstFrameNumber: 6 });
    expect(frames.map((f) => f[1])).toEqual([0x36, 0x37, 0x30]);
    expect(frames.map((f) => f[f.length - 5])).toEqual([ETB, ETB, ETX]);
    expect(frames[0]?.length).toBe(247);
    expect(nextFrameNumber).toBe(1);
  });
});

describe('AstmLinkReceiver: normal session', () => {
  it('ACKs ENQ and every good frame, joins a message, ends on EOT', () => {
    const { frames } = encodeAstmRecords(records);
    const rx = new AstmLinkReceiver({ lenient: false });
    const evs = feed(rx, [session(frames)]);
    expect(sends(evs)).toEqual([ACK, ACK, ACK, ACK, ACK, ACK]);
    expect(messages(evs)).toEqual([
      'H|\\^&|||SIM^1|||||||P|1|20260505102133\r',
      'P|1||PAT-1\r',
      'O|1|SMP-9||^^^GLU\r',
      'R|1|^^^GLU|5.4|mmol/L||N||F\r',
      'L|1|N\r',
    ]);
    expect(errors(evs)).toEqual([]);
    expect(evs[0]).toMatchObject({ type: 'session-start', implicit: false });
    expect(evs.at(-1)).toMatchObject({ type: 'session-end', reason: 'eot' });
    expect(rx.sessionOpen).toBe(false);
  });

  it('joins intermediate ETB frames into one message', () => {
    const long = ascii(`R|1|^^^X|${'7'.repeat(500)}|U`);
    const { frames } = encodeAstmRecords([long]);
    expect(frames).toHaveLength(3);
    const evs = feed(new AstmLinkReceiver(), [session(frames)]);
    expect(messages(evs)).toEqual([`R|1|^^^X|${'7'.repeat(500)}|U\r`]);
    const frameEvents = evs.filter((e) => e.type === 'frame');
    expect(frameEvents.map((e) => (e as { final: boolean }).final)).toEqual([false, false, true]);
  });

  it('accepts frame numbers wrapping 7 → 0 → 1', () => {
    const many = Array.from({ length: 10 }, (_, i) => ascii(`R|${i + 1}|^^^T${i}|${i}`));
    const { frames } = encodeAstmRecords(many);
    expect(frames.map((f) => f[1]! - 0x30)).toEqual([1, 2, 3, 4, 5, 6, 7, 0, 1, 2]);
    const evs = feed(new AstmLinkReceiver({ lenient: false }), [session(frames)]);
    expect(sends(evs).filter((b) => b === NAK)).toEqual([]);
    expect(messages(evs)).toHaveLength(10);
    expect(messages(evs)[8]).toBe('R|9|^^^T8|8\r');
  });
});

describe('AstmLinkReceiver: error recovery', () => {
  it('NAKs a bad checksum and accepts the retransmission', () => {
    const good = encodeAstmFrame(1, ascii('R|1|^^^GLU|5.4\r'), true);
    const bad = good.slice();
    bad[8] = 0x39; // corrupt a text byte: '5.4' → '5.9' region
    const rx = new AstmLinkReceiver({ lenient: false });
    const a = rx.push(Uint8Array.of(ENQ));
    expect(sends(a)).toEqual([ACK]);
    const b = rx.push(bad);
    expect(sends(b)).toEqual([NAK]);
    expect(errors(b)[0]?.message).toMatch(/checksum mismatch/);
    expect(errors(b)[0]?.offset).toBe(1); // the frame's STX
    expect(messages(b)).toEqual([]);
    const c = rx.push(good);
    expect(sends(c)).toEqual([ACK]);
    expect(messages(c)).toEqual(['R|1|^^^GLU|5.4\r']);
  });

  it('NAKs an unexpected frame number, then accepts the right one', () => {
    const rx = new AstmLinkReceiver({ lenient: false });
    rx.push(Uint8Array.of(ENQ));
    const wrong = rx.push(encodeAstmFrame(3, ascii('L|1\r'), true));
    expect(sends(wrong)).toEqual([NAK]);
    expect(errors(wrong)[0]?.message).toMatch(/frame number 3, expected 1/);
    const right = rx.push(encodeAstmFrame(1, ascii('L|1\r'), true));
    expect(sends(right)).toEqual([ACK]);
    expect(messages(right)).toEqual(['L|1\r']);
  });

  it('ACKs and discards a repeated frame after a lost ACK', () => {
    const rx = new AstmLinkReceiver({ lenient: false });
    rx.push(Uint8Array.of(ENQ));
    const f1 = encodeAstmFrame(1, ascii('P|1\r'), true);
    const first = rx.push(f1);
    expect(messages(first)).toEqual(['P|1\r']);
    const again = rx.push(f1);
    expect(sends(again)).toEqual([ACK]);
    expect(messages(again)).toEqual([]);
    expect(again.some((e) => e.type === 'duplicate-frame')).toBe(true);
    expect(errors(again)).toEqual([]);
    const f2 = rx.push(encodeAstmFrame(2, ascii('L|1\r'), true));
    expect(messages(f2)).toEqual(['L|1\r']);
  });

  it('a duplicate in the middle of an ETB sequence does not duplicate text', () => {
    const { frames } = encodeAstmRecords([ascii(`R|1|^^^X|${'1'.repeat(300)}`)]);
    const evs = feed(new AstmLinkReceiver(), [session([frames[0]!, frames[0]!, frames[1]!])]);
    expect(messages(evs)).toEqual([`R|1|^^^X|${'1'.repeat(300)}\r`]);
  });

  it('resynchronises after garbage before and between frames, reporting each run once', () => {
    const { frames } = encodeAstmRecords(records);
    const junk = ascii('\x00\xffnoise~~');
    const stream = concat(
      junk,
      Uint8Array.of(ENQ),
      frames[0]!,
      junk,
      frames[1]!,
      frames[2]!,
      frames[3]!,
      frames[4]!,
      Uint8Array.of(EOT),
    );
    const evs = feed(new AstmLinkReceiver({ lenient: false }), [stream]);
    expect(messages(evs)).toHaveLength(5);
    expect(errors(evs).map((e) => e.offset)).toEqual([0, 1 + junk.length + frames[0]!.length]);
  });

  it('a frame cut short by a new STX is reported and the new frame decodes', () => {
    const f = encodeAstmFrame(1, ascii('L|1|N\r'), true);
    const evs = feed(new AstmLinkReceiver(), [concat(Uint8Array.of(STX, 0x31, 0x52, 0x7c), f)]);
    expect(errors(evs)[0]).toMatchObject({ offset: 0, message: expect.stringMatching(/interrupted by STX/) });
    expect(messages(evs)).toEqual(['L|1|N\r']);
  });

  it('tolerates LF-only, CR-only and missing trailers, no CR before ETX and lowercase checksums', () => {
    const text = ascii('L|1|N');
    const cs = astmChecksum(1, text, true).toString(16).padStart(2, '0');
    expect(cs).toBe('f7'); // has letters, so upper/lower case matters below
    const lfOnly = concat(
      Uint8Array.of(STX, 0x31),
      text,
      Uint8Array.of(ETX),
      ascii(cs.toUpperCase()),
      Uint8Array.of(0x0a),
    );
    const crOnly = concat(
      Uint8Array.of(STX, 0x31),
      text,
      Uint8Array.of(ETX),
      ascii(cs.toLowerCase()),
      Uint8Array.of(0x0d),
    );
    const none = concat(Uint8Array.of(STX, 0x31), text, Uint8Array.of(ETX), ascii(cs.toUpperCase()));
    for (const f of [lfOnly, crOnly, none]) {
      const evs = feed(new AstmLinkReceiver(), [f]);
      expect(errors(evs)).toEqual([]);
      expect(messages(evs)).toEqual(['L|1|N']);
    }
    // strict mode still refuses lowercase checksum digits
    const strict = feed(new AstmLinkReceiver({ lenient: false }), [concat(Uint8Array.of(ENQ), crOnly)]);
    expect(sends(strict)).toEqual([ACK, NAK]);
  });

  it('strict mode ignores frames outside ENQ…EOT; lenient mode accepts them (captures start at STX)', () => {
    const f = encodeAstmFrame(1, ascii('L|1\r'), true);
    const strict = feed(new AstmLinkReceiver({ lenient: false }), [f]);
    expect(messages(strict)).toEqual([]);
    expect(errors(strict)[0]?.message).toMatch(/outside an ENQ…EOT session/);
    const lenient = feed(new AstmLinkReceiver(), [encodeAstmFrame(5, ascii('L|1\r'), true)]);
    expect(messages(lenient)).toEqual(['L|1\r']);
    expect(lenient[0]).toMatchObject({ type: 'session-start', implicit: true });
  });

  it('ENQ in the middle of a message restarts the session and reports the lost message', () => {
    const { frames } = encodeAstmRecords([ascii(`R|1|^^^X|${'1'.repeat(300)}`)]);
    const rx = new AstmLinkReceiver({ lenient: false });
    const evs = feed(rx, [
      concat(Uint8Array.of(ENQ), frames[0]!, Uint8Array.of(ENQ), encodeAstmFrame(1, ascii('L|1\r'), true)),
    ]);
    expect(errors(evs)[0]?.message).toMatch(/incomplete message discarded/);
    expect(messages(evs)).toEqual(['L|1\r']);
  });
});

describe('AstmLinkReceiver: capture mode (no retransmission will follow)', () => {
  it('an unexpected frame number is reported and the frame accepted; a message missing a frame is dropped', () => {
    const long = encodeAstmRecords([ascii(`R|1|^^^X|${'4'.repeat(300)}`), ascii('L|1|N')]).frames; // FN 1,2 (ETB, ETX), 3
    const rx = new AstmLinkReceiver({ capture: true });
    // frame 1 (ETB) arrives, frame 2 is lost, frame 3 arrives
    const evs = feed(rx, [concat(long[0]!, long[2]!)]);
    expect(errors(evs).map((e) => [e.offset, e.message])).toEqual([
      [long[0]!.length, 'frame number 3, expected 2: frame(s) lost, resynchronised'],
      [0, 'incomplete message discarded (no final ETX frame)'],
    ]);
    expect(messages(evs)).toEqual(['L|1|N\r']);
    expect(sends(evs)).toEqual([ACK, ACK]);
  });
});

describe('AstmLinkReceiver: bounds', () => {
  it('accepts frames far over 247 bytes (up to maxFrameBytes)', () => {
    const big = ascii(`R|1|^^^X|${'5'.repeat(5000)}\r`);
    const evs = feed(new AstmLinkReceiver(), [encodeAstmFrame(1, big, true)]);
    expect(errors(evs)).toEqual([]);
    expect(messages(evs)[0]).toHaveLength(big.length);
  });

  it('an oversize frame is reported and NAKed, buffers stay bounded, the next frame is accepted', () => {
    const rx = new AstmLinkReceiver({ lenient: false, maxFrameBytes: 100 });
    rx.push(Uint8Array.of(ENQ));
    let maxBuffered = 0;
    const evs: AstmLinkEvent[] = [];
    const big = encodeAstmFrame(1, ascii('x'.repeat(5000)), true);
    for (const chunk of splitAt(big, [1000, 2000, 3000, 4000])) {
      evs.push(...rx.push(chunk));
      maxBuffered = Math.max(maxBuffered, rx.bufferedBytes);
    }
    expect(maxBuffered).toBeLessThanOrEqual(100);
    expect(errors(evs)).toHaveLength(1);
    expect(errors(evs)[0]?.message).toMatch(/longer than 100 bytes/);
    expect(sends(evs)).toEqual([NAK]);
    const next = rx.push(encodeAstmFrame(1, ascii('L|1\r'), true));
    expect(messages(next)).toEqual(['L|1\r']);
  });

  it('never buffers more than maxFrameBytes + maxMessageBytes, whatever arrives', () => {
    const rx = new AstmLinkReceiver({ maxFrameBytes: 512, maxMessageBytes: 2048 });
    const chunk = ascii('A'.repeat(997));
    let errs = 0;
    // an endless frame
    rx.push(Uint8Array.of(STX, 0x31));
    for (let i = 0; i < 200; i++) {
      errs += errors(rx.push(chunk)).length;
      expect(rx.bufferedBytes).toBeLessThanOrEqual(512 + 2048);
    }
    expect(errs).toBe(1);
    // endless ETB frames: the joined message is bounded too
    const rx2 = new AstmLinkReceiver({ maxFrameBytes: 512, maxMessageBytes: 2048 });
    const evs: AstmLinkEvent[] = [];
    for (let i = 0; i < 50; i++) {
      evs.push(...rx2.push(encodeAstmFrame((i + 1) % 8, ascii('B'.repeat(400)), false)));
      expect(rx2.bufferedBytes).toBeLessThanOrEqual(512 + 2048);
    }
    evs.push(...rx2.push(encodeAstmFrame(51 % 8, ascii('end\r'), true)));
    expect(errors(evs).map((e) => e.message)).toEqual(['message longer than 2048 bytes (discarded)']);
    expect(messages(evs)).toEqual([]);
    // after the oversize message, the next message is accepted
    expect(messages(rx2.push(encodeAstmFrame(52 % 8, ascii('L|1\r'), true)))).toEqual(['L|1\r']);
  });
});

describe('AstmLinkReceiver: receiver timer (injected clock)', () => {
  it('aborts the session after 30 s without a frame or EOT, discarding the partial message', () => {
    const { frames } = encodeAstmRecords([ascii(`R|1|^^^X|${'1'.repeat(300)}`)]);
    const rx = new AstmLinkReceiver({ lenient: false });
    expect(sends(rx.push(Uint8Array.of(ENQ), 0))).toEqual([ACK]);
    expect(sends(rx.push(frames[0]!, 1_000))).toEqual([ACK]);
    expect(rx.tick(30_999)).toEqual([]);
    const t = rx.tick(31_000);
    expect(t.map((e) => e.type)).toEqual(['error', 'error', 'session-end']);
    expect(errors(t)[0]?.message).toMatch(/receiver timeout/);
    expect(errors(t)[1]?.message).toMatch(/incomplete message discarded/);
    expect(rx.sessionOpen).toBe(false);
    // the rest of the message after the timeout is outside any session: refused in strict mode
    const late = rx.push(frames[1]!, 32_000);
    expect(messages(late)).toEqual([]);
    expect(sends(late)).toEqual([]);
  });

  it('activity keeps the session alive; the timeout is configurable', () => {
    const rx = new AstmLinkReceiver({ lenient: false, receiveTimeoutMs: 15_000 });
    rx.push(Uint8Array.of(ENQ), 0);
    rx.push(encodeAstmFrame(1, ascii('H|\\^&\r'), true), 10_000);
    expect(rx.tick(24_000)).toEqual([]);
    expect(rx.tick(25_000).some((e) => e.type === 'session-end')).toBe(true);
  });

  it('a timer due when data arrives fires before the data is handled', () => {
    const rx = new AstmLinkReceiver({ lenient: false });
    rx.push(Uint8Array.of(ENQ), 0);
    const evs = rx.push(encodeAstmFrame(1, ascii('L|1\r'), true), 60_000);
    expect(evs[0]).toMatchObject({ type: 'error', message: expect.stringMatching(/timeout/) });
    expect(messages(evs)).toEqual([]);
  });
});

describe('AstmLinkReceiver: chunking and resynchronisation properties', () => {
  const pentra = sharedFixture('astm/senaite/pentra_xlr.txt');
  const generated = session(encodeAstmRecords([...records, ...records]).frames);

  it('any split of a valid stream into chunks gives the same events', () => {
    for (const stream of [pentra, generated]) {
      const whole = plain(feed(new AstmLinkReceiver(), [stream]));
      fc.assert(
        fc.property(fc.array(fc.nat({ max: stream.length }), { maxLength: 40 }), (cuts) => {
          expect(plain(feed(new AstmLinkReceiver(), splitAt(stream, cuts)))).toEqual(whole);
        }),
        { numRuns: 150 },
      );
    }
  });

  it('garbage before and between frames never changes the decoded messages', () => {
    const { frames } = encodeAstmRecords(records);
    const expected = feed(new AstmLinkReceiver(), [concat(...frames)])
      .filter((e) => e.type === 'message')
      .map((e) => (e as { text: string }).text);
    const garbage = fc
      .uint8Array({ minLength: 1, maxLength: 30 })
      .map((g) => g.map((b) => ([STX, EOT, ENQ].includes(b) ? 0x41 : b)));
    fc.assert(
      fc.property(
        fc.array(fc.option(garbage, { nil: undefined }), { minLength: frames.length, maxLength: frames.length }),
        (gs) => {
          const parts: Uint8Array[] = [];
          frames.forEach((f, i) => {
            const g = gs[i];
            if (g) parts.push(g);
            parts.push(f);
          });
          const evs = feed(new AstmLinkReceiver(), [concat(...parts)]);
          expect(messages(evs)).toEqual(expected);
          // exactly one error per garbage run that is not just line ends, located at its first non-line-end byte
          const runs = gs.filter((g) => g && g.some((b) => b !== 0x0d && b !== 0x0a)).length;
          expect(errors(evs)).toHaveLength(runs);
        },
      ),
      { numRuns: 200 },
    );
  });
});
