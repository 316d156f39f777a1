// One request in, one response out, for every transport. In order: parse the
// message, find the method, validate the input, check the host state, resolve the
// session, check the permission matrix, run the handler, validate the output. Any
// failure becomes a typed error; internal details never reach the client.
import { z } from 'zod';
import { ApiError, contract, isMethod, RequestMessage, type Method, type ResponseMessage, type Role } from '../api';
import { authenticate } from '../access/sessions';
import { mayCall } from '../access/permissions';
import { handlers, type CallContext } from './handlers';
import type { Host } from './host';

export interface Caller {
  /** Set after a successful authenticated call; the transport uses it to push events. */
  userId: string | null;
  role: Role | null;
}

const zodIssues = (e: z.ZodError) => e.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));

export async function dispatch(
  host: Host,
  raw: unknown,
  caller: Caller,
  log: (msg: string) => void = () => {},
): Promise<ResponseMessage> {
  const req = RequestMessage.safeParse(raw);
  const id = req.success
    ? req.data.id
    : typeof (raw as { id?: unknown })?.id === 'number'
      ? (raw as { id: number }).id
      : 0;
  try {
    if (!req.success) throw new ApiError('BAD_REQUEST', 'Malformed request message.', zodIssues(req.error));
    const { method, params, token } = req.data;
    if (!isMethod(method)) throw new ApiError('BAD_REQUEST', `Unknown method "${method}".`);
    const result = await call(host, method, params ?? {}, token, caller);
    return { type: 'response', id, ok: true, result };
  } catch (err) {
    if (err instanceof ApiError) return { type: 'response', id, ok: false, error: err.toBody() };
    // Log the kind of failure, never its data: messages can carry patient values.
    log(
      `internal error in ${req.success ? req.data.method : 'request'}: ${err instanceof Error ? err.name : typeof err}`,
    );
    return {
      type: 'response',
      id,
      ok: false,
      error: { code: 'INTERNAL', message: 'Something went wrong inside Sijill. Nothing was changed; try again.' },
    };
  }
}

async function call(
  host: Host,
  method: Method,
  params: unknown,
  token: string | undefined,
  caller: Caller,
): Promise<unknown> {
  const spec = contract[method];
  const input = spec.input.safeParse(params);
  if (!input.success) {
    throw new ApiError('VALIDATION', input.error.issues.map((i) => i.message).join('; '), zodIssues(input.error));
  }
  const ctx: CallContext = { host, session: null };
  if (!spec.public) {
    const clinic = host.clinic; // throws NOT_INITIALIZED / LOCKED
    const { user, expiresAt } = authenticate(clinic.db, token);
    if (!mayCall(user.role, method)) {
      throw new ApiError('FORBIDDEN', `Your role (${user.role.replace('_', ' ')}) may not do this.`);
    }
    ctx.session = { user, token: token!, expiresAt };
    caller.userId = user.id;
    caller.role = user.role;
  }
  const handler = handlers[method] as (ctx: CallContext, input: unknown) => unknown;
  const result = await handler(ctx, input.data);
  if (method === 'auth.login') {
    // The connection that just logged in receives events from now on.
    const user = (result as { user: { id: string; role: Role } }).user;
    caller.userId = user.id;
    caller.role = user.role;
  }
  if (method === 'auth.logout') {
    caller.userId = null;
    caller.role = null;
  }
  const output = spec.output.safeParse(result);
  if (!output.success) throw new Error(`response of ${method} does not match the contract`);
  return output.data;
}
