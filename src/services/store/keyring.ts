import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { decodeKey } from "../../config.js";
import { type EncryptionKey, toEncryptionKey } from "../../lib/crypto.js";
import type { Logger } from "../../lib/log.js";

export interface Keyring {
  current: EncryptionKey;
  all: readonly EncryptionKey[];
  generatedFile?: string;
}

interface KeyringOptions {
  currentKey?: string;
  previousKey?: string;
  production: boolean;
  dataDir: string;
  log: Logger;
  /** Whether a missing development key may be generated (default true; never for secrets:forget). */
  generate?: boolean;
}

/**
 * The current key comes from APP_ENCRYPTION_KEY. Outside production, with no key set, one is
 * generated once into <dataDir>/encryption.key (mode 0600) so a local run needs no set-up.
 */
export function loadKeyring(options: KeyringOptions): Keyring {
  const previous = options.previousKey ? [toEncryptionKey(decodeKey(options.previousKey))] : [];
  if (options.currentKey) {
    const current = toEncryptionKey(decodeKey(options.currentKey));
    return { current, all: [current, ...previous] };
  }
  if (options.production) {
    throw new Error("APP_ENCRYPTION_KEY is required in production");
  }
  const file = join(options.dataDir, "encryption.key");
  if (existsSync(file)) {
    const key = decodeKey(readFileSync(file, "utf8"));
    if (key.length !== 32) throw new Error(`${file} does not hold 32 bytes of base64; delete it or fix it`);
    const current = toEncryptionKey(key);
    return { current, all: [current, ...previous] };
  }
  if (options.generate === false) {
    throw new Error(`APP_ENCRYPTION_KEY is not set and there is no ${file}: set the key Leadline runs with`);
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  options.log.warn(
    { file },
    "APP_ENCRYPTION_KEY is not set: generated a local encryption key. Set APP_ENCRYPTION_KEY before going to production.",
  );
  const current = toEncryptionKey(decodeKey(readFileSync(file, "utf8")));
  return { current, all: [current, ...previous], generatedFile: file };
}

/** Stored secrets were encrypted with a key Leadline was not given: it says which, and stops. */
export class EncryptionKeyMissing extends Error {
  constructor(missingKeyIds: string[], keyring: Keyring) {
    const have = keyring.all.map((key) => key.id).join(", ");
    super(
      `stored secrets are encrypted with key id ${missingKeyIds.join(", ")}, but APP_ENCRYPTION_KEY${keyring.all.length > 1 ? " and APP_ENCRYPTION_KEY_PREVIOUS are" : " is"} key id ${have}. Start Leadline with the key that encrypted them (as APP_ENCRYPTION_KEY, or as APP_ENCRYPTION_KEY_PREVIOUS while rotating). If that key is lost, run \`npm run secrets:forget -- --yes\` where Leadline runs (it deletes only what no key given can decrypt), start Leadline, and have an admin re-enter the Twilio settings in /twilio-setup.`,
    );
    this.name = "EncryptionKeyMissing";
  }
}
