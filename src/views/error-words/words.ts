/** A refusal's words from its data: plain English, no Slack markup (errors.ts adds emoji, mentions, buttons). */
export type Words = (data: Record<string, unknown>) => string;
