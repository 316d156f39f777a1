// When this device last exchanged anything with each peer (a connection that
// authenticated), not only when a sync completed (`last_sync_at`). A revocation is
// known here only once the roster brings it: a contact after the revocation's time
// means this device took data from, and gave data to, a revoked device without
// knowing, and the peers screen says so (sync-service.ts status()). Filled, for peers
// met before this migration, from the latest of the audit log's connection and
// completed-sync records and the peer's last sync.
import type { Migration } from './types';

export const migration0012: Migration = {
  version: 12,
  name: 'peer-last-contact',
  up(db) {
    db.exec(`
      ALTER TABLE sync_peers ADD COLUMN last_contact_at TEXT;
      UPDATE sync_peers SET last_contact_at = (
        SELECT max(t) FROM (
          SELECT max(at) AS t FROM audit_log
            WHERE action IN ('sync.peer.connected', 'sync.completed') AND entity_id = sync_peers.device_id
          UNION ALL SELECT sync_peers.last_sync_at
        )
      );
    `);
  },
};
