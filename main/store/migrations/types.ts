import type { Db } from '../database';

export interface Migration {
  /** Equals the number in the file name; PRAGMA user_version records the last one applied. */
  version: number;
  name: string;
  up(db: Db): void;
}
