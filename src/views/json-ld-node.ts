/**
 * A JSON-LD node as the DCAT views build it: the dataset node (dcat-jsonld.ts), the statements
 * added to it (dcat-source-statements.ts), catalogue pages and their serialisations. Its own
 * module so the view that builds nodes and the helpers it calls can share it without importing
 * each other.
 */
export type JsonLdNode = Record<string, unknown>;
