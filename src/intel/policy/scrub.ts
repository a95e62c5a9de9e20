/**
 * Free text that leaves the organisation (descriptions, evidence, phrasings) is scrubbed of
 * contact details and credentials first. Order matters: tokens before phones, since long
 * digit runs inside keys would otherwise look like phone numbers.
 */
const RULES: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[key]'],
  [/\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}\b/g, '[token]'],
  [/\b(?:sk|pk|rk)-(?:proj-|live-|test-|ant-)?[A-Za-z0-9_-]{16,}\b/g, '[key]'],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, '[key]'],
  [/\b(?:ghp|gho|ghs|ghu|github_pat|xox[abpr]|glpat)[-_][A-Za-z0-9_-]{16,}\b/g, '[token]'],
  [/\bBearer\s+[A-Za-z0-9._~+/-]{12,}=*/gi, 'Bearer [token]'],
  [/\b(?:api[_-]?key|token|secret|password|passwd)\s*[:=]\s*\S{6,}/gi, '[credential]'],
  [/\b[A-Fa-f0-9]{32,}\b/g, '[token]'],
  [
    /\b(?=[A-Za-z0-9+/_-]{32,}\b)(?=[A-Za-z0-9+/_-]*\d)(?=[A-Za-z0-9+/_-]*[A-Za-z])[A-Za-z0-9+/_-]{32,}\b/g,
    '[token]',
  ],
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '[email]'],
  [/(?<![\w.])(?:\+|00)?\d{1,3}?[\s.-]?\(?\d{2,4}\)?(?:[\s.-]?\d{2,4}){2,4}(?![\w.])/g, '[phone]'],
];

export interface Scrubbed {
  text: string;
  redactions: number;
}

export function scrub(text: string): Scrubbed {
  let out = text;
  let redactions = 0;
  for (const [re, replacement] of RULES) {
    out = out.replace(re, (m) => {
      // Short digit groups (years, counts like "388 of 412") are not phone numbers.
      if (replacement === '[phone]' && m.replace(/\D/g, '').length < 9) return m;
      redactions++;
      return replacement;
    });
  }
  return { text: out, redactions };
}

export const scrubText = (text: string): string => scrub(text).text;
