import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DecryptionError, open, seal, toEncryptionKey } from "../../src/lib/crypto.js";

const key = toEncryptionKey(randomBytes(32));
const other = toEncryptionKey(randomBytes(32));

function flip(buffer: Buffer, index = 0): Buffer {
  const copy = Buffer.from(buffer);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

describe("AES-256-GCM secret sealing", () => {
  it("round-trips, with a 12-byte IV and a 16-byte tag", () => {
    const sealed = seal("my auth token ✓", "twilio.authToken", key);
    expect(sealed.iv.length).toBe(12);
    expect(sealed.authTag.length).toBe(16);
    expect(sealed.keyId).toBe(key.id);
    expect(open(sealed, "twilio.authToken", [key])).toBe("my auth token ✓");
  });

  it("gives different ciphertexts for the same value", () => {
    const a = seal("same", "n", key);
    const b = seal("same", "n", key);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it.each(["iv", "authTag", "ciphertext"] as const)("fails loudly on a flipped bit in the %s", (part) => {
    const sealed = seal("value", "name", key);
    const tampered = { ...sealed, [part]: flip(sealed[part]) };
    expect(() => open(tampered, "name", [key])).toThrow(DecryptionError);
  });

  it("fails when the associated data (the secret's name) differs", () => {
    const sealed = seal("value", "twilio.authToken", key);
    expect(() => open(sealed, "twilio.apiKeySecret", [key])).toThrow(/altered or belongs to another name/);
  });

  it("refuses a truncated tag", () => {
    const sealed = seal("value", "name", key);
    for (const length of [4, 8, 12, 15]) {
      expect(() => open({ ...sealed, authTag: sealed.authTag.subarray(0, length) }, "name", [key])).toThrow(
        /wrong length/,
      );
    }
  });

  it("refuses a row sealed under an unknown key", () => {
    const sealed = seal("value", "name", other);
    expect(() => open(sealed, "name", [key])).toThrow(/no encryption key/);
  });

  it("refuses keys that are not 32 bytes", () => {
    expect(() => toEncryptionKey(randomBytes(16))).toThrow(/32 bytes/);
  });
});
