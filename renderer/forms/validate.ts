// Client-side validation with the contract's own schemas, so the form and the host
// say the same thing. Only "required" is reworded (into the chosen language) where
// the schema gives no message of its own.
import type { z } from 'zod';
import { issuesFromZod, type Issue } from '../api/issues';

export function validateWith(schema: z.ZodType, value: unknown, requiredMessage?: string): Issue[] {
  const result = schema.safeParse(value, {
    error: (issue) => {
      if (requiredMessage === undefined) return undefined;
      const emptyString = issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1;
      return emptyString ? requiredMessage : undefined;
    },
  });
  return result.success ? [] : issuesFromZod(result.error.issues);
}

/** Issues about a single value, placed at `path`. */
export function validateFieldWith(schema: z.ZodType, value: unknown, path: string, requiredMessage?: string): Issue[] {
  return validateWith(schema, value, requiredMessage).map((issue) => ({
    path: issue.path === '' ? path : `${path}.${issue.path}`,
    message: issue.message,
  }));
}
