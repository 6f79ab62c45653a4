import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Who may import whom (ARCHITECTURE.md), read from the code itself: every import and re-export of
 * every .ts file under the layers, parsed with TypeScript's own parser. A new import that breaks
 * a rule fails here, naming the file, the import and the rule.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAYERS = ['policy', 'db', 'activities', 'workflows', 'api', 'scripts'] as const;
type Layer = (typeof LAYERS)[number];

interface Import {
  from: string;
  to: string;
  /** `import type` / `export type … from`: erased when compiled, nothing of the target runs or is bundled. */
  typeOnly: boolean;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(join(ROOT, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The project's own imports of a file (packages are left out): static, re-exports and dynamic `import()`. */
function importsOf(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean) => {
    if (!specifier.startsWith('.')) return;
    const to = relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\.js$/, '.ts');
    found.push({ from: file, to, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      // `import { type A }` still loads the module under verbatimModuleSyntax: only `import type` is erased.
      add(node.moduleSpecifier.text, node.importClause?.isTypeOnly ?? false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const FILES = LAYERS.flatMap((layer) => sourceFiles(layer));
const IMPORTS = FILES.flatMap(importsOf);

function layerOf(path: string): Layer | 'other' {
  const top = path.split('/')[0] as Layer;
  return LAYERS.includes(top) ? top : 'other';
}

/** What runs inside the workflow sandbox or starts it: never imported by the API. */
function isWorkflowBody(path: string): boolean {
  return /^workflows\/([^/]+\/workflow|index|update-validators|worker)\.ts$/.test(path);
}

/** What a client of the workflows may import: the contracts, the task queues, the helpers that start a workflow. */
function isWorkflowClientSide(path: string): boolean {
  return /^workflows\/([^/]+\/(contract|schedule|start)|task-queues)\.ts$/.test(path);
}

/**
 * The rule each import breaks, or null. Layers from the bottom: policy ← db ← activities ←
 * workflows ← api ← scripts; a value import runs (and, in a workflow, is bundled) the target's
 * code, a type-only import does not.
 */
function brokenRule({ from, to, typeOnly }: Import): string | null {
  const source = layerOf(from);
  const target = layerOf(to);
  if (target === 'other') return `imports ${to}, outside the layers (web/ and test/ are separate)`;
  if (target === 'scripts' && source !== 'scripts') return 'nothing but scripts imports scripts/';
  if (/^activities\/.*internals\.ts$/.test(to) && source !== 'activities') return "an activity's internals are for activities/ alone";
  switch (source) {
    case 'policy':
      return target === 'policy' ? null : 'policy/ imports nothing of the other layers: its rules are pure';
    case 'db':
      return target === 'db' || target === 'policy' ? null : 'db/ imports only policy/ and db/';
    case 'activities':
      return ['policy', 'db', 'activities'].includes(target) ? null : 'activities/ import only policy/, db/ and activities/';
    case 'workflows':
      if (target === 'policy' || target === 'workflows') {
        if (/^workflows\/[^/]+\/contract\.ts$/.test(from) && isWorkflowBody(to)) return 'a workflow contract never imports a workflow body';
        return null;
      }
      if (target === 'activities') {
        if (typeOnly) return null;
        // The worker is where the bundle meets the activities it runs: outside the sandbox.
        if (from === 'workflows/worker.ts' && to === 'activities/index.ts') return null;
        return 'workflows/ import activities as types only (`import type`): the bundle must not take their code';
      }
      return 'workflows/ import only policy/, workflows/ and activity types';
    case 'api':
      if (target === 'workflows') return isWorkflowClientSide(to) ? null : 'api/ imports workflow contracts (and the helpers that start workflows), never workflow bodies';
      return ['policy', 'db', 'activities', 'api'].includes(target) ? null : `api/ does not import ${target}/`;
    case 'scripts':
      return null;
    default:
      return `${from} is outside the layers`;
  }
}

/** Every cycle of the import graph (type-only imports included), as strongly connected components of more than one file. */
function importCycles(imports: readonly Import[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const { from, to } of imports) {
    graph.set(from, [...(graph.get(from) ?? []), to]);
    if (!graph.has(to)) graph.set(to, []);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (node: string) => {
    index.set(node, counter);
    lowLink.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)!) {
      if (!index.has(next)) {
        connect(next);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(next)!));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, index.get(next)!));
      }
    }
    if (lowLink.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) connect(node);
  return cycles;
}

describe('the import graph (ARCHITECTURE.md)', () => {
  it('is read from every layer', () => {
    for (const layer of LAYERS) expect(FILES.some((file) => file.startsWith(`${layer}/`)), layer).toBe(true);
    expect(IMPORTS.length).toBeGreaterThan(300);
  });

  it('has no import that runs against the layers', () => {
    const broken = IMPORTS.flatMap((i) => {
      const rule = brokenRule(i);
      return rule ? [`${i.from} → ${i.to}${i.typeOnly ? ' (type)' : ''}: ${rule}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it('has no cycle', () => {
    expect(importCycles(IMPORTS)).toEqual([]);
  });

  it('imports only files that exist', () => {
    const known = new Set(FILES);
    expect(IMPORTS.filter((i) => !known.has(i.to)).map((i) => `${i.from} → ${i.to}`)).toEqual([]);
  });
});

describe('the rules the import graph is held to', () => {
  it.each([
    ['policy importing activities', { from: 'policy/x.ts', to: 'activities/y.ts', typeOnly: true }],
    ['policy importing a workflow contract', { from: 'policy/x.ts', to: 'workflows/a/contract.ts', typeOnly: false }],
    ['db importing activities', { from: 'db/x.ts', to: 'activities/y.ts', typeOnly: false }],
    ['an activity importing a workflow contract, even its types', { from: 'activities/x.ts', to: 'workflows/a/contract.ts', typeOnly: true }],
    ['an activity importing the API', { from: 'activities/x.ts', to: 'api/y.ts', typeOnly: false }],
    ['a workflow taking an activity’s code', { from: 'workflows/a/workflow.ts', to: 'activities/y.ts', typeOnly: false }],
    ['a workflow contract taking an activity’s code', { from: 'workflows/a/contract.ts', to: 'activities/y.ts', typeOnly: false }],
    ['a workflow contract importing a workflow body', { from: 'workflows/a/contract.ts', to: 'workflows/b/workflow.ts', typeOnly: true }],
    ['a workflow importing the API', { from: 'workflows/a/workflow.ts', to: 'api/y.ts', typeOnly: true }],
    ['the API importing a workflow body', { from: 'api/x.ts', to: 'workflows/a/workflow.ts', typeOnly: false }],
    ['the API importing the worker', { from: 'api/x.ts', to: 'workflows/worker.ts', typeOnly: false }],
    ['the API importing scripts', { from: 'api/x.ts', to: 'scripts/y.ts', typeOnly: true }],
    ['activities importing scripts', { from: 'activities/x.ts', to: 'scripts/y.ts', typeOnly: false }],
    ['the API importing an activity’s internals', { from: 'api/x.ts', to: 'activities/tiering-internals.ts', typeOnly: false }],
    ['a layer importing the pages', { from: 'api/x.ts', to: 'web/src/y.ts', typeOnly: false }],
  ])('refuses %s', (_rule, edge) => {
    expect(brokenRule(edge)).not.toBeNull();
  });

  it.each([
    ['policy importing policy', { from: 'policy/x.ts', to: 'policy/y.ts', typeOnly: false }],
    ['an activity importing policy and db', { from: 'activities/x.ts', to: 'db/y.ts', typeOnly: false }],
    ['a workflow importing activity types', { from: 'workflows/a/workflow.ts', to: 'activities/y.ts', typeOnly: true }],
    ['a workflow importing its contract', { from: 'workflows/a/workflow.ts', to: 'workflows/a/contract.ts', typeOnly: false }],
    ['the worker giving the bundle its activities', { from: 'workflows/worker.ts', to: 'activities/index.ts', typeOnly: false }],
    ['the API importing a contract', { from: 'api/x.ts', to: 'workflows/a/contract.ts', typeOnly: false }],
    ['the API starting the yearly schedule', { from: 'api/x.ts', to: 'workflows/a/schedule.ts', typeOnly: false }],
    ['the API calling an activity’s query', { from: 'api/x.ts', to: 'activities/y.ts', typeOnly: false }],
    ['scripts importing anything of the layers', { from: 'scripts/x.ts', to: 'workflows/worker.ts', typeOnly: false }],
  ])('allows %s', (_rule, edge) => {
    expect(brokenRule(edge)).toBeNull();
  });

  it('finds a cycle through a type-only import', () => {
    expect(
      importCycles([
        { from: 'policy/a.ts', to: 'policy/b.ts', typeOnly: true },
        { from: 'policy/b.ts', to: 'policy/c.ts', typeOnly: false },
        { from: 'policy/c.ts', to: 'policy/a.ts', typeOnly: false },
        { from: 'policy/c.ts', to: 'policy/d.ts', typeOnly: false },
      ]),
    ).toEqual([['policy/a.ts', 'policy/b.ts', 'policy/c.ts']]);
  });
});
