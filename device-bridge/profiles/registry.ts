// The device profiles Sijill knows. Line settings were checked with the search tool; sources are listed in
// each profile. Profiles are plain data plus the protocol's pipeline options, so the host can show them,
// and an installation can add its own with registerProfile().
import { CMS50D_KEEP_ALIVE_MS, CMS50D_START_LIVE_DATA, CMS50D_STAY_CONNECTED } from './cms50d-commands';
import { CHEMISTRY_CODE_MAPPINGS, HAEMATOLOGY_CODE_MAPPINGS } from './code-mappings';
import type { DeviceProfile } from './types';

const line8N1 = (baudRate: number) => ({
  baudRate,
  dataBits: 8 as const,
  parity: 'none' as const,
  stopBits: 1 as const,
  flowControl: 'none' as const,
});

export const CONTEC_CMS50D_PLUS: DeviceProfile = {
  id: 'contec-cms50d-plus',
  displayName: 'Contec CMS50D+ pulse oximeter (USB cable)',
  protocol: 'cms50d',
  kind: 'bedside',
  // 19200 8O1 as atbrask/CMS50Dplus opens the CP210x cable (pyserial: 19200, PARITY_ODD, xonxoff=1) and as
  // tranzoa.net observed the vendor software doing ("19.2 8O1"). Flow control deliberately 'none': with
  // XON/XOFF the host tty swallows every received 0x11/0x13, and those are ordinary pleth and pulse values in
  // this binary stream (test/device-bridge/transport shows the loss over a pty). The device never pauses anyway.
  line: { baudRate: 19200, dataBits: 8, parity: 'odd', stopBits: 1, flowControl: 'none' },
  init: [
    {
      name: 'start live data',
      bytes: CMS50D_START_LIVE_DATA,
      source: 'Contec communication protocol V7.0, command 0xA1 (see cms50d-commands.ts)',
    },
  ],
  keepAlive: {
    command: {
      name: 'stay connected',
      bytes: CMS50D_STAY_CONNECTED,
      source: 'Contec communication protocol V7.0, command 0xAF, required at least every 5 s',
    },
    intervalMs: CMS50D_KEEP_ALIVE_MS,
  },
  quietTimeoutMs: 3000,
  pipeline: { cms50dPacketsPerChunk: 60 },
  codeMappings: [],
  sources: [
    'atbrask/CMS50Dplus cms50dplus.py (serial settings, 5-byte live packet)',
    'tranzoa.net/~alex/blog/?p=371 (19200 8O1; any byte starts streaming)',
    'albertcbraun/CMS50FW CMS50FWCommand.java (0xA1 start, 0xAF stay connected)',
  ],
  notes:
    'Firmware 4.6 and later answer with the V7.0 9-byte real-time packets at 115200 8N1, which this profile ' +
    'does not decode; those need their own framer.',
};

export const NONIN_FORMAT_7: DeviceProfile = {
  id: 'nonin-format-7',
  displayName: 'Nonin oximeter, serial data format 7 (OEM III, WristOx 3150)',
  protocol: 'nonin',
  kind: 'bedside',
  line: line8N1(9600),
  init: [],
  quietTimeoutMs: 3000,
  pipeline: {},
  codeMappings: [],
  sources: [
    'Nonin serial data format 7 output: 9600 baud 8N1 (project brief; the manual was not in the searchable corpus)',
    'charlesfracchia/pyBioLab wristox2_test.py (a WristOx2 opened at 9600)',
  ],
};

export const MASIMO_RAD8: DeviceProfile = {
  id: 'masimo-rad8',
  displayName: 'Masimo Rad-8 pulse oximeter (serial output ASCII 1)',
  protocol: 'masimo',
  kind: 'bedside',
  line: line8N1(9600),
  init: [],
  quietTimeoutMs: 5000,
  pipeline: {},
  codeMappings: [],
  sources: [
    'remkolems/masimo-datacapture masimo-capture.py (9600, EIGHTBITS, PARITY_NONE, STOPBITS_ONE, no flow control)',
    'The Rad-8 must be set to serial output "ASCII 1" (default ASCII 2 sends nothing usable): Rad-8 manual, setup level 3',
  ],
};

export const ASTM_HAEMATOLOGY_ANALYSER: DeviceProfile = {
  id: 'astm-haematology',
  displayName: 'Haematology analyser, ASTM E1381/E1394 over RS-232',
  protocol: 'astm',
  kind: 'lab',
  line: line8N1(9600),
  init: [],
  quietTimeoutMs: null,
  pipeline: { astm: { receiveTimeoutMs: 30_000 } },
  codeMappings: [...HAEMATOLOGY_CODE_MAPPINGS],
  sources: ['9600 8N1 is the usual factory setting of ASTM E1381 (CLSI LIS01) serial ports; check the analyser menu'],
};

export const ASTM_CHEMISTRY_ANALYSER: DeviceProfile = {
  ...ASTM_HAEMATOLOGY_ANALYSER,
  id: 'astm-chemistry',
  displayName: 'Chemistry analyser, ASTM E1381/E1394 over RS-232',
  codeMappings: [...CHEMISTRY_CODE_MAPPINGS],
};

export const HL7_MONITOR: DeviceProfile = {
  id: 'hl7-monitor',
  displayName: 'Patient monitor sending HL7 v2 ORU^R01 over MLLP (serial, or TCP through a converter)',
  protocol: 'hl7',
  kind: 'bedside',
  line: line8N1(9600),
  init: [],
  quietTimeoutMs: null,
  pipeline: {},
  codeMappings: [],
  sources: ['HL7 v2.x Minimal Lower Layer Protocol (VT … FS CR); line settings as configured on the monitor'],
};

export const ECG_FRONT_END: DeviceProfile = {
  id: 'sijill-ecg-stream',
  displayName: 'ECG front-end (ADS129x/AD8232 + microcontroller), Sijill ECG stream v1',
  protocol: 'ecg',
  kind: 'bedside',
  line: line8N1(115200),
  init: [],
  quietTimeoutMs: 2000,
  pipeline: {},
  codeMappings: [],
  sources: ['device-bridge/protocols/ecg-stream.md (defined by this project)'],
};

const registry = new Map<string, DeviceProfile>();
for (const p of [
  CONTEC_CMS50D_PLUS,
  NONIN_FORMAT_7,
  MASIMO_RAD8,
  ASTM_HAEMATOLOGY_ANALYSER,
  ASTM_CHEMISTRY_ANALYSER,
  HL7_MONITOR,
  ECG_FRONT_END,
]) {
  registry.set(p.id, p);
}

export function listProfiles(): DeviceProfile[] {
  return [...registry.values()];
}

/** The profile with this id; throws with the known ids when there is none. */
export function getProfile(id: string): DeviceProfile {
  const p = registry.get(id);
  if (!p) throw new Error(`unknown device profile '${id}' (known: ${[...registry.keys()].join(', ')})`);
  return p;
}

/** The built-in profile used for a protocol when the user has not picked a model (simulators, replay). */
export function defaultProfileFor(protocol: DeviceProfile['protocol']): DeviceProfile {
  const p = listProfiles().find((x) => x.protocol === protocol);
  if (!p) throw new Error(`no profile for protocol '${protocol}'`);
  return p;
}

/** Adds a site-specific profile. Refuses to replace an existing id. */
export function registerProfile(profile: DeviceProfile): void {
  if (registry.has(profile.id)) throw new Error(`a device profile with id '${profile.id}' already exists`);
  if (profile.quietTimeoutMs !== null && !(profile.quietTimeoutMs > 0)) {
    throw new Error(`profile '${profile.id}': quietTimeoutMs must be positive or null`);
  }
  if (profile.keepAlive && !(profile.keepAlive.intervalMs > 0)) {
    throw new Error(`profile '${profile.id}': keep-alive interval must be positive`);
  }
  registry.set(profile.id, profile);
}
