// Streaming protocols (CMS50D+, Nonin format 7, Masimo lines, the ECG sample stream): devices that send
// continuously and never wait for an acknowledgement. Items are delivered as they are decoded; the session
// stores them in the background. A connection's end drops the partial packet (a value cut in half must not
// become a reading) and restarts the framers, so the next connection starts clean.
import { Cms50dFramer } from '../framers/cms50d';
import { EcgStreamFramer } from '../framers/ecg-stream';
import { LineFramer } from '../framers/lines';
import { NoninFramer, NONIN_FRAMES_PER_PACKET } from '../framers/nonin7';
import { ecgFrameToItems } from '../parsers/ecg';
import { parseMasimoLine } from '../parsers/masimo';
import { Cms50dAggregator, noninPacketToItems } from '../parsers/oximeters';
import type { CaptureProtocol, DecodeError } from '../types';
import { shiftOffsets, type InboundPipeline, type PipelineIo } from './pipeline';

abstract class StreamInbound implements InboundPipeline {
  abstract readonly protocol: CaptureProtocol;
  protected base = 0;
  private pushed = 0;

  constructor(protected readonly io: PipelineIo) {}

  protected abstract decode(bytes: Uint8Array): void;
  /** Bytes of an unfinished packet/line/frame. */
  protected abstract buffered(): number;
  /** Hands over aggregated complete data, then starts new framers. */
  protected abstract restart(): void;

  async push(bytes: Uint8Array): Promise<void> {
    this.decode(bytes);
    this.pushed += bytes.length;
  }

  async endConnection(): Promise<void> {
    const partial = this.buffered();
    if (partial > 0) {
      this.io.error({
        offset: this.base + this.pushed - partial,
        message: `connection ended inside a ${this.protocol} packet: ${partial} byte(s) dropped`,
      });
    }
    this.restart();
    this.base += this.pushed;
    this.pushed = 0;
  }

  protected error(e: DecodeError): void {
    this.io.error({ offset: this.base + e.offset, message: e.message });
  }
}

export class Cms50dInbound extends StreamInbound {
  readonly protocol = 'cms50d' as const;
  private framer = new Cms50dFramer();
  private aggregator: Cms50dAggregator;

  constructor(
    io: PipelineIo,
    private readonly packetsPerChunk?: number,
  ) {
    super(io);
    this.aggregator = this.newAggregator();
  }

  private newAggregator(): Cms50dAggregator {
    return new Cms50dAggregator(this.packetsPerChunk === undefined ? {} : { packetsPerChunk: this.packetsPerChunk });
  }

  protected decode(bytes: Uint8Array): void {
    for (const ev of this.framer.push(bytes)) {
      if (ev.type === 'error') this.error(ev);
      else {
        this.io.progress();
        const items = this.aggregator.push(ev.packet);
        if (items.length > 0) this.io.deliver(shiftOffsets(items, this.base));
      }
    }
  }

  protected buffered(): number {
    return this.framer.bufferedBytes;
  }

  protected restart(): void {
    const items = this.aggregator.flush();
    if (items.length > 0) this.io.deliver(shiftOffsets(items, this.base));
    this.framer = new Cms50dFramer();
    this.aggregator = this.newAggregator();
  }
}

export class NoninInbound extends StreamInbound {
  readonly protocol = 'nonin' as const;
  private framer = new NoninFramer();
  private sample = 0;

  protected decode(bytes: Uint8Array): void {
    for (const ev of this.framer.push(bytes)) {
      if (ev.type === 'error') this.error(ev);
      else if (ev.type === 'packet') {
        this.io.progress();
        this.io.deliver(shiftOffsets(noninPacketToItems(ev.packet, this.sample), this.base));
        this.sample += NONIN_FRAMES_PER_PACKET;
      }
    }
  }

  protected buffered(): number {
    return this.framer.bufferedBytes;
  }

  protected restart(): void {
    this.framer = new NoninFramer();
    this.sample = 0;
  }
}

export class MasimoInbound extends StreamInbound {
  readonly protocol = 'masimo' as const;
  private framer = new LineFramer();

  protected decode(bytes: Uint8Array): void {
    for (const ev of this.framer.push(bytes)) {
      if (ev.type === 'error') {
        this.error(ev);
        continue;
      }
      const r = parseMasimoLine(ev.text, this.base + ev.offset);
      for (const e of r.errors) this.io.error(e);
      if (r.items.length > 0) {
        this.io.progress();
        this.io.deliver(r.items);
      }
    }
  }

  protected buffered(): number {
    return this.framer.bufferedBytes;
  }

  protected restart(): void {
    // not finish(): that would hand over the cut-off last line as if it were whole
    this.framer = new LineFramer();
  }
}

export class EcgInbound extends StreamInbound {
  readonly protocol = 'ecg' as const;
  private framer = new EcgStreamFramer();

  protected decode(bytes: Uint8Array): void {
    for (const ev of this.framer.push(bytes)) {
      switch (ev.type) {
        case 'error':
          this.error(ev);
          break;
        case 'gap':
          this.error({
            offset: ev.offset,
            message: `sequence gap: expected ${ev.expected}, received ${ev.received} (${ev.missing} frame(s) missing)`,
          });
          break;
        case 'duplicate':
          this.error({ offset: ev.offset, message: `duplicate frame (sequence ${ev.sequence}) dropped` });
          break;
        case 'frame':
          this.io.progress();
          this.io.deliver(shiftOffsets(ecgFrameToItems(ev.frame), this.base));
          break;
      }
    }
  }

  protected buffered(): number {
    return this.framer.bufferedBytes;
  }

  protected restart(): void {
    this.framer = new EcgStreamFramer();
  }
}
