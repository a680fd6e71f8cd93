import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadCatalog, parseCatalog } from './catalog.ts';

describe('catalog', () => {
  it('loads the sample incidentd.yaml', () => {
    const catalog = loadCatalog(resolve(import.meta.dirname, '../incidentd.yaml'));
    expect(catalog.components.length).toBeGreaterThanOrEqual(6);
    expect(new Set(catalog.customers.map((c) => c.tier)).size).toBeGreaterThanOrEqual(2);
    expect(catalog.sla_policies.premium?.SEV1?.acknowledge).toBe(5 * 60_000);
  });

  it('names the file, the path and the reason of an unknown key', () => {
    const doc = {
      components: [
        { id: 'api', name: 'API' },
        { id: 'db', name: 'DB' },
        { id: 'x', name: 'X', grup: 'G' },
      ],
    };
    expect(() => parseCatalog(doc, 'incidentd.yaml')).toThrow(
      'incidentd.yaml: components[2].grup: unknown key',
    );
  });

  it('reports a bad duration and an unknown severity', () => {
    const doc = {
      sla_policies: {
        premium: { SEV1: { acknowledge: '5 minutes', owner: '15m', update_every: '30m', resolve: '4h' } },
      },
    };
    expect(() => parseCatalog(doc, 'c.yaml')).toThrow(
      /c\.yaml: sla_policies\.premium\.SEV1\.acknowledge: invalid duration/,
    );
  });

  it('rejects duplicate component ids', () => {
    const doc = {
      components: [
        { id: 'api', name: 'A' },
        { id: 'api', name: 'B' },
      ],
    };
    expect(() => parseCatalog(doc, 'c.yaml')).toThrow(ConfigError);
  });

  it('reports a missing file in one line', () => {
    expect(() => loadCatalog('/nonexistent/incidentd.yaml')).toThrow(
      '/nonexistent/incidentd.yaml: cannot read catalog (ENOENT)',
    );
  });

  describe('notification targets', () => {
    const KEY = 'R0123456789abcdef0123456789abcde';
    const problemsOf = (notifications: unknown[]) => {
      try {
        parseCatalog({ notifications }, 'incidentd.yaml');
        return [];
      } catch (err) {
        return (err as Error).message.split('\n');
      }
    };

    it('names the missing key of each target type, and keys a type does not use', () => {
      expect(
        problemsOf([
          { name: 'a', type: 'webhook', url: 'https://h.example/x' },
          { name: 'b', type: 'teams' },
          { name: 'c', type: 'pagerduty' },
          { name: 'd', type: 'slack', token: 'xoxb-1' },
          { name: 'e', type: 'slack', channel: 'C1' },
          { name: 'f', type: 'slack' },
          { name: 'g', type: 'slack', url: 'https://hooks.slack.com/x', token: 'xoxb-1', channel: 'C1' },
          { name: 'h', type: 'webhook', url: 'https://h.example/x', routing_key: KEY, format: 'messagecard' },
          { name: 'i', type: 'slack', url: 'https://hooks.slack.com/x', thread: ['notes'] },
          { name: 'j', type: 'pagerduty', routing_key: 'short' },
          { name: 'k', type: 'slack', token: 'not-a-token', channel: 'C1' },
        ]),
      ).toEqual([
        'incidentd.yaml: notifications[1].url: required for teams',
        'incidentd.yaml: notifications[2].routing_key: required for pagerduty',
        'incidentd.yaml: notifications[3].channel: required with token (a channel id like C0123456789 or #name)',
        'incidentd.yaml: notifications[4].token: required with channel (a Slack bot token, xoxb-…)',
        'incidentd.yaml: notifications[5].url: required for slack (an incoming webhook), or token + channel for a bot',
        'incidentd.yaml: notifications[6].url: use either url (incoming webhook) or token + channel (bot), not both',
        'incidentd.yaml: notifications[7].routing_key: not used by type webhook',
        'incidentd.yaml: notifications[7].format: not used by type webhook',
        'incidentd.yaml: notifications[8].thread: only for a slack bot (token + channel)',
        'incidentd.yaml: notifications[9].routing_key: a PagerDuty integration key is 32 letters and digits',
        'incidentd.yaml: notifications[10].token: a Slack bot token starts with xoxb-',
      ]);
      expect(problemsOf([{ name: 'x', type: 'teams', url: 'https://h/x', formt: 'adaptive' }])).toEqual([
        'incidentd.yaml: notifications[0].formt: unknown key',
      ]);
      expect(
        problemsOf([
          { name: 'x', type: 'webhook', url: 'https://h/x' },
          { name: 'x', type: 'webhook', url: 'https://h/y' },
        ]),
      ).toEqual(['incidentd.yaml: notifications[1].name: duplicate target name "x"']);
    });

    it('fills defaults per type: PagerDuty URL and events, all events for a Slack bot, alerting events otherwise', () => {
      const { notifications } = parseCatalog(
        {
          notifications: [
            { name: 'pd', type: 'pagerduty', routing_key: KEY },
            {
              name: 'bot',
              type: 'slack',
              token: 'xoxb-1',
              channel: '#incidents',
              thread: ['updates', 'notes'],
            },
            { name: 'hook', type: 'slack', url: 'https://hooks.slack.com/x' },
            { name: 'teams', type: 'teams', url: 'https://h/x', format: 'messagecard' },
          ],
        },
        'incidentd.yaml',
      );
      const [pd, bot, hook, teams] = notifications;
      expect(pd).toMatchObject({ url: 'https://events.pagerduty.com/v2/enqueue', routing_key: KEY });
      expect(pd!.events).toEqual([
        'incident.opened',
        'severity.raised',
        'incident.acknowledged',
        'incident.resolved',
        'incident.reopened',
      ]);
      expect(bot!.events).toContain('note.added');
      expect(bot!.url).toBeUndefined();
      expect(hook!.events).not.toContain('note.added');
      expect(hook!.events).toContain('sla.breached');
      expect(teams!.format).toBe('messagecard');
    });
  });
});
