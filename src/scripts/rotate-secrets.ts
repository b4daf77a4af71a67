// npm run secrets:rotate — re-encrypts every stored secret under APP_ENCRYPTION_KEY.
// Set the retiring key as APP_ENCRYPTION_KEY_PREVIOUS while this runs.
import "dotenv/config";
import { dirname } from "node:path";
import { ConfigError, loadConfig } from "../config.js";
import { createLogger } from "../lib/log.js";
import { applyMigrations, createDb, sqlitePath } from "../services/store/db.js";
import { loadKeyring } from "../services/store/keyring.js";
import { createSecretStore } from "../services/store/secrets.js";

try {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  if (!config.APP_ENCRYPTION_KEY) {
    console.error(
      "Set APP_ENCRYPTION_KEY to the new key (and APP_ENCRYPTION_KEY_PREVIOUS to the old one) before rotating.",
    );
    process.exit(2);
  }
  const file = sqlitePath(config.DATABASE_URL);
  applyMigrations(file);
  const keyring = loadKeyring({
    currentKey: config.APP_ENCRYPTION_KEY,
    previousKey: config.APP_ENCRYPTION_KEY_PREVIOUS,
    production: config.NODE_ENV === "production",
    dataDir: dirname(file),
    log,
  });
  const db = await createDb(config.DATABASE_URL);
  const result = await createSecretStore({ db, keyring }).rotate();
  await db.$disconnect();
  console.log(
    `Re-encrypted ${result.reencrypted} of ${result.total} secrets under key ${keyring.current.id}. ` +
      "You can now remove APP_ENCRYPTION_KEY_PREVIOUS.",
  );
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Rotation failed: ${(error as Error).message}`);
  process.exit(1);
}
