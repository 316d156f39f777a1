// The clinic host: owns the data directory and moves it through its states —
// uninitialized (first run) → locked (database closed) → ready (unlocked). The
// same object serves every transport (WebSocket in browser mode, MessagePort
// under Electron) and the CLI.
import { EventEmitter } from 'node:events';
import { ApiError, type EventName, type EventPayload, type HostState } from '../api';
import { createUser } from '../access/users';
import { initDataDir, isInitialized, openDataDir, type OpenStore } from '../store/data-dir';
import { StoreError } from '../store/errors';
import { Clinic } from './clinic';

export const VERSION = '0.1.0';

export function storeErrorToApi(err: unknown): unknown {
  if (!(err instanceof StoreError)) return err;
  switch (err.code) {
    case 'WRONG_PASSPHRASE':
      return new ApiError('WRONG_PASSPHRASE', err.message);
    case 'NOT_INITIALIZED':
      return new ApiError('NOT_INITIALIZED', err.message);
    case 'ALREADY_INITIALIZED':
      return new ApiError('ALREADY_INITIALIZED', err.message);
    default:
      return new ApiError('INTERNAL', err.message);
  }
}

export interface InitializeParams {
  clinicName: string;
  passphrase: string;
  adminUsername: string;
  adminDisplayName: string;
  adminPassword: string;
}

export class Host {
  readonly dataDir: string;
  #clinic: Clinic | null = null;
  #opening: Promise<void> | null = null;
  readonly #events = new EventEmitter();

  constructor(dataDir: string) {
    this.dataDir = dataDir;
  }

  get state(): HostState {
    if (this.#clinic) return 'ready';
    return isInitialized(this.dataDir) ? 'locked' : 'uninitialized';
  }

  get clinic(): Clinic {
    if (this.#clinic) return this.#clinic;
    throw this.state === 'uninitialized'
      ? new ApiError('NOT_INITIALIZED', 'This Sijill has not been set up yet: complete the first-run setup.')
      : new ApiError('LOCKED', 'The database is locked: unlock it with its passphrase.');
  }

  async initialize(p: InitializeParams): Promise<void> {
    await this.#exclusive(async () => {
      if (this.state !== 'uninitialized') throw new ApiError('ALREADY_INITIALIZED', 'This Sijill is already set up.');
      let store: OpenStore;
      try {
        store = await initDataDir(this.dataDir, { clinicName: p.clinicName, passphrase: p.passphrase });
      } catch (err) {
        throw storeErrorToApi(err);
      }
      await createUser(
        store.db,
        store.dataKey,
        {
          username: p.adminUsername,
          displayName: p.adminDisplayName,
          role: 'administrator',
          password: p.adminPassword,
        },
        null,
      );
      this.#clinic = await Clinic.open(store);
      this.#startBackgroundWork(this.#clinic);
    });
    this.emit('host.state', { state: this.state });
  }

  async unlock(passphrase: string): Promise<void> {
    await this.#exclusive(async () => {
      if (this.#clinic) return;
      let store: OpenStore;
      try {
        store = await openDataDir(this.dataDir, passphrase);
      } catch (err) {
        throw storeErrorToApi(err);
      }
      this.#clinic = await Clinic.open(store);
      this.#startBackgroundWork(this.#clinic);
    });
    this.emit('host.state', { state: this.state });
  }

  /** Checkpoint sealing and anchoring run while the host serves; the CLI's one-shot commands skip them. */
  #startBackgroundWork(clinic: Clinic): void {
    clinic.onEvent((event, data) => this.emit(event, data));
    clinic.anchoring.start({ onChange: () => this.emit('anchor.changed', {}) });
    clinic.devices
      .startAll()
      .catch((err) => console.error(`devices: ${err instanceof Error ? err.message : String(err)}`));
  }

  async close(): Promise<void> {
    const clinic = this.#clinic;
    this.#clinic = null;
    if (clinic) await clinic.close();
  }

  /** Initialising and unlocking must never run twice at once (two browser tabs). */
  async #exclusive(fn: () => Promise<void>): Promise<void> {
    while (this.#opening) await this.#opening.catch(() => undefined);
    this.#opening = fn();
    try {
      await this.#opening;
    } finally {
      this.#opening = null;
    }
  }

  emit<E extends EventName>(event: E, data: EventPayload<E>): void {
    this.#events.emit('event', event, data);
  }

  onEvent(listener: (event: EventName, data: unknown) => void): () => void {
    this.#events.on('event', listener);
    return () => this.#events.off('event', listener);
  }
}
