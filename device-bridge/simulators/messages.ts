// Result messages the simulated analyser and monitor send: realistic structure, synthetic values (no patient).
// Values are pure functions of the message number so tests know what must arrive.

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** YYYYMMDDHHMMSS of a date, in UTC fields (the simulated instrument has no time zone). */
export function instrumentTimestamp(at: Date): string {
  return (
    `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1, 2)}${pad(at.getUTCDate(), 2)}` +
    `${pad(at.getUTCHours(), 2)}${pad(at.getUTCMinutes(), 2)}${pad(at.getUTCSeconds(), 2)}`
  );
}

export interface SimulatedResult {
  /** The analyser's own test code. */
  code: string;
  value: number;
  unit: string;
  range: string;
}

/** A complete blood count for sample number n. */
export function cbcResults(n: number): SimulatedResult[] {
  const v = (base: number, spread: number, decimals: number, k: number) =>
    Number((base + spread * Math.sin(n * 1.7 + k)).toFixed(decimals));
  return [
    { code: 'WBC', value: v(7.2, 1.8, 1, 0), unit: '10*3/uL', range: '4.0-10.0' },
    { code: 'RBC', value: v(4.7, 0.4, 2, 1), unit: '10*6/uL', range: '4.20-5.40' },
    { code: 'HGB', value: v(13.9, 1.2, 1, 2), unit: 'g/dL', range: '12.0-16.0' },
    { code: 'HCT', value: v(41.5, 3, 1, 3), unit: '%', range: '37.0-47.0' },
    { code: 'MCV', value: v(89, 4, 1, 4), unit: 'fL', range: '80.0-100.0' },
    { code: 'PLT', value: v(250, 60, 0, 5), unit: '10*3/uL', range: '150-400' },
  ];
}

/** E1394 records (without CR) of a CBC result message for sample n. */
export function astmCbcRecords(n: number, at: Date): string[] {
  const ts = instrumentTimestamp(at);
  return [
    `H|\\^&|||SIJILL-SIM^HX-1^1.0|||||||P|LIS2-A2|${ts}`,
    `P|1||PAT-${pad(n, 4)}||SIMULATED^PATIENT^${n}||19800101|U`,
    `O|1|SMP-${pad(n, 6)}||^^^CBC|R|${ts}|||||N||||WB`,
    ...cbcResults(n).map((r, i) => `R|${i + 1}|^^^${r.code}|${r.value}|${r.unit}|${r.range}|N||F||||${ts}`),
    'L|1|N',
  ];
}

export interface SimulatedVitals {
  spo2: number;
  pulseRate: number;
  systolic: number;
  diastolic: number;
}

export function vitalsFor(n: number): SimulatedVitals {
  return {
    spo2: 95 + (n % 5),
    pulseRate: 64 + ((n * 7) % 30),
    systolic: 112 + ((n * 3) % 20),
    diastolic: 70 + ((n * 5) % 12),
  };
}

/** MSH-10 of monitor message n. */
export const hl7ControlId = (n: number): string => `SIM${pad(n, 6)}`;

/** An ORU^R01 (v2.6) with SpO2, pulse rate and a non-invasive blood pressure, segments ended by CR. */
export function hl7VitalsMessage(n: number, at: Date): string {
  const ts = instrumentTimestamp(at);
  const v = vitalsFor(n);
  return [
    `MSH|^~\\&|SIM-MONITOR|BED-7|SIJILL|CLINIC|${ts}||ORU^R01^ORU_R01|${hl7ControlId(n)}|P|2.6`,
    'PID|1||PAT-0007^^^CLINIC^MR||SIMULATED^PATIENT',
    `OBR|1||OBS-${pad(n, 6)}|182777000^monitoring of patient^SCT|||${ts}`,
    `OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.1|${v.spo2}|262688^MDC_DIM_PERCENT^MDC|90-100|N|||F|||${ts}`,
    `OBX|2|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC|1.1.1.2|${v.pulseRate}|264864^MDC_DIM_BEAT_PER_MIN^MDC|50-120|N|||F|||${ts}`,
    `OBX|3|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC|1.1.2.1|${v.systolic}|266016^MDC_DIM_MMHG^MDC|90-140|N|||F|||${ts}`,
    `OBX|4|NM|150022^MDC_PRESS_BLD_NONINV_DIA^MDC|1.1.2.2|${v.diastolic}|266016^MDC_DIM_MMHG^MDC|60-90|N|||F|||${ts}`,
  ]
    .map((s) => `${s}\r`)
    .join('');
}
