import { ConfigDocument, ConfigFormat } from './document';
import { parseLegacyConfig } from './legacyParser';
import { parseYamlConfig } from './yamlParser';

/** Parses a configuration text: `legacy` with Flink's flink-conf.yaml line rules, `yaml` as Flink's config.yaml. */
export function parseConfig(text: string, format: ConfigFormat): ConfigDocument {
  return format === 'legacy' ? parseLegacyConfig(text) : parseYamlConfig(text);
}
