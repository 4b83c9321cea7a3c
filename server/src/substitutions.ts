import type { DocumentStore } from './documentStore';
import { workspaceSourceLookup } from './node/substitutionSources';
import { SubstitutionResolver, type FileSubstitutions, type SubstitutionContext } from './service/substitution/resolver';
import type { SubstitutingKustomization } from './service/substitution/variables';
import type { WorkspaceSession } from './workspaceSession';

/**
 * Post-build substitution for the language server's features, once the workspace is indexed: the
 * index knows which Flux Kustomizations apply each file (open editors' text included), the
 * ConfigMaps and Secrets they substitute from are found through it (open editor text first).
 */
export class ServerSubstitutions implements SubstitutionContext {
  private readonly resolver: SubstitutionResolver;

  constructor(
    private readonly session: WorkspaceSession,
    store: DocumentStore,
  ) {
    this.resolver = new SubstitutionResolver({
      applying: (uri) => session.index.applyingKustomizations(uri),
      lookup: workspaceSourceLookup(session.index, (uri) => store.get(uri)?.text.getText()),
      revisionOf: (name) => session.index.revisionOf(name),
    });
  }

  forFile(uri: string): FileSubstitutions | undefined {
    return this.session.ready ? this.resolver.forFile(uri) : undefined;
  }

  forKustomization(kustomization: SubstitutingKustomization): ReturnType<SubstitutionContext['forKustomization']> {
    return this.session.ready ? this.resolver.forKustomization(kustomization) : undefined;
  }
}
