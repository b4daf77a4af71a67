import type { BrowserLink } from "@prisma/client";
import type { DatabaseHandle } from "../store/db.js";

/** Browser-phone links: single use, bound to one user and lead of one workspace. */
export interface BrowserLinkStore {
  create(link: Omit<BrowserLink, "createdAt" | "usedAt" | "sessionHash" | "sessionExpiresAt">): Promise<void>;
  /** Uses a link once (race-safe: only one request flips usedAt); undefined when used, expired or unknown. */
  claim(id: string, now: Date, sessionHash: string, sessionExpiresAt: Date): Promise<BrowserLink | undefined>;
  byId(id: string): Promise<BrowserLink | undefined>;
  bySession(sessionHash: string): Promise<BrowserLink | undefined>;
}

export function createBrowserLinkStore(database: DatabaseHandle): BrowserLinkStore {
  const db = database.prisma;
  return {
    async create(link) {
      await db.browserLink.create({ data: link });
    },
    async claim(id, now, sessionHash, sessionExpiresAt) {
      const claimed = await db.browserLink.updateMany({
        where: { id, usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now, sessionHash, sessionExpiresAt },
      });
      if (claimed.count !== 1) return undefined;
      return (await db.browserLink.findUnique({ where: { id } })) ?? undefined;
    },
    async byId(id) {
      return (await db.browserLink.findUnique({ where: { id } })) ?? undefined;
    },
    async bySession(sessionHash) {
      return (await db.browserLink.findUnique({ where: { sessionHash } })) ?? undefined;
    },
  };
}
