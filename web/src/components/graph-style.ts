// Link colours for the graph (WebGL needs literal colours, not CSS variables) and its legend;
// level colours come from src/contracts (LEVEL_COLOURS), shared with the report.

const LINK_COLOURS: Record<string, string> = {
  payment_fingerprint: '#e879f9',
  email_domain: '#a78bfa',
  signup_ip_prefix: '#38bdf8',
  ip_prefix: '#22d3ee',
  asn: '#2dd4bf',
  user_agent: '#a3e635',
  system_prompt: '#fbbf24',
  template: '#fb923c',
  sync_activity: '#f472b6',
};

/** The server joins the kinds one pair shares with '+' (`payment_fingerprint+template`). */
export function linkKinds(kind: string): string[] {
  return kind.split('+').filter(Boolean);
}

/** A combined edge takes the colour of the first kind the engine listed. */
export function linkColour(kind: string): string {
  return LINK_COLOURS[linkKinds(kind)[0] ?? kind] ?? '#94a3b8';
}

export const LINK_LABELS: Record<string, string> = {
  payment_fingerprint: 'payment fingerprint',
  email_domain: 'e-mail domain',
  signup_ip_prefix: 'sign-up IP prefix',
  ip_prefix: 'IP prefix',
  asn: 'ASN',
  user_agent: 'user agent',
  system_prompt: 'system prompt',
  template: 'prompt template',
  sync_activity: 'synchronised activity',
};

export function linkLabel(kind: string): string {
  return linkKinds(kind)
    .map((k) => LINK_LABELS[k] ?? k.replace(/_/g, ' '))
    .join(' + ');
}
