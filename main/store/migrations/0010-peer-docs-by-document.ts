// The unsent count ("changes not yet sent", on the status bar and in `sijill stats`)
// asks, for every chart, whether any peer acknowledged its current heads. Keyed only
// by (device_id, document_id), sync_peer_docs answered that by reading every row for
// every chart: 2.9 s at 10,000 charts and two devices, on every status refresh. This
// index answers it with one lookup per chart.
import type { Migration } from './types';

export const migration0010: Migration = {
  version: 10,
  name: 'peer-docs-by-document',
  up(db) {
    db.exec('CREATE INDEX sync_peer_docs_by_document ON sync_peer_docs (document_id, heads);');
  },
};
