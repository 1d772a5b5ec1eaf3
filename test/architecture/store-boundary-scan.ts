/**
 * Finds what crosses the store boundary in production code: SQL in string literals, calls of
 * better-sqlite3's statement and transaction methods, imports of better-sqlite3 or of the store's
 * SQLite internals (database.js, the test-only handle), anywhere under src/ and connectors/ but
 * src/store/. Parsed with the TypeScript compiler, so prose in comments never counts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

export interface BoundaryViolation {
  /** Path relative to the scanned root, with forward slashes. */
  file: string;
  line: number;
  what: string;
}

/** SQL as this project writes it (keywords in upper case). */
const SQL_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bSELECT\b[\s\S]*\bFROM\b/, 'SELECT … FROM'],
  [/\bINSERT\s+(?:OR\s+[A-Z]+\s+)?INTO\b/, 'INSERT INTO'],
  [/\bUPDATE\s+[A-Za-z_]\w*\s+SET\b/, 'UPDATE … SET'],
  [/\bDELETE\s+FROM\b/, 'DELETE FROM'],
  [/\b(?:CREATE|DROP|ALTER)\s+(?:TABLE|INDEX|VIEW|TRIGGER)\b/, 'DDL'],
  [/\bPRAGMA\b/, 'PRAGMA'],
  [/^\s*(?:BEGIN|COMMIT|ROLLBACK|SAVEPOINT)\b/, 'transaction control'],
];

/** better-sqlite3's own methods: a caller using them holds a connection. */
const DATABASE_METHODS = new Set(['prepare', 'pragma', 'transaction']);

/** Modules only src/store may import. */
function forbiddenModule(specifier: string): string | undefined {
  if (specifier === 'better-sqlite3') return 'imports better-sqlite3';
  if (/(^|\/)store\/database\.js$/.test(specifier)) return 'imports the SQLite connection module (store/database.js)';
  if (/(^|\/)store\/sqlite\//.test(specifier)) return 'imports the SQLite implementation (store/sqlite/)';
  return undefined;
}

/** Functions of sqlite-store.ts only tests may call: they hand out or take a better-sqlite3 handle. */
const HANDLE_FUNCTIONS = new Set(['sqliteHandleOf', 'sqliteStoreOn']);

export function scanStoreBoundary(root: string): BoundaryViolation[] {
  const violations: BoundaryViolation[] = [];
  for (const top of ['src', 'connectors']) {
    for (const path of typeScriptFiles(join(root, top))) {
      const file = relative(root, path).split(sep).join('/');
      if (file.startsWith('src/store/')) continue;
      violations.push(...scanFile(file, readFileSync(path, 'utf8')));
    }
  }
  return violations;
}

export function scanFile(file: string, text: string): BoundaryViolation[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: BoundaryViolation[] = [];
  const report = (node: ts.Node, what: string): void => {
    found.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, what });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const why = forbiddenModule(node.moduleSpecifier.text);
      if (why) report(node, why);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const argument = node.arguments[0];
      const why = argument && ts.isStringLiteralLike(argument) ? forbiddenModule(argument.text) : undefined;
      if (why) report(node, why);
    } else if (ts.isImportSpecifier(node) && HANDLE_FUNCTIONS.has((node.propertyName ?? node.name).text)) {
      report(node, `imports ${(node.propertyName ?? node.name).text} (tests only)`);
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && DATABASE_METHODS.has(node.expression.name.text)) {
      report(node, `calls .${node.expression.name.text}() (a database method)`);
    } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      checkSql(node, node.text);
    } else if (ts.isTemplateExpression(node)) {
      checkSql(node, [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' ? '));
    }
    ts.forEachChild(node, visit);
  };
  const checkSql = (node: ts.Node, literal: string): void => {
    const match = SQL_PATTERNS.find(([pattern]) => pattern.test(literal));
    if (match) report(node, `SQL in a string (${match[1]})`);
  };
  visit(source);
  return found;
}

function* typeScriptFiles(directory: string): Generator<string> {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) yield* typeScriptFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}
