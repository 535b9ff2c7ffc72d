/**
 * Flink configuration files without VS Code: parsing (flink-conf.yaml with Flink's legacy line rules, config.yaml as
 * Flink's standard YAML), the option catalog of Flink 1.15–2.3, diagnostics with fixes, completion and hover data,
 * migration to config.yaml and version-correct snippets. Positions are 0-based lines and UTF-16 characters; fixes are
 * text edits, so the editor providers only translate types.
 */
export * from './document';
export { parseConfig } from './parse';
export { parseLegacyConfig } from './legacyParser';
export { parseYamlConfig, javaDouble } from './yamlParser';
export * from './versions';
export * from './catalog';
export * from './values';
export {
  checkConfig,
  checkDocument,
  CONFIG_RULES,
  currentReplacements,
  isPassThroughKey,
  PASS_THROUGH_PREFIXES,
  targetLine,
} from './diagnostics';
export type {
  CheckOptions,
  ConfigDiagnostic,
  ConfigDiagnosticCode,
  ConfigFix,
  DiagnosticSeverity,
} from './diagnostics';
export * from './assist';
export * from './migrate';
export { applyEdits } from './edits';
export * from './snippets';
export { describeOption, describedKeys } from './descriptions';
