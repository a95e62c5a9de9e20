import { useEffect, useMemo, useRef, useState } from 'react';
import Sigma from 'sigma';
import { LEVEL_COLOURS, LEVELS, type GraphEdge, type GraphNode } from '../../../src/contracts/index.js';
import { formatCount } from '../app/format.js';
import { linkColour, linkLabel } from './graphStyle.js';
import {
  BACKBONE_LINKS,
  buildLinkageGraph,
  drawLabelInside,
  type EdgeAttributes,
  type NodeAttributes,
} from './linkageGraph.js';

interface Props {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** The server sent only the highest-scoring members of a large cluster. */
  truncatedFrom?: number;
  onOpenAccount: (id: string) => void;
}

const DIMMED = '#283241';

/** Accounts as nodes (colour = level, size = events), shared attributes as coloured edges. */
export function LinkageGraph({ nodes, edges, truncatedFrom, onOpenAccount }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const { graph, dropped, hiddenLinks } = useMemo(() => buildLinkageGraph(nodes, edges), [nodes, edges]);
  const [hovered, setHovered] = useState<string | null>(null);
  const [hiddenKinds, setHiddenKinds] = useState<ReadonlySet<string>>(new Set());
  const kinds = useMemo(() => {
    const count = new Map<string, number>();
    graph.forEachEdge((_e, a: EdgeAttributes) => {
      for (const k of a.kinds) count.set(k, (count.get(k) ?? 0) + 1);
    });
    return [...count.entries()].sort((a, b) => b[1] - a[1]);
  }, [graph]);
  const openRef = useRef(onOpenAccount);
  openRef.current = onOpenAccount;
  // Reducers read these refs so hovering or filtering refreshes the view without resetting zoom.
  const hiddenRef = useRef(hiddenKinds);
  const hoveredRef = useRef<string | null>(null);
  const rendererRef = useRef<Sigma<NodeAttributes, EdgeAttributes> | null>(null);

  useEffect(() => {
    if (!container.current || graph.order === 0) return;
    let renderer: Sigma<NodeAttributes, EdgeAttributes>;
    try {
      renderer = new Sigma(graph, container.current, {
        renderEdgeLabels: false,
        labelColor: { color: '#cbd5e1' },
        labelSize: 11,
        labelRenderedSizeThreshold: 9,
        // Labels flip left near the right edge instead of being cut by it.
        defaultDrawNodeLabel: drawLabelInside,
        defaultEdgeType: 'line',
        zIndex: true,
        // Hovering a node dims every account it is not linked to.
        nodeReducer: (node, attrs) => {
          const focus = hoveredRef.current;
          if (!focus || node === focus || graph.areNeighbors(node, focus)) return { ...attrs, zIndex: 1 };
          return { ...attrs, color: DIMMED, label: '', zIndex: 0 };
        },
        // An edge stays visible while any of the kinds it stands for is shown.
        edgeReducer: (edge, attrs) => {
          if (attrs.kinds.every((k) => hiddenRef.current.has(k))) return { ...attrs, hidden: true };
          const focus = hoveredRef.current;
          if (focus && !graph.hasExtremity(edge, focus)) return { ...attrs, hidden: true };
          return attrs;
        },
      });
    } catch (err) {
      container.current.textContent = `The graph needs WebGL, which this browser refused: ${String(err)}`;
      return;
    }
    rendererRef.current = renderer;
    renderer.on('clickNode', ({ node }) => openRef.current(node));
    renderer.on('enterNode', ({ node }) => {
      hoveredRef.current = node;
      setHovered(node);
      renderer.refresh({ skipIndexation: true });
    });
    renderer.on('leaveNode', () => {
      hoveredRef.current = null;
      setHovered(null);
      renderer.refresh({ skipIndexation: true });
    });
    return () => {
      rendererRef.current = null;
      renderer.kill();
    };
  }, [graph]);

  useEffect(() => {
    hiddenRef.current = hiddenKinds;
    rendererRef.current?.refresh({ skipIndexation: true });
  }, [hiddenKinds]);

  const info = hovered && graph.hasNode(hovered) ? graph.getNodeAttributes(hovered) : null;
  const toggleKind = (kind: string) =>
    setHiddenKinds((prev) => {
      const next = new Set(prev);
      if (next.has(kind)) next.delete(kind);
      else next.add(kind);
      return next;
    });

  return (
    <div className="graph-wrap">
      <div className="graph" ref={container} data-testid="linkage-graph" />
      <div className="graph-legend">
        <div className="legend-group">
          {LEVELS.map((l) => (
            <span key={l} className="legend-item">
              <span className="dot" style={{ background: LEVEL_COLOURS[l] }} /> {l}
            </span>
          ))}
          <span className="legend-item muted">size = events</span>
        </div>
        <div className="legend-group">
          {kinds.map(([kind, n]) => (
            <button
              key={kind}
              className={`legend-item chip ${hiddenKinds.has(kind) ? 'off' : ''}`}
              onClick={() => toggleKind(kind)}
              title="Show or hide this kind of link"
            >
              <span className="line" style={{ background: linkColour(kind) }} /> {linkLabel(kind)}{' '}
              <span className="muted">{formatCount(n)}</span>
            </button>
          ))}
        </div>
      </div>
      <div className="graph-info">
        {info && hovered ? (
          <>
            <b>{hovered}</b> · {info.level} · score {info.score.toFixed(2)} · {formatCount(info.events)}{' '}
            events · click to open
          </>
        ) : (
          <span className="muted">
            {formatCount(graph.order)} accounts
            {truncatedFrom ? ` (the highest-scoring of ${formatCount(truncatedFrom)})` : ''},{' '}
            {formatCount(graph.size)} links
            {hiddenLinks
              ? ` drawn of ${formatCount(graph.size + hiddenLinks)} (each account's ${BACKBONE_LINKS} strongest)`
              : ''}
            {dropped ? ` (${dropped} links to accounts outside this view not drawn)` : ''}. Hover a node;
            click to open the account. Scroll to zoom, drag to pan.
          </span>
        )}
      </div>
    </div>
  );
}
