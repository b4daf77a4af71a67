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
    ["DATABASE_URL", "postgres://x", "file:"],
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
