// npm run secrets:rotate — re-encrypts every stored secret under APP_ENCRYPTION_KEY.
// Set the retiring key as APP_ENCRYPTION_KEY_PREVIOUS while this runs.
import "dotenv/config";
import { ConfigError } from "../config.js";
import { createSecretStore } from "../services/store/secrets.js";
import { scriptContext } from "./script-context.js";

try {
  if (!process.env.APP_ENCRYPTION_KEY) {
    console.error(
      "Set APP_ENCRYPTION_KEY to the new key (and APP_ENCRYPTION_KEY_PREVIOUS to the old one) before rotating.",
    );
    process.exit(2);
  }
  const { database, keyring } = await scriptContext();
  const keys = keyring();
  const result = await createSecretStore({ db: database.prisma, keyring: keys }).rotate();
  await database.close();
  console.log(
    `Re-encrypted ${result.reencrypted} of ${result.total} secrets under key ${keys.current.id}. ` +
      "You can now remove APP_ENCRYPTION_KEY_PREVIOUS.",
  );
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Rotation failed: ${(error as Error).message}`);
  process.exit(1);
}
