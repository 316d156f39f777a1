// Every migration, in order. Add a new one as NNNN-name.ts with its own test in
// test/main/store/migrations/, and append it here; never edit one that has shipped.
import { migration0001 } from './0001-initial';
import { migration0002 } from './0002-merkle-log';
import { migration0003 } from './0003-anchor-outbox';
import { migration0004 } from './0004-devices';
import { migration0005 } from './0005-compact-merkle-log';
import { migration0006 } from './0006-sync';
import { migration0007 } from './0007-merkle-log-rows';
import { migration0008 } from './0008-chart-sharing';
import { migration0009 } from './0009-patient-search-rows';
import { migration0010 } from './0010-peer-docs-by-document';
import { migration0011 } from './0011-conflicts-settled';
import { migration0012 } from './0012-peer-last-contact';
import type { Migration } from './types';

export const migrations: readonly Migration[] = [
  migration0001,
  migration0002,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
  migration0011,
  migration0012,
];
export type { Migration };
