import { describe, expect, it } from 'vitest';
import { DEFAULT_INGEST_LIMITS } from '../core/ingest-limits.ts';
import { decodeWebhookBody, formToObject } from './form-body.ts';
import { sources } from './registry.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as unknown;
const FORM = 'application/x-www-form-urlencoded';

describe('form bodies', () => {
  it('turns each field into a string member, parsing JSON objects and lists', () => {
    const form = new URLSearchParams({
      alert_id: '1234',
      date: '1733929712000',
      title: '[Triggered] CPU & load',
      org: '{"id":"11","name":"Acme"}',
      quoted: '"kept"',
    }).toString();
    expect(formToObject(form)).toEqual({
      alert_id: '1234',
      date: '1733929712000',
      title: '[Triggered] CPU & load',
      org: { id: '11', name: 'Acme' },
      quoted: '"kept"',
    });
    expect(formToObject('tags=a%3A1&tags=b%3A2&x=%7Bnot json')).toEqual({
      tags: ['a:1', 'b:2'],
      x: '{not json',
    });
  });

  it('reads a single field holding a JSON object as the whole body', () => {
    const form = `payload=${encodeURIComponent('{"alert_id":"1","tags":"a:b"}')}`;
    expect(formToObject(form)).toEqual({ alert_id: '1', tags: 'a:b' });
    expect(formToObject('payload=plain')).toEqual({ payload: 'plain' });
  });

  it('decodes for Datadog, passes JSON through, and refuses forms elsewhere with 415', () => {
    const json = enc('{"a":1}');
    expect(decodeWebhookBody(sources.datadog!, 'application/json', json)).toEqual({ ok: true, bytes: json });
    expect(decodeWebhookBody(sources.alertmanager!, undefined, json)).toEqual({ ok: true, bytes: json });
    const ok = decodeWebhookBody(sources.datadog!, `${FORM}; charset=utf-8`, enc('id=9&title=x'));
    expect(ok.ok && dec(ok.bytes)).toEqual({ id: '9', title: 'x' });
    expect(decodeWebhookBody(sources.grafana!, FORM, enc('a=1'))).toEqual({
      ok: false,
      status: 415,
      error: `content-type: ${FORM} is not supported for grafana; send application/json`,
    });
    expect(decodeWebhookBody(sources.datadog!, 'multipart/form-data; boundary=x', enc(''))).toMatchObject({
      status: 415,
      error: /send application\/json or application\/x-www-form-urlencoded$/,
    });
  });

  it('refuses non-UTF-8 and too many fields', () => {
    expect(decodeWebhookBody(sources.datadog!, FORM, Uint8Array.of(0x61, 0x3d, 0xff))).toEqual({
      ok: false,
      status: 400,
      error: 'body: not valid UTF-8',
    });
    const limits = { ...DEFAULT_INGEST_LIMITS, maxLabelsPerAlert: 3 };
    expect(decodeWebhookBody(sources.datadog!, FORM, enc('a=1&b=2&c=3&d=4'), limits)).toMatchObject({
      status: 400,
      error: 'body: more than 3 form fields, the limit set by INCIDENTD_MAX_LABELS_PER_ALERT',
    });
  });
});
