// Wire format shared by every transport (WebSocket in browser mode, MessagePort in
// Electron). A request carries the session token itself, so no cookie is ever
// needed and cross-site requests have nothing to ride on.
import { z } from 'zod';
import type { ApiErrorBody } from './errors';

export const RequestMessage = z
  .object({
    type: z.literal('request'),
    id: z.number().int().nonnegative(),
    method: z.string().min(1).max(64),
    params: z.unknown().optional(),
    token: z.string().max(128).optional(),
  })
  .strict();
export type RequestMessage = z.infer<typeof RequestMessage>;

export type ResponseMessage =
  | { type: 'response'; id: number; ok: true; result: unknown }
  | { type: 'response'; id: number; ok: false; error: ApiErrorBody };

export interface EventMessage {
  type: 'event';
  event: string;
  data: unknown;
}

export type ServerMessage = ResponseMessage | EventMessage;

/** Largest request the host reads; anything bigger is refused unread. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** The largest USB bundle the browser may upload in pieces (bundles.upload); the command line has no limit. */
export const MAX_BUNDLE_UPLOAD_BYTES = 256 * 1024 * 1024;
/** Raw bytes per bundles.upload piece: base64 (4/3) plus the envelope stays well under MAX_MESSAGE_BYTES. */
export const BUNDLE_PIECE_BYTES = 144 * 1024;
