import type { ApprovalNotice } from "../../ports/notifier.port";
import { noticeFacts } from "../notify/notice-facts";

/**
 * The Teams Workflows message: Workflows accept only Adaptive Cards, wrapped in a "message" with one attachment
 * (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using). Card 1.4 is
 * what Teams renders everywhere; buttons are links (Action.OpenUrl) to the approval page, one per approver, because
 * a webhook card cannot call back.
 */
export function approvalCardMessage(notice: ApprovalNotice): Record<string, unknown> {
  const { title, deadlineLine, facts, instead } = noticeFacts(notice);
  const actions = notice.links
    .filter((l): l is { approver: string; url: string } => l.url !== undefined)
    .map((l) => ({ type: "Action.OpenUrl", title: `Review as ${l.approver}`, url: l.url }));
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            { type: "TextBlock", text: title, weight: "Bolder", size: "Medium", wrap: true },
            { type: "TextBlock", text: deadlineLine, color: "Attention", wrap: true, spacing: "Small" },
            { type: "FactSet", facts: facts.map((f) => ({ title: f.label, value: f.value })) },
            ...(actions.length === 0
              ? [
                  {
                    type: "TextBlock",
                    text: instead ?? "Approval links are not configured: decide through the API.",
                    wrap: true,
                  },
                ]
              : []),
          ],
          actions,
          msteams: { width: "Full" },
        },
      },
    ],
  };
}
