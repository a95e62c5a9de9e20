export { isRfc3339 } from './timestamp.js';
export { AccountRecord, InlineAccount } from './account.js';
export { ApiEvent, ContentPart, EventLabels, Message, MessageRole, RequestParams } from './event.js';
export {
  AccountFinding,
  ClusterFinding,
  ClusterLink,
  EvidenceLine,
  Findings,
  Level,
  LevelBasis,
  LevelGate,
  Signal,
  StoppedBy,
} from './findings.js';
export { countLevels, LEVELS, levelRank, THRESHOLD_LEVELS } from './levels.js';
export {
  AccountDetail,
  AccountSample,
  AuditEntry,
  ClusterDetail,
  ClusterGraph,
  ClusterSummary,
  GraphEdge,
  GraphNode,
  Overview,
  page,
  type Page,
  SignalItem,
  TimelineBucket,
} from './api-views.js';
export { formatCount, formatScore, formatTime, LEVEL_COLOURS, niceTicks } from './presentation.js';
export { Truth, TruthAccount, isTrap } from './truth.js';
export { UserError, UserErrorCode, isUserError } from './errors.js';
export { findUnstorableText, storableText, unstorableText } from './stored-text.js';
export {
  BundleSignature,
  StixAttackPattern,
  StixBundle,
  StixCampaign,
  StixIdentity,
  StixIndicator,
  StixMarkingDefinition,
  StixRelationship,
  StixObject,
  StixSighting,
  StixTimestamp,
} from './stix.js';
export { STIX_OBJECT_TYPES, StixCustomObject } from './stix-objects.js';
export {
  HubSighterCounts,
  HubSighting,
  HubSightings,
  STIX_MEDIA,
  TAXII_MEDIA,
  TaxiiCollection,
  TaxiiCollections,
  TaxiiEnvelope,
  TaxiiError,
  TaxiiStatus,
} from './taxii.js';
export {
  IngestFileSummary,
  IngestSummary,
  InputFormatName,
  QuarantineRecord,
  RejectReason,
} from './ingest.js';
export { CanaryBanks, CanaryServing } from './canary.js';
export { DetectConfig, type DetectConfigInput } from './config.js';
export {
  AccountState,
  EngineState,
  EntityStatsSnapshot,
  ModelUseSnapshot,
  PromptSample,
} from './engine-state.js';
export { ScaleMessage, ScaleStreamConfig, ScaleTopologyConfig } from './scale.js';
export {
  Decision,
  DecisionAction,
  DecisionOrigin,
  DecisionScope,
  DegradeSettings,
  StaticDecision,
  strongerAction,
} from './decision.js';
export {
  AnalyzeConfig,
  DemoConfig,
  EvalConfig,
  EvalSuiteConfig,
  GATEWAY_DEFAULTS,
  GatewaySettings,
  HubAuditListConfig,
  HubClientConfig,
  HubCollectionAddConfig,
  HubCollectionGrantConfig,
  HubConfig,
  HubGroupAddConfig,
  HubMemberAddConfig,
  HubMemberKeyConfig,
  HubServeConfig,
  IntelCommunityKeyConfig,
  IntelExportConfig,
  IntelKeygenConfig,
  IntelMatchConfig,
  MATCH_HITS,
  IntelPsiFinishConfig,
  IntelPsiRespondConfig,
  IntelPsiStartConfig,
  IntelPullConfig,
  IntelPushConfig,
  IngestConfig,
  IntelValidateConfig,
  Port,
  ProbeConfig,
  ScaleFindingsConfig,
  FindingsExportConfig,
  ScaleStatusConfig,
  ServeConfig,
  SimulateConfig,
  ValidateConfig,
  WorkerConfig,
  type FlagMeta,
} from './cli-config.js';
export { readEnv, warnDeprecated } from './env.js';
export { setWorkSliceBudget, WorkSlice, yieldToEventLoop } from './event-loop.js';
export {
  ATLAS,
  ATLAS_TECHNIQUES,
  ATLAS_VERSION,
  atlasFullName,
  atlasTechnique,
  atlasUrl,
  findingTechniques,
  mitigationsOf,
  type AtlasId,
  type AtlasTechnique,
} from './atlas.js';
export {
  MAX_PRINCIPAL_ACCOUNTS,
  OCSF_VERSION,
  OcsfAttack,
  OcsfDetectionFinding,
  PRODUCT_VERSION,
} from './ocsf.js';
