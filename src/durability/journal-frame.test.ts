import { describe, expect, it } from 'vitest';
import { decodeFrames, encodeFrame, type IntakeRecord } from './journal-frame.ts';

const record = (n: number, size = 40): IntakeRecord => ({
  source: 'alertmanager',
  headers: { 'content-type': 'application/json', 'x-n': String(n) },
  receivedAt: new Date(Date.UTC(2026, 10, 29, 12, 0, n)),
  body: new Uint8Array(Buffer.from(`{"n":${n},"pad":"${'é'.repeat(size)}"}`, 'utf8')),
});

const concat = (records: IntakeRecord[]) => Buffer.concat(records.map(encodeFrame));

describe('journal frames', () => {
  it('decodes what it encodes, in order, byte for byte', () => {
    const records = [record(1), record(2, 0), record(3, 5000)];
    const decoded = decodeFrames(concat(records));
    expect(decoded.tornBytes).toBe(0);
    expect(decoded.records).toEqual(records);
  });

  it('keeps an empty body', () => {
    const empty = { ...record(1), body: new Uint8Array() };
    expect(decodeFrames(encodeFrame(empty)).records).toEqual([empty]);
  });

  it('skips a torn last frame, wherever the write stopped', () => {
    const whole = concat([record(1), record(2)]);
    const firstLength = encodeFrame(record(1)).byteLength;
    for (let cut = firstLength; cut < whole.byteLength; cut++) {
      const decoded = decodeFrames(whole.subarray(0, cut));
      expect(decoded.records.map((r) => r.headers['x-n'])).toEqual(['1']);
      expect(decoded.tornBytes).toBe(cut - firstLength);
    }
  });

  it('stops at a frame whose checksum does not match (a torn page in the middle of a record)', () => {
    const whole = concat([record(1), record(2), record(3)]);
    const second = encodeFrame(record(1)).byteLength;
    const damaged = Buffer.from(whole);
    damaged[second + 20]! ^= 0xff;
    const decoded = decodeFrames(damaged);
    expect(decoded.records.map((r) => r.headers['x-n'])).toEqual(['1']);
    expect(decoded.tornBytes).toBe(whole.byteLength - second);
  });

  it('stops at zeroes (a file extended but never written) and at an absurd length', () => {
    const one = encodeFrame(record(1));
    expect(decodeFrames(Buffer.concat([one, Buffer.alloc(4096)])).records).toHaveLength(1);
    const absurd = Buffer.concat([one, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])]);
    expect(decodeFrames(absurd)).toMatchObject({ records: [record(1)], tornBytes: 8 });
  });
});
