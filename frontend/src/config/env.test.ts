import { describe, expect, it } from 'vitest';
import { parseEnv } from './env';

describe('env', () => {
  it('defaults to the same origin', () => {
    expect(parseEnv({}).API_BASE).toBe('');
  });
  it('accepts an http(s) URL or a path, without the trailing slash', () => {
    expect(parseEnv({ VITE_API_BASE: 'https://ops.example.com/' }).API_BASE).toBe('https://ops.example.com');
    expect(parseEnv({ VITE_API_BASE: '/backend/' }).API_BASE).toBe('/backend');
    expect(parseEnv({ VITE_API_BASE: '  https://ops.example.com/api/ ' }).API_BASE).toBe('https://ops.example.com/api');
  });
  it('refuses anything else at start-up', () => {
    expect(() => parseEnv({ VITE_API_BASE: 'ftp://x' })).toThrow(/VITE_API_BASE/);
    expect(() => parseEnv({ VITE_API_BASE: 'not a url' })).toThrow(/VITE_API_BASE/);
  });
});
