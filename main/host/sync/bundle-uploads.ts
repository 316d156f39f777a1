// A bundle file sent from the browser in pieces: one API message is capped at
// MAX_MESSAGE_BYTES (256 KB), and a bundle of a few hundred charts is megabytes. The
// pieces are kept in memory, in order, per upload and per user, until the import
// takes the whole file; an upload left unfinished is dropped after a while. Nothing is
// written to the database until the import, which checks the whole file as before.
import { ApiError, MAX_BUNDLE_UPLOAD_BYTES as MAX_UPLOAD_BYTES } from '../../api';
/** Uploads in progress at once (all users). */
const MAX_UPLOADS = 4;
/** An upload that received nothing for this long is dropped. */
const IDLE_MS = 10 * 60_000;

interface Upload {
  userId: string;
  chunks: Buffer[];
  bytes: number;
  touchedAt: number;
}

export class BundleUploads {
  readonly #uploads = new Map<string, Upload>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Appends the piece `index` (0, 1, 2... in order) of an upload; returns the bytes received so far. */
  append(userId: string, uploadId: string, index: number, piece: Buffer): number {
    this.#dropIdle();
    let u = this.#uploads.get(uploadId);
    if (index === 0 && !u) {
      if (this.#uploads.size >= MAX_UPLOADS)
        throw new ApiError('CONFLICT', 'Too many bundle uploads are in progress; try again in a few minutes.');
      u = { userId, chunks: [], bytes: 0, touchedAt: this.#now() };
      this.#uploads.set(uploadId, u);
    }
    if (!u || u.userId !== userId) throw new ApiError('NOT_FOUND', 'No such bundle upload (it may have expired).');
    if (index !== u.chunks.length)
      throw new ApiError('VALIDATION', `Bundle upload out of order: expected piece ${u.chunks.length}, got ${index}.`);
    if (u.bytes + piece.length > MAX_UPLOAD_BYTES) {
      this.#uploads.delete(uploadId);
      throw new ApiError(
        'VALIDATION',
        `The bundle is larger than ${MAX_UPLOAD_BYTES / (1024 * 1024)} MB; import it with the command line (sijill bundle import).`,
      );
    }
    u.chunks.push(piece);
    u.bytes += piece.length;
    u.touchedAt = this.#now();
    return u.bytes;
  }

  /** The whole file of an upload, which ends it. */
  take(userId: string, uploadId: string): Uint8Array {
    this.#dropIdle();
    const u = this.#uploads.get(uploadId);
    if (!u || u.userId !== userId) throw new ApiError('NOT_FOUND', 'No such bundle upload (it may have expired).');
    this.#uploads.delete(uploadId);
    return new Uint8Array(Buffer.concat(u.chunks));
  }

  #dropIdle(): void {
    const now = this.#now();
    for (const [id, u] of this.#uploads) if (now - u.touchedAt > IDLE_MS) this.#uploads.delete(id);
  }
}
