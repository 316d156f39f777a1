// The handler map: one implementation per contract method. The dispatcher has
// already validated the input, checked the session and the permission matrix; a
// handler only does the work. TypeScript refuses a missing or mistyped handler.
import { ApiError, type Method, type Output, type ParsedInput } from '../api';
import { permissionsOf } from '../access/permissions';
import { listUsers, createUser, toUserSummary, type UserRow } from '../access/users';
import { login, logout } from '../access/sessions';
import { appendAudit, recentAudit, verifyAuditChain } from '../access/audit-log';
import type { Host } from './host';
import { verifyReceipt } from '../../anchor-queue';
import { VERSION } from './host';
import {
  exportBundleBase64,
  importBundleFromApi,
  uploadBundlePiece,
  setListening,
  setPatientSharing,
  setPeerRole,
  syncStatus,
} from './sync/sync-api';
import { readConflicts, resolveConflictById } from './sync/conflict-review';

export interface CallContext {
  host: Host;
  /** Present for every non-public method. */
  session: { user: UserRow; token: string; expiresAt: string } | null;
}

type Handler<M extends Method> = (ctx: CallContext, input: ParsedInput<M>) => Promise<Output<M>> | Output<M>;
export type Handlers = { [M in Method]: Handler<M> };

function sessionOf(ctx: CallContext) {
  if (!ctx.session) throw new ApiError('UNAUTHENTICATED', 'Log in first.');
  return ctx.session;
}

export const handlers: Handlers = {
  'host.status': ({ host }) => {
    const ready = host.state === 'ready';
    return {
      state: host.state,
      clinicName: ready ? host.clinic.clinicName : null,
      deviceId: ready ? host.clinic.deviceId : null,
      version: VERSION,
    };
  },
  'host.initialize': async ({ host }, input) => {
    await host.initialize(input);
    return { state: host.state };
  },
  'host.unlock': async ({ host }, input) => {
    await host.unlock(input.passphrase);
    return { state: host.state };
  },

  'auth.login': async ({ host }, input) => {
    const s = await login(host.clinic.db, input.username, input.password);
    return {
      token: s.token,
      user: toUserSummary(s.user),
      permissions: permissionsOf(s.user.role),
      expiresAt: s.expiresAt,
    };
  },
  'auth.logout': (ctx) => {
    const s = sessionOf(ctx);
    logout(ctx.host.clinic.db, s.token, s.user.id);
    return { ok: true as const };
  },
  'auth.me': (ctx) => {
    const s = sessionOf(ctx);
    return { user: toUserSummary(s.user), permissions: permissionsOf(s.user.role), expiresAt: s.expiresAt };
  },

  'patients.search': (ctx, input) => ({
    patients: ctx.host.clinic.searchPatients(sessionOf(ctx).user, input.query, input.limit),
  }),
  'patients.register': async (ctx, input) => {
    const patient = await ctx.host.clinic.registerPatient(sessionOf(ctx).user, input);
    ctx.host.emit('patient.changed', { patientId: patient.id });
    return patient;
  },
  'patients.get': (ctx, input) => ctx.host.clinic.getChart(sessionOf(ctx).user, input.patientId),
  'patients.addAllergy': async (ctx, input) => {
    const chart = await ctx.host.clinic.addAllergy(sessionOf(ctx).user, input.patientId, input.text);
    ctx.host.emit('patient.changed', { patientId: input.patientId });
    return chart;
  },
  'patients.setSharing': async (ctx, input) => {
    const chart = await setPatientSharing(ctx.host.clinic, sessionOf(ctx).user.id, input.patientId, input.sharing);
    ctx.host.emit('patient.changed', { patientId: input.patientId });
    return chart;
  },

  'entries.recordVitals': (ctx, input) => {
    const entry = ctx.host.clinic.recordEntry(sessionOf(ctx).user, input.patientId, 'vitals', input.vitals);
    ctx.host.emit('entry.recorded', { patientId: entry.patientId, entryId: entry.id });
    return entry;
  },
  'entries.addNote': (ctx, input) => {
    const entry = ctx.host.clinic.recordEntry(sessionOf(ctx).user, input.patientId, 'note', input.note);
    ctx.host.emit('entry.recorded', { patientId: entry.patientId, entryId: entry.id });
    return entry;
  },
  'entries.recordEncounter': (ctx, input) => {
    const entry = ctx.host.clinic.recordEntry(sessionOf(ctx).user, input.patientId, 'encounter', input.encounter);
    ctx.host.emit('entry.recorded', { patientId: entry.patientId, entryId: entry.id });
    return entry;
  },
  'entries.amend': (ctx, input) => {
    const entry = ctx.host.clinic.amendEntry(sessionOf(ctx).user, input.entryId, input.reason, input.body);
    ctx.host.emit('entry.recorded', { patientId: entry.patientId, entryId: entry.id });
    return entry;
  },

  'users.list': (ctx) => ({ users: listUsers(ctx.host.clinic.db) }),
  'users.create': (ctx, input) =>
    createUser(ctx.host.clinic.db, ctx.host.clinic.store.dataKey, input, sessionOf(ctx).user.id),
  'stats.get': (ctx) => ctx.host.clinic.stats(),
  'audit.verify': (ctx) => {
    const db = ctx.host.clinic.db;
    const result = verifyAuditChain(db);
    // Recorded after the walk, so the walk covers a fixed chain.
    db.transaction(() => {
      appendAudit(db, {
        actorId: sessionOf(ctx).user.id,
        action: 'audit.verify',
        detail: { ok: result.ok, records: result.records },
      });
    })();
    return result;
  },
  'audit.recent': (ctx, input) => ({ records: recentAudit(ctx.host.clinic.db, input.limit) }),

  'anchor.status': (ctx) => ctx.host.clinic.anchoring.status(),
  'anchor.sealNow': (ctx) => {
    const sealed = ctx.host.clinic.anchoring.sealNow();
    if (sealed) ctx.host.emit('anchor.changed', {});
    return { treeSize: sealed?.treeSize ?? null };
  },
  'anchor.receipt': (ctx, input) => {
    const receipt = ctx.host.clinic.entryReceipt(sessionOf(ctx).user.id, input.entryId);
    return { receipt: receipt as unknown as Record<string, unknown>, fileName: `sijill-receipt-${input.entryId}.json` };
  },
  'devices.profiles': (ctx) => ({ profiles: ctx.host.clinic.devices.profiles() }),
  'devices.ports': async (ctx) => ({ ports: await ctx.host.clinic.devices.ports() }),
  'devices.list': (ctx) => ({ connections: ctx.host.clinic.devices.list() }),
  'devices.connect': (ctx, input) => ctx.host.clinic.devices.connect(sessionOf(ctx).user, input),
  'devices.disconnect': (ctx, input) => ctx.host.clinic.devices.disconnect(sessionOf(ctx).user, input.connectionId),
  'devices.attach': (ctx, input) =>
    ctx.host.clinic.devices.attach(sessionOf(ctx).user, input.connectionId, input.patientId),
  'lab.inbox': (ctx, input) => ({ items: ctx.host.clinic.labInbox(sessionOf(ctx).user, input.status) }),
  'lab.reconcile': (ctx, input) => {
    const entries = ctx.host.clinic.reconcileLab(sessionOf(ctx).user, input.inboxId, input.patientId);
    ctx.host.emit('lab.inbox', {});
    ctx.host.emit('patient.changed', { patientId: input.patientId });
    return { entries };
  },
  'patients.recordings': (ctx, input) => ({
    recordings: ctx.host.clinic.recordings(sessionOf(ctx).user, input.patientId),
  }),
  'recordings.samples': (ctx, input) => ({
    chunks: ctx.host.clinic.recordingSamples(sessionOf(ctx).user, input.recordingId, input.fromSeq, input.limit),
  }),
  'anchor.verifyReceipt': (_ctx, input) => {
    const r = verifyReceipt(input.receipt);
    return { ok: r.ok, checks: r.checks, summary: r.summary ?? null };
  },

  'sync.status': (ctx) => syncStatus(ctx.host.clinic),
  'sync.enrollmentCode': (ctx) => ctx.host.clinic.sync.enrollmentCode(sessionOf(ctx).user.id),
  'sync.listen': (ctx, input) => setListening(ctx.host.clinic, sessionOf(ctx).user.id, input.enabled, input.port),
  'sync.connect': (ctx, input) => {
    sessionOf(ctx);
    ctx.host.clinic.sync.connect(input.url);
    return syncStatus(ctx.host.clinic);
  },
  'peers.revoke': (ctx, input) => {
    ctx.host.clinic.sync.revoke(sessionOf(ctx).user.id, input.deviceId, input.reason);
    return syncStatus(ctx.host.clinic);
  },
  'peers.setRole': (ctx, input) => {
    const status = setPeerRole(ctx.host.clinic, sessionOf(ctx).user, input);
    ctx.host.emit('sync.status', {});
    return status;
  },
  'conflicts.list': (ctx, input) => ({
    conflicts: readConflicts(ctx.host.clinic.db, sessionOf(ctx).user.id, {
      status: input.status,
      ...(input.patientId ? { patientId: input.patientId } : {}),
    }),
  }),
  'conflicts.resolve': async (ctx, input) => {
    const clinic = ctx.host.clinic;
    const view = await resolveConflictById(clinic, sessionOf(ctx).user.id, input.id, input.choice, input.reason);
    ctx.host.emit('conflicts.changed', {});
    if (view.patientId) ctx.host.emit('patient.changed', { patientId: view.patientId });
    return view;
  },
  'bundles.upload': (ctx, input) =>
    uploadBundlePiece(ctx.host.clinic, sessionOf(ctx).user.id, input.uploadId, input.index, input.dataBase64),
  'bundles.import': async (ctx, input) => {
    const r = await importBundleFromApi(ctx.host.clinic, sessionOf(ctx).user.id, input);
    ctx.host.emit('sync.status', {});
    if (r.conflicts > 0) ctx.host.emit('conflicts.changed', {});
    return r;
  },
  'bundles.export': (ctx, input) => exportBundleBase64(ctx.host.clinic, sessionOf(ctx).user.id, input.sincePeer),
};
