// Puts each problem next to the field it is about. Problems come as
// { path: 'vitals.spo2', message } from the host, or from the same schema run here.
import type { Issue } from '../api/issues';

export interface FormErrors<F extends string> {
  /** The first message for each field. */
  fields: Partial<Record<F, string>>;
  /** Messages about the form as a whole, or about fields this form does not show. */
  general: string[];
}

export const NO_ERRORS: FormErrors<never> = { fields: {}, general: [] };

/**
 * @param fields the fields the form shows
 * @param prefix the part of the path before the form's own fields ('vitals' in
 *   entries.recordVitals, 'body' in entries.amend); stripped when present
 */
export function mapIssuesToFields<F extends string>(
  issues: readonly Issue[],
  fields: readonly F[],
  prefix?: string,
): FormErrors<F> {
  const result: FormErrors<F> = { fields: {}, general: [] };
  for (const issue of issues) {
    const field = fieldOf(issue.path, prefix);
    if (field !== undefined && isField(field, fields)) {
      result.fields[field] ??= issue.message;
    } else if (!result.general.includes(issue.message)) {
      result.general.push(issue.message);
    }
  }
  return result;
}

export function hasErrors(errors: FormErrors<string>): boolean {
  return errors.general.length > 0 || Object.keys(errors.fields).length > 0;
}

function fieldOf(path: string, prefix: string | undefined): string | undefined {
  let rest = path;
  if (prefix !== undefined && prefix !== '') {
    if (rest === prefix) return undefined;
    if (rest.startsWith(`${prefix}.`)) rest = rest.slice(prefix.length + 1);
  }
  const first = rest.split('.')[0];
  return first === '' ? undefined : first;
}

function isField<F extends string>(name: string, fields: readonly F[]): name is F {
  return (fields as readonly string[]).includes(name);
}
