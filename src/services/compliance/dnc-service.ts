import type { DncEntry, RegistryImport } from "@prisma/client";
import type { Clock } from "../../lib/clock.js";
import { UserError } from "../../lib/errors.js";
import { parsePhone } from "../../lib/phone.js";
import type { AdminGate } from "../setup/admin-gate.js";
import type { ComplianceStore, DncSource } from "./compliance-store.js";

/** The national registry copy used must be no older than this (16 CFR 310.4(b)(3)(iv)). */
export const REGISTRY_MAX_AGE_DAYS = 31;

export interface DncService {
  /** Puts a number on the list at once (every lead with it, every mode, scheduled calls too). */
  add(
    ws: number,
    rawPhone: string,
    source: DncSource,
    by: string,
    reason?: string,
  ): Promise<{ entry: DncEntry; added: boolean }>;
  /** Admins only, with a reason; audited. */
  remove(ws: number, rawPhone: string, by: string, reason: string): Promise<DncEntry>;
  check(ws: number, rawPhone: string): Promise<{ phone: string; entry?: DncEntry }>;
  listedAmong(ws: number, phones: string[]): Promise<Set<string>>;
  /** The newest registry import, and whether it is too old to call on. */
  registryAge(ws: number, now: Date): Promise<{ latest?: RegistryImport; days?: number; stale: boolean }>;
}

export function createDncService(deps: {
  store: ComplianceStore;
  admins: Pick<AdminGate, "require">;
  defaultCountry: string;
  clock: Clock;
}): DncService {
  const e164 = (raw: string) => {
    const parsed = parsePhone(raw, deps.defaultCountry);
    if (!parsed.ok) throw UserError.of("not_a_phone", { raw: raw.trim(), reason: parsed.reason }, { field: "phone" });
    return parsed.e164;
  };
  const masked = (phone: string) => `***${phone.slice(-4)}`;
  return {
    async add(ws, rawPhone, source, by, reason) {
      const phone = e164(rawPhone);
      return deps.store.add(ws, { phone, source, reason: reason?.trim() || null, addedBy: by }, deps.clock.now(), {
        actor: by,
        action: "dnc.added",
        detail: JSON.stringify({ phone: masked(phone), source, reason: reason?.trim() || undefined }),
      });
    },
    async remove(ws, rawPhone, by, reason) {
      await deps.admins.require(ws, by, "dnc_remove");
      const why = reason.trim();
      if (why.length < 3) {
        throw UserError.of("reason_required");
      }
      const phone = e164(rawPhone);
      const removed = await deps.store.remove(ws, phone, {
        actor: by,
        action: "dnc.removed",
        detail: JSON.stringify({ phone: masked(phone), reason: why }),
      });
      if (!removed) throw UserError.of("not_listed", { phone });
      return removed;
    },
    async check(ws, rawPhone) {
      const phone = e164(rawPhone);
      return { phone, entry: await deps.store.listed(ws, phone) };
    },
    listedAmong: (ws, phones) => deps.store.listedAmong(ws, phones),
    async registryAge(ws, now) {
      const latest = await deps.store.latestImport(ws);
      if (!latest) return { stale: false };
      const days = Math.floor((now.getTime() - latest.fetchedAt.getTime()) / 86_400_000);
      return { latest, days, stale: days > REGISTRY_MAX_AGE_DAYS };
    },
  };
}
