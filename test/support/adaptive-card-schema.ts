import { z } from 'zod';

/**
 * The Adaptive Card 1.4 subset incidentd sends, as a zod schema written from Microsoft's element reference
 * (https://adaptivecards.io/explorer/ : AdaptiveCard, TextBlock, FactSet, Fact, Action.OpenUrl) and the Teams
 * Workflows message envelope (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference).
 * No npm package ships the 1.4 JSON schema (adaptivecards 3.x has its own serialization metadata, not the JSON
 * schema), so this is the documented subset; objects are strict, so a misspelled or unknown property fails,
 * as it does in the official schema's `additionalProperties: false`.
 */
const color = z.enum(['Default', 'Dark', 'Light', 'Accent', 'Good', 'Warning', 'Attention']);
const spacing = z.enum(['None', 'Small', 'Default', 'Medium', 'Large', 'ExtraLarge', 'Padding']);
const common = {
  id: z.string().optional(),
  spacing: spacing.optional(),
  separator: z.boolean().optional(),
  isVisible: z.boolean().optional(),
};

const textBlock = z.strictObject({
  type: z.literal('TextBlock'),
  text: z.string(),
  color: color.optional(),
  size: z.enum(['Default', 'Small', 'Medium', 'Large', 'ExtraLarge']).optional(),
  weight: z.enum(['Default', 'Lighter', 'Bolder']).optional(),
  wrap: z.boolean().optional(),
  isSubtle: z.boolean().optional(),
  maxLines: z.number().int().positive().optional(),
  horizontalAlignment: z.enum(['Left', 'Center', 'Right']).optional(),
  fontType: z.enum(['Default', 'Monospace']).optional(),
  ...common,
});

const factSet = z.strictObject({
  type: z.literal('FactSet'),
  facts: z.array(z.strictObject({ title: z.string(), value: z.string() })).min(1),
  ...common,
});

const openUrl = z.strictObject({
  type: z.literal('Action.OpenUrl'),
  url: z.string().url(),
  title: z.string().optional(),
  iconUrl: z.string().url().optional(),
  style: z.enum(['default', 'positive', 'destructive']).optional(),
  id: z.string().optional(),
});

export const adaptiveCard14 = z.strictObject({
  $schema: z.literal('http://adaptivecards.io/schemas/adaptive-card.json').optional(),
  type: z.literal('AdaptiveCard'),
  version: z.literal('1.4'),
  body: z.array(z.discriminatedUnion('type', [textBlock, factSet])).min(1),
  actions: z.array(openUrl).optional(),
  fallbackText: z.string().optional(),
  msteams: z.strictObject({ width: z.literal('Full') }).optional(),
});

/** What a Teams Workflows webhook ("When a Teams webhook request is received") accepts. */
export const teamsWorkflowMessage = z.strictObject({
  type: z.literal('message'),
  attachments: z
    .array(
      z.strictObject({
        contentType: z.literal('application/vnd.microsoft.card.adaptive'),
        contentUrl: z.null(),
        content: adaptiveCard14,
      }),
    )
    .length(1),
});
