// Where the API key comes from: the server may inject one into the page in demo mode on
// localhost (a meta tag or a global); otherwise the analyst pastes one and we keep it locally.
const STORAGE_KEY = 'distillguard.apiKey';

declare global {
  interface Window {
    __DISTILLGUARD__?: { apiKey?: string };
  }
}

export function injectedKey(): string | null {
  const global = window.__DISTILLGUARD__?.apiKey;
  if (global) return global;
  const meta = document.querySelector<HTMLMetaElement>('meta[name="distillguard-api-key"]');
  return meta?.content ? meta.content : null;
}

export function currentKey(): string | null {
  return injectedKey() ?? window.localStorage.getItem(STORAGE_KEY);
}

export function saveKey(key: string): void {
  window.localStorage.setItem(STORAGE_KEY, key.trim());
}

export function forgetKey(): void {
  window.localStorage.removeItem(STORAGE_KEY);
}
