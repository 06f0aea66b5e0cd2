/**
 * `triage --format slack|email|chatbot`: the exact payload the Lambda would send on that channel, from the same
 * renderers. Slack: the webhook body. Email: the SNS Publish input (Subject, Message, MessageStructure json).
 * Chatbot: the Amazon Q custom notification published to its topic.
 */
import type { MemorySeries, TriageResult } from '../lambda/model';
import { renderChatbot } from '../lambda/render-chatbot';
import { renderSnsMessage } from '../lambda/render-email';
import { renderSlack } from '../lambda/render-slack';

export type PreviewFormat = 'slack' | 'email' | 'chatbot';

export function renderPreview(format: PreviewFormat, result: TriageResult, series: MemorySeries | null): string {
  switch (format) {
    case 'slack':
      return JSON.stringify(renderSlack(result, { series }), null, 2);
    case 'email':
      return JSON.stringify(renderSnsMessage(result, { series }), null, 2);
    case 'chatbot':
      return JSON.stringify(renderChatbot(result, { series }), null, 2);
  }
}
