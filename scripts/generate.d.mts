/** Each Prisma client: the config that generates it, its schema, and a file that exists once generated. */
export const CLIENTS: { config: string; schema: string; output: string }[];

/** Generates the clients unless they are current (scripts/generate.mjs); returns the configs it generated. */
export function ensureClients(options?: {
  root?: string;
  force?: boolean;
  run?: (root: string, config: string) => void;
  log?: (line: string) => void;
}): string[];
