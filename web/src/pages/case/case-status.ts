import type { CaseStatus } from '../../api/types.js';

export const STATUS_LABELS: Record<CaseStatus, string> = {
  open: 'Open',
  investigating: 'Investigating',
  actioned: 'Actioned',
  closed: 'Closed',
  false_positive: 'False positive',
};
