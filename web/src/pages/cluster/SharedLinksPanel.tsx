import type { ClusterFinding } from '../../../../src/contracts/index.js';
import { formatCount } from '../../app/format.js';
import { linkColour, linkLabel } from '../../components/graph-style.js';

const LINK_ROWS = 12;

/** Why the accounts are linked: the values they share, most shared first. */
export function SharedLinksPanel({ links }: { links: ClusterFinding['links'] }) {
  return (
    <section className="panel">
      <div className="panel-title">Why these accounts are linked</div>
      <table className="table compact" data-testid="cluster-links">
        <thead>
          <tr>
            <th>Shared</th>
            <th>Value</th>
            <th style={{ textAlign: 'right' }}>Accounts</th>
          </tr>
        </thead>
        <tbody>
          {links.slice(0, LINK_ROWS).map((l) => (
            <tr key={`${l.kind}:${l.value}`}>
              <td>
                <span className="line" style={{ background: linkColour(l.kind) }} /> {linkLabel(l.kind)}
              </td>
              {l.text ? (
                <td className="link-text" title={l.value}>
                  {l.text}
                </td>
              ) : (
                <td className="mono ellipsis" title={l.value}>
                  {l.value}
                </td>
              )}
              <td style={{ textAlign: 'right' }}>{formatCount(l.accounts)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {links.length > LINK_ROWS && (
        <div className="muted small">and {links.length - LINK_ROWS} more shared values</div>
      )}
    </section>
  );
}
