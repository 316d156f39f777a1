// Field-level problems travel as { path: 'dotted.path', message } (ApiErrorBody.issues),
// whether the host found them or the renderer's own copy of the schema did.
import type { z } from 'zod';
import type { ApiErrorBody } from '../../main/api';

export type Issue = NonNullable<ApiErrorBody['issues']>[number];

export function issuesFromZod(issues: readonly z.core.$ZodIssue[]): Issue[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
