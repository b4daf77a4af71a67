import type { ViewSubmitAction } from "@slack/bolt";
import { leadFields } from "../../lib/ids.js";
import { inputValue, selectedValue } from "./view-state.js";

type ViewState = ViewSubmitAction["view"]["state"];

/** The lead's fields as a lead form submitted them (Add lead, Edit). */
export function leadFormValues(state: ViewState) {
  const value = (field: keyof typeof leadFields) => inputValue(state, leadFields[field]);
  return {
    name: value("name") ?? "",
    phone: value("phone"),
    email: value("email"),
    source: value("source"),
    note: value("note"),
    state: value("state"),
    zip: value("zip"),
  };
}

/** The form's consent (recorded calls unless the scope says autodial), when the person picked a method or typed the words. */
export function leadFormConsent(state: ViewState) {
  const method = selectedValue(state, leadFields.consent);
  const text = inputValue(state, leadFields.consentText)?.trim();
  const scope = selectedValue(state, leadFields.consentScope) ?? "prerecorded";
  return method || text ? { scope, method: method ?? "", text: text ?? "" } : undefined;
}
