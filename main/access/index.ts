export * from './permissions';
export * from './passwords';
export * from './audit-log';
export * from './users';
export * from './sessions';
