// In development with no VAPID keys configured, push runs with a key pair made on the first start and kept in
// the data folder beside the development secret (owner-only, ignored by git): browsers subscribed with its
// public key keep receiving pushes across restarts.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import webpush from 'web-push';
import type { VapidKeys } from '../delivery/config.js';

export class DevVapidKeysError extends Error {
  override name = 'DevVapidKeysError';
}

/** The key pair kept in `file`, or undefined when there is no such file. */
async function readKeys(file: string): Promise<VapidKeys | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { publicKey, privateKey } = JSON.parse(text) as Partial<VapidKeys>;
    if (
      typeof publicKey === 'string' &&
      typeof privateKey === 'string' &&
      Buffer.from(publicKey, 'base64url').length === 65 &&
      Buffer.from(privateKey, 'base64url').length === 32
    ) {
      return { publicKey, privateKey };
    }
  } catch {}
  throw new DevVapidKeysError(`${file} holds no usable VAPID key pair; delete it to make a new one`);
}

/** The key pair kept in `file`, made (mode 0600) when there is none yet. */
export async function loadOrCreateDevVapidKeys(file: string): Promise<VapidKeys> {
  const existing = await readKeys(file);
  if (existing) return existing;
  await mkdir(path.dirname(file), { recursive: true });
  const keys = webpush.generateVAPIDKeys();
  try {
    // `wx`: of two processes starting at once, one writes and the other reads what it wrote.
    await writeFile(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return keys;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readKeys(file)) ?? keys;
  }
}
