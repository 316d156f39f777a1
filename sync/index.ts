// Public surface of sync/: the SQLite storage the chart documents live in, and the
// sync library — device identity and the clinic roster, enrollment, the mutual
// handshake, authenticated automerge-repo network adapters (LAN and hub), the share
// policy, conflict detection and USB bundles. The host does not wire the library
// yet (see docs/architecture.md).
export { SqliteStorageAdapter } from './storage/sqlite-storage-adapter';

// --- identity: device keys, clinic roster, enrollment ---------------------------
export {
  deviceIdentityFromSeed,
  generateDeviceIdentity,
  verifySignature,
  deviceX25519PublicKey,
  generateClinicKey,
  clinicPublicKeyOf,
} from './identity/device';
export type { DeviceIdentity } from './identity/device';
export { sealTo, openSealed } from './identity/sealed-box';
export {
  signRosterOp,
  encodeRosterOp,
  decodeRosterOp,
  rosterOpHash,
  DEVICE_ROLES,
  TEAM_ID,
  MAX_DEVICE_TEAMS,
} from './identity/roster-ops';
export type { SignedRosterOp, RosterOpBody, DeviceRoleName } from './identity/roster-ops';
export {
  foundClinic,
  addDeviceOp,
  revokeDeviceOp,
  setDeviceRoleOp,
  buildRoster,
  isActiveDevice,
  RosterError,
} from './identity/roster';
export type { Roster, RosterAnchor, RosterDevice } from './identity/roster';
export { rosterOpsOf, putRosterOps } from './identity/roster-doc';
export type { RosterDoc } from './identity/roster-doc';
export {
  newEnrollmentCode,
  normalizeEnrollmentCode,
  enrollmentCodeKey,
  EnrollmentCodeError,
} from './identity/enrollment-code';
export {
  issueEnrollmentCode,
  createJoinRequest,
  acceptJoinRequest,
  acceptEnrollmentGrant,
  formatEnrollmentQr,
  parseEnrollmentQr,
  EnrollmentError,
  MAX_CODE_FAILURES,
} from './identity/enrollment';
export type { EnrollmentCodeStore, PendingEnrollmentCode, EnrollmentQr } from './identity/enrollment';

// --- auth: mutual handshake and session frames -------------------------------------
export { clientHandshake, serverHandshake, HandshakeError, peerIdForDevice, AUTH_LABEL } from './auth/handshake';
export type {
  AuthenticatedPeer,
  HandshakeOptions,
  HandshakeStep,
  PeerTrust,
  Session,
  PeerMetadataLite,
} from './auth/handshake';
export { FrameCipher } from './auth/frame-cipher';

// --- network: automerge-repo adapters over authenticated WebSockets ---------------
export { AuthenticatedWebSocketClientAdapter } from './network/client-adapter';
export type { AuthenticatedClientOptions } from './network/client-adapter';
export { AuthenticatedWebSocketServerAdapter } from './network/server-adapter';
export type { AuthenticatedServerOptions } from './network/server-adapter';
export type { AuthOptions, MessageGuard, PeerDirectory, SyncNetworkEvent } from './network/types';
export { SIDE_MESSAGE_TYPE } from './network/side-channel';
export type { SideChannel, SideMessageHandler } from './network/side-channel';
export { AuthenticatedHubGateway } from './network/hub-gateway';
export type { HubGatewayOptions } from './network/hub-gateway';

// --- policy: who may hold which document ----------------------------------------------
export { mayHold, createSharePolicy } from './policy/share-policy';
export type {
  DeviceFacts,
  DeviceRole,
  DocumentFacts,
  ShareFacts,
  ShareDecision,
  SharePolicyParts,
  Verdict,
  ShareConfig,
} from './policy/share-policy';

// --- conflicts: concurrent edits of watched fields → review queue ------------------------
export { detectConflicts, CHART_WATCH } from './conflicts/detect';
export type {
  ConflictRecord,
  ConflictValue,
  ConflictKind,
  WatchConfig,
  ListWatch,
  ItemSnapshot,
} from './conflicts/detect';
export {
  applyResolution,
  resolutionMessage,
  resolutionsSince,
  resolveConflict,
  ResolveError,
} from './conflicts/resolve';
export type { Resolution } from './conflicts/resolve';
export { MemoryConflictQueue } from './conflicts/queue';
export type { ConflictQueue } from './conflicts/queue';
export { mergeSides } from './conflicts/history';
export type { MergeSides } from './conflicts/history';

// --- bundles: signed, encrypted offline exchange (USB) ------------------------------
export { exportBundle } from './bundles/export';
export type { BundleDocInput, BundleManifest } from './bundles/export';
export { openBundle, BundleError } from './bundles/import';
export type { BundleImportContext, BundleImportPlan, BundleDocPlan, BundleErrorCode } from './bundles/import';
export { checkEntries } from './bundles/entries';
export type { EntryChecks } from './bundles/entries';
export { BUNDLE_FORMAT, BUNDLE_VERSION } from './bundles/format';
export type { BundleEntry, BundleHeader } from './bundles/format';
