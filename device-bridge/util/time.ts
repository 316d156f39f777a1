// HL7 DTM / ASTM date-times (YYYY[MM[DD[HH[MM[SS[.S…]]]]]][±ZZZZ]) → ISO 8601.

/**
 * Converts an HL7/ASTM timestamp to ISO 8601 ('2023-08-03T13:17:00', '2008-05-11', '…+03:00').
 * Returns undefined for an empty or malformed value, or an impossible date.
 */
export function hl7TimeToIso(raw: string): string | undefined {
  const s = raw.trim();
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, tz] = m;
  if (mo !== undefined && (Number(mo) < 1 || Number(mo) > 12)) return undefined;
  if (d !== undefined) {
    const days = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
    if (Number(d) < 1 || Number(d) > days) return undefined;
  }
  if (h !== undefined && Number(h) > 23) return undefined;
  if (mi !== undefined && Number(mi) > 59) return undefined;
  if (sec !== undefined && Number(sec) > 60) return undefined;
  let out = y as string;
  if (mo === undefined) return out;
  out += `-${mo}`;
  if (d === undefined) return out;
  out += `-${d}`;
  if (h === undefined) return out;
  out += `T${h}:${mi ?? '00'}:${sec ?? '00'}`;
  if (frac !== undefined) out += `.${frac}`;
  if (tz !== undefined) out += `${tz.slice(0, 3)}:${tz.slice(3)}`;
  return out;
}

/** Formats a Date as an HL7 DTM in local time: YYYYMMDDHHMMSS. */
export function isoToHl7Time(date: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    p(date.getFullYear(), 4) +
    p(date.getMonth() + 1) +
    p(date.getDate()) +
    p(date.getHours()) +
    p(date.getMinutes()) +
    p(date.getSeconds())
  );
}
