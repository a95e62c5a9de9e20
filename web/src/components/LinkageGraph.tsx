import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type Graph from 'graphology';
import Sigma from 'sigma';
import { LEVEL_COLOURS, LEVELS, type GraphEdge, type GraphNode } from '../../../src/contracts/index.js';
import { formatCount, formatScore } from '../app/format.js';
import { GROUP_ABOVE, groupingKinds, type AccountGroup } from './account-groups.js';
import { linkColour, linkLabel } from './graph-style.js';
import {
  BACKBONE_LINKS,
  buildGroupedGraph,
  buildLinkageGraph,
  drawLabelInside,
  type EdgeAttributes,
  type NodeAttributes,
} from './linkage-graph-model.js';

interface Props {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** The server sent only the highest-scoring members of a large cluster. */
  truncatedFrom?: number;
  onOpenAccount: (id: string) => void;
}

const DIMMED = '#283241';
const GROUP_MEMBERS_SHOWN = 60;

/** Accounts as nodes (colour = level, size = events), shared attributes as coloured edges. */
export function LinkageGraph({ nodes, edges, truncatedFrom, onOpenAccount }: Props) {
  const container = useRef<HTMLDivElement>(null);
  // A large cluster opens grouped by the kind of shared value that splits it best; every account
  // stays one choice away.
  const splits = useMemo(() => groupingKinds(nodes, edges), [nodes, edges]);
  const [groupKind, setGroupKind] = useState<string | null>(() =>
    nodes.length > GROUP_ABOVE ? (groupingKinds(nodes, edges)[0]?.kind ?? null) : null,
  );
  const [openGroup, setOpenGroup] = useState<AccountGroup | null>(null);
  const { graph, dropped, hiddenLinks, groups } = useMemo(() => {
    if (groupKind) return { ...buildGroupedGraph(nodes, edges, groupKind), dropped: 0 };
    return { ...buildLinkageGraph(nodes, edges), groups: null };
  }, [nodes, edges, groupKind]);
  const [hovered, setHovered] = useState<string | null>(null);
  const kinds = useMemo(() => linkKindCounts(graph), [graph]);
  const openRef = useRef(onOpenAccount);
  openRef.current = onOpenAccount;
  // Reducers read these refs so hovering or filtering refreshes the view without resetting zoom.
  const hoveredRef = useRef<string | null>(null);
  const rendererRef = useRef<Sigma<NodeAttributes, EdgeAttributes> | null>(null);
  const { hiddenKinds, hiddenRef, toggleKind } = useHiddenKinds(rendererRef);

  useSigmaRenderer(container, graph, groups !== null, rendererRef, hoveredRef, hiddenRef, {
    onClickNode: (node) => {
      const group = graph.getNodeAttribute(node, 'group');
      if (group) setOpenGroup(group);
      else openRef.current(node);
    },
    onHover: setHovered,
  });

  const chooseGrouping = (kind: string) => {
    setOpenGroup(null);
    hoveredRef.current = null;
    setHovered(null);
    setGroupKind(kind === '' ? null : kind);
  };

  return (
    <div className="graph-wrap">
      {splits.length > 0 && (
        <GroupingSelect splits={splits} groupKind={groupKind} onChoose={chooseGrouping} />
      )}
      <div className="graph" ref={container} data-testid="linkage-graph" />
      {groups && (
        <GroupChips
          groups={groups}
          groupKind={groupKind}
          openGroup={openGroup}
          onToggle={(g) => setOpenGroup(openGroup?.id === g.id ? null : g)}
        />
      )}
      <GraphLegend kinds={kinds} hiddenKinds={hiddenKinds} onToggle={toggleKind} />
      <GraphInfo
        graph={graph}
        hovered={hovered}
        groups={groups}
        groupKind={groupKind}
        shownAccounts={nodes.length}
        truncatedFrom={truncatedFrom}
        hiddenLinks={hiddenLinks}
        dropped={dropped}
      />
      {openGroup && (
        <GroupMembers group={openGroup} groupKind={groupKind} onOpenAccount={(id) => openRef.current(id)} />
      )}
    </div>
  );
}

/** Each kind of shared value with how many links carry it, most first. */
function linkKindCounts(graph: Graph<NodeAttributes, EdgeAttributes>): [string, number][] {
  const count = new Map<string, number>();
  graph.forEachEdge((_e, a: EdgeAttributes) => {
    for (const k of a.kinds) count.set(k, (count.get(k) ?? 0) + 1);
  });
  return [...count.entries()].sort((a, b) => b[1] - a[1]);
}

/**
 * The link kinds the legend hides. The renderer's reducers read them through `hiddenRef`, so a
 * toggle refreshes the view in place instead of making the renderer again (zoom is kept).
 */
function useHiddenKinds(rendererRef: RefObject<Sigma<NodeAttributes, EdgeAttributes> | null>) {
  const [hiddenKinds, setHiddenKinds] = useState<ReadonlySet<string>>(new Set());
  const hiddenRef = useRef(hiddenKinds);
  useEffect(() => {
    hiddenRef.current = hiddenKinds;
    rendererRef.current?.refresh({ skipIndexation: true });
  }, [hiddenKinds, rendererRef]);
  const toggleKind = (kind: string) =>
    setHiddenKinds((prev) => {
      const next = new Set(prev);
      if (next.has(kind)) next.delete(kind);
      else next.add(kind);
      return next;
    });
  return { hiddenKinds, hiddenRef, toggleKind };
}

/**
 * The Sigma renderer of `graph` in `container`, made again when the graph changes. Its reducers
 * read the hovered node and hidden kinds from refs, so hovering or filtering refreshes the view
 * without resetting zoom; `on` is read through a ref for the same reason.
 */
function useSigmaRenderer(
  container: RefObject<HTMLDivElement | null>,
  graph: Graph<NodeAttributes, EdgeAttributes>,
  grouped: boolean,
  rendererRef: RefObject<Sigma<NodeAttributes, EdgeAttributes> | null>,
  hoveredRef: RefObject<string | null>,
  hiddenRef: RefObject<ReadonlySet<string>>,
  on: { onClickNode: (node: string) => void; onHover: (node: string | null) => void },
) {
  const handlers = useRef(on);
  handlers.current = on;
  useEffect(() => {
    if (!container.current || graph.order === 0) return;
    let renderer: Sigma<NodeAttributes, EdgeAttributes>;
    try {
      renderer = new Sigma(graph, container.current, {
        renderEdgeLabels: false,
        labelColor: { color: '#cbd5e1' },
        labelSize: 11,
        // A grouped view has few nodes, each a group worth naming.
        labelRenderedSizeThreshold: grouped ? 0 : 9,
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
    renderer.on('clickNode', ({ node }) => handlers.current.onClickNode(node));
    renderer.on('enterNode', ({ node }) => {
      hoveredRef.current = node;
      handlers.current.onHover(node);
      renderer.refresh({ skipIndexation: true });
    });
    renderer.on('leaveNode', () => {
      hoveredRef.current = null;
      handlers.current.onHover(null);
      renderer.refresh({ skipIndexation: true });
    });
    return () => {
      rendererRef.current = null;
      renderer.kill();
    };
  }, [graph, grouped, container, rendererRef, hoveredRef, hiddenRef]);
}

const groupLabelOf = (g: AccountGroup, kind: string | null): string =>
  `${formatCount(g.members.length)} ${g.members.length === 1 ? 'account' : 'accounts'} ${
    g.kind === null ? 'sharing no' : 'sharing one'
  } ${linkLabel(kind ?? '')}:`;

/** Level colours, and a chip per kind of link that shows or hides it. */
function GraphLegend({
  kinds,
  hiddenKinds,
  onToggle,
}: {
  kinds: [string, number][];
  hiddenKinds: ReadonlySet<string>;
  onToggle: (kind: string) => void;
}) {
  return (
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
            onClick={() => onToggle(kind)}
            title="Show or hide this kind of link"
          >
            <span className="line" style={{ background: linkColour(kind) }} /> {linkLabel(kind)}{' '}
            <span className="muted">{formatCount(n)}</span>
          </button>
        ))}
      </div>
    </div>
  );
}

/** The line under the graph: the hovered node, else what the view shows. */
function GraphInfo({
  graph,
  hovered,
  groups,
  groupKind,
  shownAccounts,
  truncatedFrom,
  hiddenLinks,
  dropped,
}: {
  graph: ReturnType<typeof buildLinkageGraph>['graph'];
  hovered: string | null;
  groups: AccountGroup[] | null;
  groupKind: string | null;
  shownAccounts: number;
  truncatedFrom: number | undefined;
  hiddenLinks: number;
  dropped: number;
}) {
  const info = hovered && graph.hasNode(hovered) ? graph.getNodeAttributes(hovered) : null;
  return (
    <div className="graph-info" data-testid="graph-info">
      {info?.group ? (
        <>
          <b>{info.label}</b> · highest level {info.level} · {formatCount(info.events)} events · click to list
          them
        </>
      ) : info && hovered ? (
        <>
          <b>{hovered}</b> · {info.level} · score {formatScore(info.score)} · {formatCount(info.events)}{' '}
          events · click to open
        </>
      ) : groups ? (
        <span className="muted">
          {formatCount(shownAccounts)} accounts
          {truncatedFrom ? ` (the highest-scoring of ${formatCount(truncatedFrom)})` : ''} in{' '}
          {formatCount(groups.length)} groups by {linkLabel(groupKind ?? '')}, {formatCount(graph.size)} links
          between groups drawn
          {hiddenLinks ? ` of ${formatCount(graph.size + hiddenLinks)}` : ''} (thicker = more account links).
          Click a group to list its accounts.
        </span>
      ) : (
        <span className="muted">
          {formatCount(graph.order)} accounts
          {truncatedFrom ? ` (the highest-scoring of ${formatCount(truncatedFrom)})` : ''},{' '}
          {formatCount(graph.size)} links
          {hiddenLinks
            ? ` drawn of ${formatCount(graph.size + hiddenLinks)} (each account's ${BACKBONE_LINKS} strongest)`
            : ''}
          {dropped ? ` (${dropped} links to accounts outside this view not drawn)` : ''}. Hover a node; click
          to open the account. Scroll to zoom, drag to pan.
        </span>
      )}
    </div>
  );
}

/** The accounts of the group opened by a click, each a link to its account. */
function GroupMembers({
  group,
  groupKind,
  onOpenAccount,
}: {
  group: AccountGroup;
  groupKind: string | null;
  onOpenAccount: (id: string) => void;
}) {
  return (
    <div className="graph-group" data-testid="graph-group-members">
      <b>{groupLabelOf(group, groupKind)}</b>{' '}
      {group.members.slice(0, GROUP_MEMBERS_SHOWN).map((m) => (
        <button
          key={m.id}
          className="member-chip"
          title={`${m.level}, score ${formatScore(m.score)}, ${formatCount(m.events)} events`}
          onClick={() => onOpenAccount(m.id)}
        >
          <span className="dot" style={{ background: LEVEL_COLOURS[m.level] }} /> {m.id}
        </button>
      ))}
      {group.members.length > GROUP_MEMBERS_SHOWN && (
        <span className="muted">
          and {formatCount(group.members.length - GROUP_MEMBERS_SHOWN)} more (see the member table)
        </span>
      )}
    </div>
  );
}

/** The choice between every account and accounts grouped by one kind of shared value. */
function GroupingSelect({
  splits,
  groupKind,
  onChoose,
}: {
  splits: ReturnType<typeof groupingKinds>;
  groupKind: string | null;
  onChoose: (kind: string) => void;
}) {
  return (
    <label className="graph-grouping">
      Show{' '}
      <select data-testid="graph-grouping" value={groupKind ?? ''} onChange={(e) => onChoose(e.target.value)}>
        <option value="">every account</option>
        {splits.map((s) => (
          <option key={s.kind} value={s.kind}>
            accounts grouped by {linkLabel(s.kind)} ({s.groups} groups)
          </option>
        ))}
      </select>
    </label>
  );
}

/** A chip per group of the grouped view; a click lists (or hides) its accounts. */
function GroupChips({
  groups,
  groupKind,
  openGroup,
  onToggle,
}: {
  groups: AccountGroup[];
  groupKind: string | null;
  openGroup: AccountGroup | null;
  onToggle: (group: AccountGroup) => void;
}) {
  return (
    <div className="graph-groups" data-testid="graph-groups" aria-label="Accounts grouped by shared value">
      {groups.map((g) => (
        <button
          key={g.id}
          className={`legend-item chip ${openGroup?.id === g.id ? 'on' : ''}`}
          onClick={() => onToggle(g)}
          title="List the accounts of this group"
        >
          <span className="dot" style={{ background: LEVEL_COLOURS[g.level] }} />
          {groupLabelOf(g, groupKind).replace(/:$/, '')}
        </button>
      ))}
    </div>
  );
}
