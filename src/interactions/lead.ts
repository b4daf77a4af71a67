import type { App, BlockAction } from "@slack/bolt";
import type { z } from "zod";
import type { Deps } from "../deps.js";
import { isExpected, UserError } from "../lib/errors.js";
import { ids, leadFields } from "../lib/ids.js";
import { validateConsent } from "../services/compliance/consent-service.js";
import { DuplicateLeadError, type LeadFieldErrors, LeadValidationError } from "../services/leads/lead-service.js";
import { dncAdded } from "../views/dnc.js";
import { errorMessage, fieldError } from "../views/errors.js";
import { historyItems, historyModal } from "../views/history.js";
import { leadCard, leadCardText } from "../views/lead-card.js";
import {
  addLeadModal,
  addressModal,
  editLeadModal,
  leadSavedModal,
  noteModal,
  phoneModal,
  phoneSavedText,
  savedCardMessage,
} from "../views/lead-modals.js";
import { cardOptions } from "./card-options.js";
import { addLeadMeta, buttonOf, historyMeta, leadFormMeta, leadIdOf, type origin, readMetadata } from "./payloads.js";
import { workspaceOf } from "./scope.js";
import { inputValue, selectedUser, selectedValue } from "./view-state.js";

type Origin = z.infer<typeof origin>;

const toBlockErrors = (errors: LeadFieldErrors) =>
  Object.fromEntries(
    Object.entries(errors).map(([field, message]) => [leadFields[field as keyof typeof leadFields], message]),
  );

/** The card a button sits on: a card in a channel can be redrawn in place; an ephemeral one cannot. */
function originOf(body: BlockAction, leadId: number): Origin {
  const container = body.container as { channel_id?: string; is_ephemeral?: boolean; message_ts?: string };
  const channel = body.channel?.id ?? container.channel_id;
  if (container.is_ephemeral || !container.message_ts) return { channel };
  const blocks = (body.message as { blocks?: { block_id?: string; text?: { text?: string } }[] } | undefined)?.blocks;
  const title = blocks?.find((block) => block.block_id === `lead_${leadId}`)?.text?.text ?? "";
  const banner = title.includes("\n") ? title.slice(0, title.indexOf("\n")).slice(0, 300) : undefined;
  return { channel, cardTs: container.message_ts, banner };
}

/** Slack gives our own mrkdwn back escaped; undo that so the card escapes it exactly once again. */
const unescapeMrkdwn = (text: string) =>
  text
    .replace(/\u200b/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

export function registerLeadInteractions(app: App, deps: Deps): void {
  /** After a save: the card in the channel is redrawn as the lead is now; an ephemeral card gets a fresh copy. */
  const refreshCard = async (ws: number, userId: string, from: Origin, leadId: number, confirmation: string) => {
    const lead = await deps.leads.get(ws, leadId);
    if (!lead) return;
    const slack = await deps.slackFor(ws);
    if (from.channel && from.cardTs) {
      try {
        const options = await cardOptions(deps, ws, [lead], {
          banner: from.banner ? unescapeMrkdwn(from.banner) : undefined,
        });
        await slack.update(from.channel, from.cardTs, {
          text: leadCardText(lead),
          blocks: leadCard(lead, options),
        });
        return;
      } catch (error) {
        deps.log.info({ err: error }, "could not redraw the lead card; sending a fresh copy");
      }
    }
    await slack.tell(
      userId,
      { channel: from.channel },
      savedCardMessage(confirmation, lead, await cardOptions(deps, ws, [lead])),
    );
  };

  app.action<BlockAction>(ids.lead.addAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const prefill = (() => {
      try {
        const parsed = JSON.parse(buttonOf(body).value ?? "{}") as { name?: unknown; phone?: unknown };
        return {
          name: typeof parsed.name === "string" ? parsed.name : undefined,
          phone: typeof parsed.phone === "string" ? parsed.phone : undefined,
        };
      } catch {
        return {};
      }
    })();
    await (await deps.slackFor(ws)).openView(
      body.trigger_id,
      addLeadModal(prefill, JSON.stringify({ channel: body.channel?.id } satisfies Origin)),
    );
  });

  app.view(ids.lead.addCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    const value = (field: keyof typeof leadFields) => inputValue(view.state, leadFields[field]);
    let from: Origin;
    try {
      from = readMetadata(addLeadMeta, view.private_metadata);
    } catch (error) {
      await ack({ response_action: "errors", errors: { [leadFields.name]: fieldError(error) } });
      return;
    }
    let leadId: number;
    // Consent is checked before anything is saved: a bad consent never leaves a lead half-added.
    const consentMethod = selectedValue(view.state, leadFields.consent);
    const consentText = value("consentText")?.trim();
    const consent =
      consentMethod || consentText
        ? { scope: "prerecorded", method: consentMethod ?? "", text: consentText ?? "" }
        : undefined;
    if (consent) {
      const errors: Record<string, string> = {};
      if (!consent.method) errors[leadFields.consent] = "Pick how the lead agreed to recorded calls.";
      else if (!value("phone")?.trim())
        errors[leadFields.phone] = "Consent covers a phone number: add the lead's phone.";
      else {
        try {
          validateConsent(consent, deps.clock.now());
        } catch (error) {
          errors[leadFields.consentText] = fieldError(error).replace(/^consent\.text /, "This ");
        }
      }
      if (Object.keys(errors).length > 0) {
        await ack({ response_action: "errors", errors });
        return;
      }
    }
    try {
      const lead = await deps.leads.create(ws, {
        name: value("name") ?? "",
        phone: value("phone"),
        email: value("email"),
        source: value("source"),
        note: value("note"),
        state: value("state"),
        zip: value("zip"),
        ownerSlackId: body.user.id,
        author: body.user.id,
      });
      leadId = lead.id;
      if (consent) await deps.consents.record(ws, lead, consent, body.user.id, leadFields.consentText);
    } catch (error) {
      if (error instanceof LeadValidationError) {
        await ack({ response_action: "errors", errors: toBlockErrors(error.errors) });
      } else if (error instanceof DuplicateLeadError) {
        await ack({
          response_action: "errors",
          errors: {
            [leadFields.phone]: `This number already belongs to ${error.existing.name} (lead #${error.existing.id}). Find it with /lead #${error.existing.id}.`,
          },
        });
      } else {
        if (!isExpected(error)) deps.log.error({ err: error }, "adding a lead failed");
        await ack({ response_action: "errors", errors: { [leadFields.name]: fieldError(error) } });
      }
      return;
    }
    await ack();
    deps.tasks.run(async () => {
      const full = await deps.leads.get(ws, leadId);
      if (!full) return;
      const slack = await deps.slackFor(ws);
      const message = {
        text: `New lead: ${leadCardText(full)}`,
        blocks: leadCard(full, await cardOptions(deps, ws, [full], { banner: `New lead added by <@${body.user.id}>` })),
      };
      if (from.channel) {
        try {
          await slack.postToChannel({ channel: from.channel }, message);
          return;
        } catch (error) {
          deps.log.info({ err: error }, "could not post the new lead to the channel; telling the user");
        }
      }
      await slack.tell(body.user.id, { channel: from.channel }, message);
    });
  });

  // Add note and Add phone open a small modal about the lead as it is now, not as the card shows it.
  for (const [actionId, modal] of [
    [ids.lead.noteAction, noteModal],
    [ids.lead.phoneAction, phoneModal],
    [ids.lead.addressAction, addressModal],
    [ids.lead.editAction, editLeadModal],
  ] as const) {
    app.action<BlockAction>(actionId, async ({ ack, body, context }) => {
      await ack();
      const ws = workspaceOf(context);
      const slack = await deps.slackFor(ws);
      try {
        const leadId = leadIdOf(body);
        const lead = await deps.leads.get(ws, leadId);
        if (!lead) {
          await slack.tell(
            body.user.id,
            { channel: body.channel?.id, responseUrl: body.response_url },
            { text: "That lead no longer exists." },
          );
          return;
        }
        const meta = { ...originOf(body, leadId), leadId, shownPhone: lead.phone };
        await slack.openView(body.trigger_id, modal(lead, JSON.stringify(meta)));
      } catch (error) {
        if (!isExpected(error)) deps.log.error({ err: error }, "opening a lead form failed");
        await slack.tell(
          body.user.id,
          { channel: body.channel?.id, responseUrl: body.response_url },
          errorMessage(error, { now: deps.clock.now() }),
        );
      }
    });
  }

  app.action<BlockAction>(ids.lead.dncAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    deps.tasks.run(async () => {
      const slack = await deps.slackFor(ws);
      const where = { channel: body.channel?.id, responseUrl: body.response_url };
      try {
        const leadId = leadIdOf(body);
        const lead = await deps.leads.get(ws, leadId);
        if (!lead?.phone) {
          await slack.tell(body.user.id, where, {
            text: lead ? `${lead.name} has no phone number to list.` : "That lead no longer exists.",
          });
          return;
        }
        const { entry, added } = await deps.dnc.add(
          ws,
          lead.phone,
          "card",
          body.user.id,
          `Do not call on lead #${lead.id}`,
        );
        await refreshCard(
          ws,
          body.user.id,
          originOf(body, leadId),
          leadId,
          dncAdded(lead.phone, entry, added, deps.clock.now()).text,
        );
      } catch (error) {
        if (!isExpected(error)) deps.log.error({ err: error }, "listing a number as do-not-call failed");
        await slack.tell(body.user.id, where, errorMessage(error, { now: deps.clock.now() }));
      }
    });
  });

  app.view(ids.lead.noteCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    let meta: z.infer<typeof leadFormMeta>;
    try {
      meta = readMetadata(leadFormMeta, view.private_metadata);
      await deps.leads.addNote(ws, meta.leadId, body.user.id, inputValue(view.state, leadFields.note) ?? "");
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "saving a note failed");
      await ack({ response_action: "errors", errors: { [leadFields.note]: fieldError(error) } });
      return;
    }
    const lead = await deps.leads.get(ws, meta.leadId);
    await ack({ response_action: "update", view: leadSavedModal(`Note saved on ${lead?.name ?? "the lead"}.`) });
    deps.tasks.run(() => refreshCard(ws, body.user.id, meta, meta.leadId, "Note saved."));
  });

  app.action<BlockAction>(ids.lead.historyAction, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const slack = await deps.slackFor(ws);
    try {
      const leadId = leadIdOf(body);
      const lead = await deps.leads.detail(ws, leadId);
      if (!lead) throw new UserError("That lead no longer exists.");
      await slack.openView(
        body.trigger_id,
        historyModal(lead, historyItems(lead.notes, lead.calls), 0, {
          recordingUrl: (call) => deps.recordings.signedUrl(call.id),
          privateMetadata: JSON.stringify({ leadId }),
        }),
      );
    } catch (error) {
      if (!isExpected(error)) deps.log.error({ err: error }, "opening a lead's history failed");
      await slack.tell(
        body.user.id,
        { channel: body.channel?.id, responseUrl: body.response_url },
        errorMessage(error, { now: deps.clock.now() }),
      );
    }
  });

  const historyPages = new RegExp(`^(${ids.lead.historyNewerAction}|${ids.lead.historyOlderAction})$`);
  app.action<BlockAction>(historyPages, async ({ ack, body, context }) => {
    await ack();
    const ws = workspaceOf(context);
    const view = body.view;
    if (!view) return;
    try {
      const { leadId } = readMetadata(historyMeta, view.private_metadata);
      const page = Number(buttonOf(body).value);
      const lead = await deps.leads.detail(ws, leadId);
      if (!lead || !Number.isInteger(page) || page < 0) return;
      await (await deps.slackFor(ws)).updateView(
        view.id,
        historyModal(lead, historyItems(lead.notes, lead.calls), page, {
          recordingUrl: (call) => deps.recordings.signedUrl(call.id),
          privateMetadata: view.private_metadata,
        }),
      );
    } catch (error) {
      deps.log.warn({ err: error }, "could not page a lead's history");
    }
  });

  app.view(ids.lead.editCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    const value = (field: keyof typeof leadFields) => inputValue(view.state, leadFields[field]);
    let meta: z.infer<typeof leadFormMeta>;
    let saved: Awaited<ReturnType<Deps["leads"]["edit"]>>;
    const consentMethod = selectedValue(view.state, leadFields.consent);
    const consentText = value("consentText")?.trim();
    try {
      meta = readMetadata(leadFormMeta, view.private_metadata);
      const consent =
        consentMethod || consentText
          ? { scope: "prerecorded", method: consentMethod ?? "", text: consentText ?? "" }
          : undefined;
      if (consent) {
        if (!consent.method)
          throw new UserError("Pick how the lead agreed to recorded calls.", { field: leadFields.consent });
        try {
          validateConsent(consent, deps.clock.now());
        } catch (error) {
          throw new UserError(fieldError(error), { field: leadFields.consentText });
        }
      }
      saved = await deps.leads.edit(
        ws,
        meta.leadId,
        {
          name: value("name") ?? "",
          phone: value("phone"),
          email: value("email"),
          source: value("source"),
          ownerSlackId: selectedUser(view.state, leadFields.owner),
          state: value("state"),
          zip: value("zip"),
        },
        body.user.id,
        meta.shownPhone ?? null,
      );
      if (consent) await deps.consents.record(ws, saved.lead, consent, body.user.id, leadFields.consentText);
    } catch (error) {
      if (error instanceof LeadValidationError) {
        await ack({ response_action: "errors", errors: toBlockErrors(error.errors) });
        return;
      }
      const message =
        error instanceof DuplicateLeadError
          ? `This number already belongs to ${error.existing.name} (lead #${error.existing.id}).`
          : fieldError(error);
      if (!isExpected(error) && !(error instanceof DuplicateLeadError))
        deps.log.error({ err: error }, "editing a lead failed");
      const field = error instanceof UserError && error.field ? error.field : leadFields.name;
      const block = (Object.values(leadFields) as string[]).includes(field)
        ? field
        : (leadFields[field as keyof typeof leadFields] ?? leadFields.name);
      await ack({ response_action: "errors", errors: { [block]: message } });
      return;
    }
    const confirmation =
      saved.changed.length > 0 || consentMethod
        ? `Saved ${saved.lead.name}: ${[...saved.changed, ...(consentMethod ? ["consent"] : [])].join(", ")} updated.`
        : `Nothing changed on ${saved.lead.name}.`;
    await ack({ response_action: "update", view: leadSavedModal(confirmation) });
    deps.tasks.run(() => refreshCard(ws, body.user.id, meta, meta.leadId, confirmation));
  });

  app.view(ids.lead.addressCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    let meta: z.infer<typeof leadFormMeta>;
    let saved: Awaited<ReturnType<Deps["leads"]["setAddress"]>>;
    try {
      meta = readMetadata(leadFormMeta, view.private_metadata);
      saved = await deps.leads.setAddress(
        ws,
        meta.leadId,
        { state: inputValue(view.state, leadFields.state), zip: inputValue(view.state, leadFields.zip) },
        body.user.id,
      );
    } catch (error) {
      if (error instanceof LeadValidationError) {
        await ack({ response_action: "errors", errors: toBlockErrors(error.errors) });
        return;
      }
      if (!isExpected(error)) deps.log.error({ err: error }, "saving an address failed");
      await ack({ response_action: "errors", errors: { [leadFields.state]: fieldError(error) } });
      return;
    }
    const confirmation = `Address saved on ${saved.name}: ${[saved.state, saved.zip].filter(Boolean).join(" ") || "cleared"}.`;
    await ack({ response_action: "update", view: leadSavedModal(confirmation) });
    deps.tasks.run(() => refreshCard(ws, body.user.id, meta, meta.leadId, confirmation));
  });

  app.view(ids.lead.phoneCallbackId, async ({ ack, body, view, context }) => {
    const ws = workspaceOf(context);
    let meta: z.infer<typeof leadFormMeta>;
    let saved: Awaited<ReturnType<Deps["leads"]["setPhone"]>>;
    try {
      meta = readMetadata(leadFormMeta, view.private_metadata);
      saved = await deps.leads.setPhone(
        ws,
        meta.leadId,
        inputValue(view.state, leadFields.phone) ?? "",
        body.user.id,
        meta.shownPhone ?? null,
      );
    } catch (error) {
      const message =
        error instanceof DuplicateLeadError
          ? `This number already belongs to ${error.existing.name} (lead #${error.existing.id}).`
          : fieldError(error);
      if (!isExpected(error) && !(error instanceof DuplicateLeadError))
        deps.log.error({ err: error }, "saving a phone failed");
      await ack({ response_action: "errors", errors: { [leadFields.phone]: message } });
      return;
    }
    const { lead, previous } = saved;
    const confirmation = phoneSavedText(lead, previous);
    await ack({ response_action: "update", view: leadSavedModal(confirmation) });
    deps.tasks.run(() => refreshCard(ws, body.user.id, meta, meta.leadId, confirmation));
  });
}
