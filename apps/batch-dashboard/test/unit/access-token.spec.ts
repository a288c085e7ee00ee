import { constantTimeEquals, parseCookies } from '../../src/http/access-token';

describe('access token helpers', () => {
  it('compares tokens of any lengths without throwing', () => {
    expect(constantTimeEquals('a-long-secret-token', 'a-long-secret-token')).toBe(true);
    expect(constantTimeEquals('a-long-secret-token', 'a-long-secret-tokem')).toBe(false);
    expect(constantTimeEquals('short', 'a-much-longer-value')).toBe(false);
  });

  it('parses a Cookie header, first value of a name wins', () => {
    const cookies = parseCookies('a=1; geostream_dashboard=xyz; a=2; broken; =x');
    expect(cookies.get('a')).toBe('1');
    expect(cookies.get('geostream_dashboard')).toBe('xyz');
    expect(parseCookies(undefined).size).toBe(0);
  });
});
