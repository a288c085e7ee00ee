import { nextFlowState } from '../../src/delivery/backpressure';

const limits = { pauseAt: 100, resumeAt: 50 };

describe('nextFlowState', () => {
  it('keeps polling below the bound and pauses at it', () => {
    expect(nextFlowState('flowing', 99, limits)).toBe('flowing');
    expect(nextFlowState('flowing', 100, limits)).toBe('paused');
  });

  it('stays paused until the buffer drains to the resume mark', () => {
    expect(nextFlowState('paused', 99, limits)).toBe('paused');
    expect(nextFlowState('paused', 51, limits)).toBe('paused');
    expect(nextFlowState('paused', 50, limits)).toBe('flowing');
  });

  it('does not flap around the bound', () => {
    let state = nextFlowState('flowing', 100, limits);
    const states = [99, 101, 98, 100, 97].map(
      (buffered) => (state = nextFlowState(state, buffered, limits)),
    );
    expect(states).toEqual(['paused', 'paused', 'paused', 'paused', 'paused']);
  });
});
