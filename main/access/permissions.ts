// The permission matrix: the one place that says which role may do what. The host
// checks it before every API method; a method missing here does not compile.
import type { EventName, Method, Role } from '../api';

type Who = 'public' | readonly Role[];

/** Who may change the roster of devices (revoke one, set its role): the same people. */
const DEVICE_ADMIN: readonly Role[] = ['administrator'];

const CLINICAL: readonly Role[] = ['administrator', 'doctor', 'nurse'];
const ALL: readonly Role[] = [
  'administrator',
  'doctor',
  'nurse',
  'clerk',
  'lab_technician',
  'device_technician',
  'auditor',
];

export const methodPermissions: Record<Method, Who> = {
  'host.status': 'public',
  'host.initialize': 'public',
  'host.unlock': 'public',
  'auth.login': 'public',
  'auth.logout': ALL,
  'auth.me': ALL,
  // Device technicians search to attach a device to the right patient.
  'patients.search': ['administrator', 'doctor', 'nurse', 'clerk', 'lab_technician', 'device_technician'],
  'patients.register': ['administrator', 'doctor', 'nurse', 'clerk'],
  'patients.get': ['administrator', 'doctor', 'nurse', 'clerk', 'lab_technician'],
  'patients.addAllergy': CLINICAL,
  // Field teams and consent decide which devices receive the chart: clinicians record them.
  'patients.setSharing': CLINICAL,
  'entries.recordVitals': CLINICAL,
  'entries.addNote': CLINICAL,
  // The clerk checks a patient in; the visit itself is clinical.
  'entries.recordEncounter': ['administrator', 'doctor', 'nurse', 'clerk'],
  'entries.amend': CLINICAL,
  'users.list': ['administrator', 'auditor'],
  'users.create': ['administrator'],
  'stats.get': ALL,
  'audit.verify': ['administrator', 'auditor'],
  'audit.recent': ['administrator', 'auditor'],
  // Only hashes and counts: no patient data.
  'anchor.status': ALL,
  'anchor.sealNow': ['administrator'],
  // A receipt carries the entry itself: those who may read entries.
  'anchor.receipt': ['administrator', 'doctor', 'nurse', 'lab_technician'],
  'anchor.verifyReceipt': ALL,
  // Device set-up is the device technician's job; clinicians see devices and their data.
  'devices.profiles': ['administrator', 'device_technician', 'doctor', 'nurse'],
  'devices.ports': ['administrator', 'device_technician'],
  'devices.list': ['administrator', 'device_technician', 'doctor', 'nurse', 'lab_technician'],
  'devices.connect': ['administrator', 'device_technician'],
  'devices.disconnect': ['administrator', 'device_technician'],
  'devices.attach': ['administrator', 'device_technician', 'doctor', 'nurse'],
  'lab.inbox': ['administrator', 'lab_technician', 'doctor'],
  'lab.reconcile': ['administrator', 'lab_technician', 'doctor'],
  'patients.recordings': ['administrator', 'doctor', 'nurse'],
  'recordings.samples': ['administrator', 'doctor', 'nurse'],
  // Counts and device ids only: the status bar shows it to everyone.
  'sync.status': ALL,
  // Enrolling, revoking, listening, connecting and bundles move the clinic's data: administrators.
  'sync.enrollmentCode': ['administrator'],
  'sync.listen': ['administrator'],
  'sync.connect': ['administrator'],
  'peers.revoke': DEVICE_ADMIN,
  // A device's role and teams decide which charts it receives: whoever may revoke it.
  'peers.setRole': DEVICE_ADMIN,
  'bundles.upload': ['administrator'],
  'bundles.import': ['administrator'],
  'bundles.export': ['administrator'],
  // Conflicts carry chart values: clinicians review and resolve them.
  'conflicts.list': CLINICAL,
  'conflicts.resolve': CLINICAL,
};

/**
 * Who receives each pushed event. Most carry only ids; live device data carries
 * patient values, so it goes only to those who may read clinical entries.
 */
export const eventPermissions: Record<EventName, Who> = {
  'host.state': 'public',
  'patient.changed': ALL,
  'entry.recorded': ALL,
  'anchor.changed': ALL,
  'device.state': ALL,
  'device.live': ['administrator', 'doctor', 'nurse', 'device_technician'],
  'lab.inbox': ['administrator', 'lab_technician', 'doctor'],
  'sync.status': ALL,
  'conflicts.changed': CLINICAL,
};

export function mayReceive(role: Role | null, event: EventName): boolean {
  const who = eventPermissions[event];
  return who === 'public' || (role !== null && who.includes(role));
}

/** Capabilities that refine what a method returns or allows, beyond calling it. */
export const capabilityPermissions = {
  /** Read clinical entries in a chart; others (the clerk) see demographics only. */
  'entries.read': ['administrator', 'doctor', 'nurse', 'lab_technician'],
  /** Amend an entry someone else wrote (everyone may amend their own). */
  'entries.amendOthers': ['administrator', 'doctor'],
} as const satisfies Record<string, readonly Role[]>;
export type Capability = keyof typeof capabilityPermissions;

export function mayCall(role: Role, method: Method): boolean {
  const who = methodPermissions[method];
  return who === 'public' || who.includes(role);
}

export function hasCapability(role: Role, capability: Capability): boolean {
  return (capabilityPermissions[capability] as readonly Role[]).includes(role);
}

/** Everything a role may do, for the UI to decide what to show (the host still checks). */
export function permissionsOf(role: Role): string[] {
  const methods = (Object.keys(methodPermissions) as Method[]).filter(
    (m) => methodPermissions[m] !== 'public' && mayCall(role, m),
  );
  const caps = (Object.keys(capabilityPermissions) as Capability[]).filter((c) => hasCapability(role, c));
  return [...methods, ...caps];
}
