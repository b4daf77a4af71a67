import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

const minimal = { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s3cret" };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected loadConfig to throw");
}

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig(minimal);
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBe("file:./data/leadline.db");
    expect(config.DEFAULT_COUNTRY).toBe("US");
    expect(config.ALLOWED_COUNTRIES).toEqual(["US", "CA"]);
    expect(config.SLACK_API_URL).toBe("https://slack.com/api/");
    expect(config.TWILIO_API_URL).toBe("https://api.twilio.com");
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("multi-workspace mode needs all three OAuth variables and no Socket Mode", () => {
    const base = { SLACK_SIGNING_SECRET: "s" };
    expect(problems({ ...base, SLACK_CLIENT_ID: "123.456" }).join()).toMatch(
      /needs all three .* \(missing: SLACK_CLIENT_SECRET, SLACK_STATE_SECRET\)/,
    );
    const full = {
      ...base,
      SLACK_CLIENT_ID: "123.456",
      SLACK_CLIENT_SECRET: "secret-123",
      SLACK_STATE_SECRET: "x".repeat(16),
    };
    expect(loadConfig(full).SLACK_BOT_TOKEN).toBeUndefined();
    expect(problems({ ...full, SLACK_APP_TOKEN: "xapp-1" }).join()).toMatch(
      /Socket Mode\) works with one workspace only/,
    );
  });

  it("takes a PostgreSQL DATABASE_URL", () => {
    const config = loadConfig({
      SLACK_SIGNING_SECRET: "s",
      SLACK_BOT_TOKEN: "xoxb-1",
      DATABASE_URL: "postgresql://u:p@db:5432/leadline",
    });
    expect(config.DATABASE_URL).toBe("postgresql://u:p@db:5432/leadline");
  });

  it("names each missing required variable", () => {
    const found = problems({});
    expect(found.some((p) => p.startsWith("SLACK_BOT_TOKEN"))).toBe(true);
    expect(found.some((p) => p.startsWith("SLACK_SIGNING_SECRET"))).toBe(true);
  });

  it.each([
    ["APP_ENCRYPTION_KEY", "c2hvcnQ=", "32 bytes"],
    ["PUBLIC_BASE_URL", "not a url", "https address"],
    ["DEFAULT_COUNTRY", "USA", "two-letter"],
    ["ALLOWED_COUNTRIES", "US,Canada", "two-letter"],
    ["PORT", "seventy", "PORT"],
    ["SLACK_BOT_TOKEN", "abc", "xoxb-"],
    ["SLACK_APP_TOKEN", "xoxb-1", "xapp-"],
    ["ADMIN_SLACK_USER_IDS", "maria", "Slack user ids"],
    ["LEADS_API_TOKEN", "short", "16 characters"],
    ["LOG_LEVEL", "loud", "LOG_LEVEL"],
    ["DATABASE_URL", "mysql://x", "file:"],
  ])("refuses a malformed %s and says what is expected", (name, value, expected) => {
    const found = problems({ ...minimal, [name]: value });
    const line = found.find((p) => p.startsWith(name));
    expect(line, found.join("\n")).toBeDefined();
    expect(line).toContain(expected === name ? name : expected);
  });

  it("requires an encryption key in production", () => {
    const found = problems({ ...minimal, NODE_ENV: "production" });
    expect(found[0]).toContain("APP_ENCRYPTION_KEY");
  });

  it("parses lists and trims the public URL", () => {
    const config = loadConfig({
      ...minimal,
      ALLOWED_COUNTRIES: "us, ca ,gb",
      ADMIN_SLACK_USER_IDS: "U1ABC,U2DEF",
      PUBLIC_BASE_URL: "https://leadline.example.com/",
      APP_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
    });
    expect(config.ALLOWED_COUNTRIES).toEqual(["US", "CA", "GB"]);
    expect(config.ADMIN_SLACK_USER_IDS).toEqual(["U1ABC", "U2DEF"]);
    expect(config.PUBLIC_BASE_URL).toBe("https://leadline.example.com");
  });
});
