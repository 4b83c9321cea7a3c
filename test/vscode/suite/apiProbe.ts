// What the extension hands VS Code, seen from the suite: its tree views (with their data providers)
// and its status bar items. The extension exports nothing for tests; instead, the suite hands the
// extension's bundles (dist/*.js) a `vscode` module that passes every call through to the real API
// and remembers what those two calls created. The suite then reads the trees as VS Code does
// (getChildren, getTreeItem) and the status bar item as VS Code renders it (text, tooltip, shown).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS module loader itself, to hand the bundles a probe
import Module = require('node:module');
import * as path from 'node:path';
import type * as vscode from 'vscode';

export interface ApiProbe {
  /** The tree view the extension created for `viewId`, with its data provider. */
  tree(viewId: string): { view: vscode.TreeView<unknown>; provider: vscode.TreeDataProvider<unknown> } | undefined;
  /** The status bar item the extension created with `id`, and whether it was last shown (not hidden). */
  statusItem(id: string): { item: vscode.StatusBarItem; shown: boolean } | undefined;
}

type Load = (request: string, parent: { filename?: string } | undefined, isMain: boolean) => unknown;

/** Installs the probe; call it before the extension is loaded. */
export function installApiProbe(extensionPath: string): ApiProbe {
  const dist = path.join(extensionPath, 'dist') + path.sep;
  const trees = new Map<string, { view: vscode.TreeView<unknown>; provider: vscode.TreeDataProvider<unknown> }>();
  const statusItems = new Map<string, { item: vscode.StatusBarItem; shown: boolean }>();
  const probed = new WeakMap<object, unknown>();

  const probeWindow = (window: typeof vscode.window): typeof vscode.window =>
    new Proxy(window, {
      get(target, key) {
        if (key === 'createTreeView') {
          return (viewId: string, options: vscode.TreeViewOptions<unknown>) => {
            const view = target.createTreeView(viewId, options);
            trees.set(viewId, { view, provider: options.treeDataProvider });
            return view;
          };
        }
        if (key === 'createStatusBarItem') {
          return (...args: unknown[]) => {
            const item = (target.createStatusBarItem as (...a: unknown[]) => vscode.StatusBarItem)(...args);
            if (typeof args[0] === 'string') recordStatusItem(args[0], item);
            return item;
          };
        }
        return Reflect.get(target, key, target);
      },
    });

  const recordStatusItem = (id: string, item: vscode.StatusBarItem) => {
    const entry = { item, shown: false };
    statusItems.set(id, entry);
    const show = item.show.bind(item);
    const hide = item.hide.bind(item);
    item.show = () => {
      entry.shown = true;
      show();
    };
    item.hide = () => {
      entry.shown = false;
      hide();
    };
  };

  const M = Module as unknown as { _load: Load };
  const original = M._load;
  M._load = function (this: unknown, request, parent, isMain) {
    const api = original.call(this, request, parent, isMain);
    if (request !== 'vscode' || !parent?.filename?.startsWith(dist) || typeof api !== 'object' || api === null) return api;
    if (!probed.has(api)) {
      const real = api as typeof vscode;
      const window = probeWindow(real.window);
      probed.set(api, new Proxy(real, { get: (target, key) => (key === 'window' ? window : Reflect.get(target, key, target)) }));
    }
    return probed.get(api);
  };

  return { tree: (viewId) => trees.get(viewId), statusItem: (id) => statusItems.get(id) };
}
