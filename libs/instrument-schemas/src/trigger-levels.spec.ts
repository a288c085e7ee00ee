import { classifyTriggerLevel } from './trigger-levels';

describe('classifyTriggerLevel', () => {
  const rising = { rising: { alert: 10, alarm: 20, action: 30 } };
  const falling = { falling: { alert: -10, alarm: -20, action: -30 } };
  const both = { ...rising, ...falling };

  it.each([
    [9.99, 'none'],
    [10, 'alert'],
    [19.9, 'alert'],
    [20, 'alarm'],
    [30, 'action'],
    [1e9, 'action'],
  ])('rising: %p is %s (reaching a threshold counts)', (value, level) => {
    expect(classifyTriggerLevel(value, rising)).toBe(level);
  });

  it.each([
    [-9.99, 'none'],
    [-10, 'alert'],
    [-25, 'alarm'],
    [-30, 'action'],
    [50, 'none'],
  ])('falling: %p is %s', (value, level) => {
    expect(classifyTriggerLevel(value, falling)).toBe(level);
  });

  it('both: either band can raise the level', () => {
    expect([-25, 0, 25].map((v) => classifyTriggerLevel(v, both))).toEqual([
      'alarm',
      'none',
      'alarm',
    ]);
  });
});
