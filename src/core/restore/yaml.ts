import { Document, Scalar, isScalar, visit } from 'yaml';
import { yamlString } from './quoting';

/**
 * A YAML document for `value` whose strings are quoted by {@link yamlString}'s rule: double quotes wherever a YAML 1.1
 * reader (Kubernetes' sigs.k8s.io/yaml) could take a plain scalar for something else, plain otherwise.
 */
export function yamlDocument(value: unknown): Document {
  const doc = new Document(value);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && yamlString(node.value) !== node.value) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc;
}

/** The scalar node at `path` in `doc`, to hang a comment on. */
export function yamlNode(doc: Document, path: readonly (string | number)[], which: 'key' | 'value' = 'value'): Scalar {
  const parentPath = path.slice(0, -1);
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  const last = path[path.length - 1];
  const pair = (parent as { items?: Array<{ key: unknown; value: unknown }> } | null)?.items?.find(
    (item) => isScalar(item.key) && item.key.value === last,
  );
  const node = which === 'key' ? pair?.key : pair?.value;
  if (!isScalar(node)) throw new Error(`no scalar at ${path.join('.')}`);
  return node;
}

/** The document as text: no line folding (a folded path or command is hard to copy), ending in one newline. */
export function yamlText(doc: Document): string {
  return doc.toString({ lineWidth: 0 });
}
