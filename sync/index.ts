// Public surface of sync/. Peers, authentication, share policy and bundles come with
// the sync issue; today it provides the storage the patient chart documents live in.
export { SqliteStorageAdapter } from './storage/sqlite-storage-adapter';
