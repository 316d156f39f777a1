// Patient charts: Automerge documents held by an automerge-repo Repo whose storage
// is the encrypted database, plus their SQLite projection. Every change is flushed
// to storage before the projection and its audit record are written, and both of
// those commit in one transaction; a crash in between leaves a document newer than
// its projection, which reconcile() repairs on the next start. Sync (main/host/sync)
// adds network adapters to the same Repo, sets its share policy, and re-projects
// documents that changed remotely through projectDocument().
import * as A from '@automerge/automerge';
import { Repo, type DocHandle, type PeerId } from '@automerge/automerge-repo';
import type { ShareConfig } from '../../../sync';
import { randomUUID } from 'node:crypto';
import { SqliteStorageAdapter } from '../../../sync';
import { ApiError, type PatientChart, type PatientRegistration, type PatientSummary } from '../../api';
import { appendAudit } from '../../access/audit-log';
import type { Db } from '../database';
import { isChartDoc, newChartDoc, readChart, type ChartDoc } from './chart-doc';
import { issueMrn } from './mrn';
import { getPatientRow, projectChart, toPatientSummary } from './projection';
import { stmt } from '../statements';
import { headsKey, storedHeadsKey } from '../sync/peers';
import { LoadedDocuments, type LoadedLimits } from './loaded-documents';

export class ChartStore {
  readonly repo: Repo;
  readonly #db: Db;
  readonly #storage: SqliteStorageAdapter;
  #share: ShareConfig | undefined;
  readonly #projected = new Set<(documentId: string, heads: string[]) => void>();

  /** Which documents are in memory; every lookup goes through it (eviction of idle ones). */
  readonly loaded: LoadedDocuments;

  constructor(db: Db, deviceId: string, limits?: Partial<LoadedLimits>) {
    this.#db = db;
    this.#storage = new SqliteStorageAdapter(db);
    this.repo = new Repo({
      storage: this.#storage,
      network: [],
      peerId: `device-${deviceId}` as PeerId,
      // The Repo is built before sync knows the roster: this defers to the share policy
      // sync installs (setShareConfig), and denies everything until then.
      shareConfig: {
        announce: async (peerId, documentId) => (this.#share ? this.#share.announce(peerId, documentId) : false),
        access: async (peerId, documentId) => (this.#share ? this.#share.access(peerId, documentId) : false),
      },
    });
    this.loaded = new LoadedDocuments(
      this.repo,
      { evictable: (documentId, doc) => this.#isProjectedAt(documentId, doc) },
      limits,
    );
  }

  /** A chart taken in at exactly these heads, with no local change between flush and projection. */
  #isProjectedAt(documentId: string, doc: A.Doc<unknown>): boolean {
    return !this.isPending(documentId) && this.#headsProjected(documentId, doc);
  }

  #headsProjected(documentId: string, doc: A.Doc<unknown>): boolean {
    const row = stmt(this.#db, 'SELECT heads FROM patients WHERE document_id = ?').get(documentId) as
      { heads: string } | undefined;
    return row !== undefined && storedHeadsKey(row.heads) === headsKey(A.getHeads(doc));
  }

  /** Installs the share policy (sync); the Repo re-evaluates what it shares with connected peers. */
  setShareConfig(share: ShareConfig | undefined): void {
    this.#share = share;
    this.repo.shareConfigChanged();
  }

  /** Called after every projection (local change, repair, or remote change) with the document's heads. */
  onProjected(listener: (documentId: string, heads: string[]) => void): () => void {
    this.#projected.add(listener);
    return () => this.#projected.delete(listener);
  }

  async register(reg: PatientRegistration, actorId: string): Promise<PatientSummary> {
    const db = this.#db;
    const patientId = randomUUID();
    const createdAt = new Date().toISOString();
    const mrn = db.transaction(() => issueMrn(db))();
    const handle = this.repo.create<ChartDoc>(newChartDoc(reg, { patientId, mrn, createdAt, userId: actorId }));
    this.#markPending(handle.documentId);
    this.loaded.noteLoaded(handle.documentId);
    await this.repo.flush([handle.documentId]);
    const chart = readChart(handle.doc(), createdAt);
    db.transaction(() => {
      this.#project(chart, handle.documentId, handle.doc() as unknown as A.Doc<unknown>, createdAt);
      appendAudit(db, { actorId, action: 'patient.register', patientId, entityId: patientId });
    })();
    return toPatientSummary(getPatientRow(db, patientId)!);
  }

  /**
   * Runs `fn` with a patient's document handle (NOT_FOUND when there is no such
   * patient); the document stays loaded until `fn` settles (see loaded-documents.ts).
   */
  async withChart<R>(
    patientId: string,
    fn: (handle: DocHandle<ChartDoc>, createdAt: string) => R | Promise<R>,
  ): Promise<R> {
    const row = getPatientRow(this.#db, patientId);
    if (!row) throw new ApiError('NOT_FOUND', 'No patient with that id.');
    return this.loaded.use<ChartDoc, R>(row.document_id, (handle) => fn(handle, row.created_at));
  }

  async read(patientId: string): Promise<PatientChart> {
    return this.withChart(patientId, (handle) => {
      const row = getPatientRow(this.#db, patientId)!;
      return readChart(handle.doc(), row.updated_at);
    });
  }

  /**
   * Applies a change to a chart, flushes it, then re-projects and audits in one
   * transaction. `audit` names the action; it never carries the patient data itself.
   */
  async change(
    patientId: string,
    actorId: string | null,
    audit: { action: string; entityId?: string },
    fn: (doc: ChartDoc) => void,
  ): Promise<PatientChart> {
    return this.changeThen(patientId, fn, {}, () =>
      appendAudit(this.#db, { actorId, action: audit.action, patientId, entityId: audit.entityId ?? patientId }),
    );
  }

  /**
   * change() with the caller's own writes (its audit record, and whatever else must
   * commit with the projection) in place of the audit record: `commit` runs inside the
   * projection's transaction, and a throw there rolls the projection back (the stored
   * change stays marked pending; reconcile() projects it at the next start).
   */
  async changeThen(
    patientId: string,
    fn: (doc: ChartDoc) => void,
    opts: { message?: string },
    commit: (chart: PatientChart) => void,
  ): Promise<PatientChart> {
    // Marked before the lookup: a chart marked pending is never evicted, so the handle
    // stays the one this change is made on until it is projected.
    const row = getPatientRow(this.#db, patientId);
    if (row) this.#markPending(row.document_id);
    return this.withChart(patientId, async (handle, createdAt) => {
      try {
        handle.change(fn, opts.message ? { message: opts.message } : {});
      } catch (e) {
        // The change was refused and nothing was written: unless another change is
        // between its flush and projection, the chart is not pending any more.
        if (this.#headsProjected(handle.documentId, handle.doc() as unknown as A.Doc<unknown>))
          stmt(this.#db, 'DELETE FROM chart_pending WHERE document_id = ?').run(handle.documentId);
        throw e;
      }
      await this.repo.flush([handle.documentId]);
      const chart = readChart(handle.doc(), new Date().toISOString());
      this.#db.transaction(() => {
        this.#project(chart, handle.documentId, handle.doc() as unknown as A.Doc<unknown>, createdAt);
        commit(chart);
      })();
      return chart;
    });
  }

  /**
   * Applies changes to several charts: one flush for all of them, then one transaction
   * that re-projects and audits each (like change(), without a commit per chart).
   * For bulk work done by the device itself (publishing signed entries into charts).
   */
  async changeMany(
    changes: { patientId: string; fn: (doc: ChartDoc) => void }[],
    actorId: string | null,
    action: string,
  ): Promise<void> {
    const db = this.#db;
    const rows = changes.flatMap((c) => {
      const row = getPatientRow(db, c.patientId);
      return row ? [{ ...c, row }] : [];
    });
    if (rows.length === 0) return;
    db.transaction(() => {
      for (const r of rows) this.#markPending(r.row.document_id);
    })();
    await this.loaded.useAll<ChartDoc, void>(
      rows.map((r) => r.row.document_id),
      async (handles) => {
        handles.forEach((h, i) => h.change(rows[i]!.fn));
        await this.repo.flush(handles.map((h) => h.documentId));
        const at = new Date().toISOString();
        db.transaction(() => {
          handles.forEach((h, i) => {
            const { row, patientId } = rows[i]!;
            this.#project(readChart(h.doc(), at), h.documentId, h.doc() as unknown as A.Doc<unknown>, row.created_at);
            appendAudit(db, { actorId, action, patientId, entityId: patientId });
          });
        })();
      },
    );
  }

  #markPending(documentId: string): void {
    stmt(this.#db, 'INSERT OR IGNORE INTO chart_pending (document_id) VALUES (?)').run(documentId);
  }

  /** Writes the projection and clears the pending mark; inside the caller's transaction. */
  #project(chart: PatientChart, documentId: string, doc: A.Doc<unknown>, createdAt: string): void {
    this.#projectAt(chart, documentId, A.getHeads(doc), createdAt);
  }

  #projectAt(chart: PatientChart, documentId: string, heads: string[], createdAt: string): void {
    projectChart(this.#db, chart, documentId, heads, createdAt);
    stmt(this.#db, 'DELETE FROM chart_pending WHERE document_id = ?').run(documentId);
    for (const l of this.#projected) l(documentId, heads);
  }

  /** Whether a local change of this document is between its flush and its projection. */
  isPending(documentId: string): boolean {
    return stmt(this.#db, 'SELECT 1 FROM chart_pending WHERE document_id = ?').get(documentId) !== undefined;
  }

  /**
   * Re-projects a chart document that changed through sync or a bundle (`doc` is the
   * document's current state, from its handle or straight from storage); inside the
   * caller's transaction (which audits it). Returns the patient id, or null when the
   * document is not a chart.
   */
  projectDocument(documentId: string, doc: ChartDoc | undefined): string | null {
    if (!isChartDoc(doc)) return null;
    const heads = A.getHeads(doc as unknown as A.Doc<unknown>);
    return this.projectRead(documentId, readChart(doc, ''), heads, String(doc.createdAt));
  }

  /**
   * projectDocument for a chart already read out of its document (readChart) with its
   * heads, e.g. by a worker thread that loaded it (main/host/sync/bulk-decode.ts):
   * `docCreatedAt` is the document's own createdAt, used when the patient is new here.
   */
  projectRead(documentId: string, chart: PatientChart, heads: string[], docCreatedAt: string): string {
    const existing = stmt(this.#db, 'SELECT created_at FROM patients WHERE document_id = ?').get(documentId) as
      { created_at: string } | undefined;
    this.#projectAt(
      { ...chart, updatedAt: new Date().toISOString() },
      documentId,
      heads,
      existing?.created_at ?? docCreatedAt,
    );
    return chart.id;
  }

  /**
   * Re-projects the charts a crash left between flush and projection (those still
   * marked pending). Cheap when there are none: it never loads every document.
   */
  async reconcile(): Promise<number> {
    const db = this.#db;
    const pending = db.prepare('SELECT document_id FROM chart_pending').all() as { document_id: string }[];
    let repaired = 0;
    for (const { document_id: documentId } of pending) {
      const stored = db
        .prepare('SELECT 1 FROM automerge_chunks WHERE key >= ? AND key < ? LIMIT 1')
        .get(`${documentId}\u001f`, `${documentId}\u0020`);
      if (!stored) {
        // The crash came before the first flush: nothing was stored, nothing was acknowledged.
        db.prepare('DELETE FROM chart_pending WHERE document_id = ?').run(documentId);
        continue;
      }
      await this.loaded.use<ChartDoc, void>(documentId, (handle) => {
        const doc = handle.doc();
        const row = db.prepare('SELECT created_at FROM patients WHERE document_id = ?').get(documentId) as
          { created_at: string } | undefined;
        const createdAt = row?.created_at ?? String(doc.createdAt);
        const chart = readChart(doc, new Date().toISOString());
        db.transaction(() => {
          this.#project(chart, handle.documentId, doc as unknown as A.Doc<unknown>, createdAt);
          appendAudit(db, {
            actorId: null,
            action: 'patient.projection_repaired',
            patientId: chart.id,
            entityId: chart.id,
          });
        })();
      });
      repaired++;
    }
    return repaired;
  }

  async close(): Promise<void> {
    await this.loaded.close();
    // Only documents that are loaded: one still being fetched from a peer has nothing
    // to store yet, and Repo.flush() throws on a handle that is not ready.
    await this.repo.flush(
      Object.values(this.repo.handles)
        .filter((h) => h.isReady())
        .map((h) => h.documentId),
    );
    // shutdown() flushes every handle again: it throws on one still being fetched and,
    // after a sync that evicted documents, can wait forever (seen with a hub). Every
    // change this store acknowledged was flushed before it returned, so a bounded wait
    // loses nothing.
    const shutdown = this.repo.shutdown().catch((e: unknown) => {
      if (!(e instanceof Error && /not ready/.test(e.message))) throw e;
    });
    await Promise.race([shutdown, new Promise((r) => setTimeout(r, 5000).unref())]);
    this.#storage.close();
  }
}
