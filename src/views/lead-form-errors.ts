import { UserError } from "../lib/errors.js";
import { leadFields } from "../lib/ids.js";
import { IntakeRefused } from "../services/leads/lead-intake.js";
import { DuplicateLeadError, LeadValidationError } from "../services/leads/lead-service.js";
import { fieldError } from "./errors.js";

/** The intake's words (written for the lead API) as a form says them next to its fields. */
function formWords(field: string, message: string): string {
  if (field === "consent" && message.startsWith("consent.method")) return "Pick how the lead agreed to recorded calls.";
  return message.replace(/^consent\.text /, "This ").replace(/^consent\.\w+ /, "");
}

/**
 * A lead form's errors by input block: each refused field next to its input; a number another lead
 * has under the phone, naming that lead; anything else under the name (Slack shows errors per block).
 */
export function leadFormErrors(error: unknown): Record<string, string> {
  if (error instanceof DuplicateLeadError) {
    return {
      [leadFields.phone]: `This number already belongs to ${error.existing.name} (lead #${error.existing.id}). Find it with /lead #${error.existing.id}.`,
    };
  }
  const fields =
    error instanceof IntakeRefused ? error.fields : error instanceof LeadValidationError ? error.errors : undefined;
  if (fields) {
    return Object.fromEntries(
      Object.entries(fields).flatMap(([field, message]) => {
        const block =
          leadFields[field as keyof typeof leadFields] ?? (field === "doNotCall" ? leadFields.consent : undefined);
        return block && message ? [[block, formWords(field, message)]] : [];
      }),
    );
  }
  const field = error instanceof UserError ? error.field : undefined;
  const block = field && (Object.values(leadFields) as string[]).includes(field) ? field : undefined;
  return { [block ?? leadFields[field as keyof typeof leadFields] ?? leadFields.name]: fieldError(error) };
}
