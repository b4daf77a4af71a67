import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const ALGORITHM = "aes-256-gcm";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface Sealed {
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
  keyId: string;
}

/** A key's id is derived from the key itself, so rotating needs no extra configuration. */
export function keyIdFor(key: Buffer): string {
  return createHash("sha256").update("leadline-key-id:").update(key).digest("hex").slice(0, 12);
}

export function toEncryptionKey(key: Buffer): EncryptionKey {
  if (key.length !== 32) throw new Error(`encryption key must be 32 bytes, got ${key.length}`);
  return { id: keyIdFor(key), key };
}

/** AES-256-GCM with a fresh random IV; `associatedData` (the secret's name) is authenticated, not stored. */
export function seal(plaintext: string, associatedData: string, key: EncryptionKey): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return { ciphertext, iv, authTag: cipher.getAuthTag(), keyId: key.id };
}

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecryptionError";
  }
}

export function open(sealed: Sealed, associatedData: string, keys: readonly EncryptionKey[]): string {
  const key = keys.find((candidate) => candidate.id === sealed.keyId);
  if (!key) throw new DecryptionError(`no encryption key with id ${sealed.keyId} is configured`);
  if (sealed.iv.length !== IV_BYTES) throw new DecryptionError("stored IV has the wrong length");
  // Node accepts short tags unless told the length; a truncated tag must never authenticate.
  if (sealed.authTag.length !== TAG_BYTES) throw new DecryptionError("stored auth tag has the wrong length");
  try {
    const decipher = createDecipheriv(ALGORITHM, key.key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    decipher.setAuthTag(sealed.authTag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptionError("secret failed authentication: it was altered or belongs to another name");
  }
}
