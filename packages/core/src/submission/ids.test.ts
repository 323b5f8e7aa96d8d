import { describe, expect, it } from 'vitest';
import { submissionId } from './ids.js';

describe('submissionId', () => {
  it('makes RFC 9562 version 7 UUIDs carrying the creation time', () => {
    const before = Date.now();
    const id = submissionId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('sorts in creation order and never repeats, even many to a millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => submissionId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
