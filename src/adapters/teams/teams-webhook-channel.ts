import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
} from "@azure/core-rest-pipeline";
import type { ApprovalNotice, ChannelTarget, NoticeChannel } from "../../ports/notifier.port";
import { approvalCardMessage } from "./approval-card";

export interface TeamsChannelOptions {
  /** TEAMS_WEBHOOK_URL: the app's Workflows webhook; a tenant record may name its own. */
  webhookUrl?: string;
  /** Extra CA (local runs against the sandbox's self-signed certificate). */
  ca?: string;
  /** Bounded: a webhook that stays down is recorded and another channel is tried. */
  maxRetries?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
}

/** Posts the approval card to a Teams Workflows webhook ("When a Teams webhook request is received"). */
export class TeamsWebhookChannel implements NoticeChannel {
  readonly channel = "teams" as const;
  private readonly pipeline: Pipeline;
  private readonly client: HttpClient = createDefaultHttpClient();

  constructor(private readonly options: TeamsChannelOptions) {
    this.pipeline = createPipelineFromOptions({
      retryOptions: { maxRetries: options.maxRetries ?? 2, retryDelayInMs: options.retryDelayMs ?? 500 },
      ...(options.ca ? { tlsOptions: { ca: options.ca } } : {}),
      userAgentOptions: { userAgentPrefix: "privatelink-autopilot" },
    });
  }

  available(target: ChannelTarget): boolean {
    return (target.teamsWebhookUrl ?? this.options.webhookUrl) !== undefined;
  }

  async send(notice: ApprovalNotice, target: ChannelTarget): Promise<void> {
    const url = target.teamsWebhookUrl ?? this.options.webhookUrl;
    if (!url) throw new Error("No Teams webhook is configured.");
    const request = createPipelineRequest({
      url,
      method: "POST",
      headers: createHttpHeaders({ "content-type": "application/json" }),
      body: JSON.stringify(approvalCardMessage(notice)),
      timeout: this.options.timeoutMs ?? 15_000,
    });
    const response = await this.pipeline.sendRequest(this.client, request);
    if (response.status < 200 || response.status >= 300) {
      // The webhook URL carries its signature: never put it in the message.
      throw new Error(`the Teams webhook answered ${response.status}`);
    }
  }
}
