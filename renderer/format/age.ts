// Age as clinic staff say it: years, or months under two, or days under one month.
export type AgeUnit = 'years' | 'months' | 'days';
export interface Age {
  value: number;
  unit: AgeUnit;
}

/** undefined when the birth date is not a YYYY-MM-DD date, or is after `now`. */
export function ageAt(birthDate: string, now: Date): Age | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const birth = Date.UTC(y, m - 1, d);
  const today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  if (Number.isNaN(birth) || birth > today) return undefined;

  let months = (now.getFullYear() - y) * 12 + (now.getMonth() + 1 - m);
  if (now.getDate() < d) months -= 1;
  if (months >= 24) return { value: Math.floor(months / 12), unit: 'years' };
  if (months >= 1) return { value: months, unit: 'months' };
  return { value: Math.round((today - birth) / 86_400_000), unit: 'days' };
}
