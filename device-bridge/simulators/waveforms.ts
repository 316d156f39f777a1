// Synthetic physiological signals for the simulators. Pure functions of time, so a test can compute the exact
// values a simulator sent at any sample.

const gauss = (x: number, mu: number, sigma: number): number => Math.exp(-0.5 * ((x - mu) / sigma) ** 2);

/** A rate that drifts slowly around `base` (sinusoidally, period `periodS`), and how many cycles have elapsed. */
export interface Rhythm {
  /** Beats (or breaths) per minute at time t (s). */
  rateAt(t: number): number;
  /** Cycles elapsed since t = 0 (the integral of the rate), so the phase never jumps when the rate changes. */
  cyclesAt(t: number): number;
}

export function rhythm(base: number, amplitude = 0, periodS = 20): Rhythm {
  const w = (2 * Math.PI) / periodS;
  return {
    rateAt: (t) => base + amplitude * Math.sin(w * t),
    cyclesAt: (t) => (base * t + (amplitude / w) * (1 - Math.cos(w * t))) / 60,
  };
}

/**
 * Photoplethysmogram shape over one beat, 0..1: a systolic peak early in the beat and a smaller diastolic wave
 * after the dicrotic notch.
 */
export function plethShape(phase: number): number {
  const p = phase - Math.floor(phase);
  // the previous beat's diastolic tail overlaps the start of this one
  const v =
    gauss(p, 0.18, 0.07) + 0.38 * gauss(p, 0.47, 0.09) + 0.38 * gauss(p + 1, 0.47, 0.09) + gauss(p - 1, 0.18, 0.07);
  return Math.min(1, v / 1.05);
}

/** Pleth sample at time t: beat shape, breathing modulates the amplitude by ±6 % (15 breaths a minute). */
export function syntheticPleth(t: number, heart: Rhythm): number {
  const breathing = 1 + 0.06 * Math.sin(2 * Math.PI * 0.25 * t);
  return Math.min(1, plethShape(heart.cyclesAt(t)) * breathing);
}

interface Wave {
  /** Seconds from the R peak. */
  at: number;
  mv: number;
  width: number;
}

// Lead II-like PQRST as a sum of Gaussians (amplitudes in mV, times in s relative to R).
const PQRST: readonly Wave[] = [
  { at: -0.16, mv: 0.15, width: 0.025 },
  { at: -0.03, mv: -0.12, width: 0.01 },
  { at: 0, mv: 1.2, width: 0.011 },
  { at: 0.03, mv: -0.28, width: 0.011 },
  { at: 0.28, mv: 0.32, width: 0.055 },
];

/** Synthetic ECG in millivolts at time t (s), fixed heart rate; `gain` scales the lead (1 = lead II). */
export function syntheticEcgMv(t: number, heartRateBpm: number, gain = 1): number {
  const rr = 60 / heartRateBpm;
  const rOffset = 0.35 * rr;
  const beat = Math.floor((t - rOffset) / rr);
  let v = 0.04 * Math.sin(2 * Math.PI * 0.2 * t); // baseline wander (breathing)
  for (let k = beat - 1; k <= beat + 1; k++) {
    const dt = t - (k * rr + rOffset);
    for (const w of PQRST) v += w.mv * gauss(dt, w.at, w.width);
  }
  return v * gain;
}
