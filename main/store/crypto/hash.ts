import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { utf8 } from './encoding';

export const sha256 = (data: Uint8Array | string): Uint8Array => nobleSha256(typeof data === 'string' ? utf8(data) : data);
