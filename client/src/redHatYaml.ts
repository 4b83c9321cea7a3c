import { extensions, workspace, type Disposable } from 'vscode';
import { contributeToRedHatYaml, RED_HAT_YAML } from './yamlCoexistence';

/**
 * When Red Hat's YAML extension is installed (now or later), tell it through its schema contributor
 * API that files with Flux documents need no schema from it, so that its Kubernetes schemas do not
 * report a second, contradicting set of problems on them.
 */
export function coexistWithRedHatYaml(log: (message: string) => void): Disposable {
  let registered = false;
  const attempt = async () => {
    const extension = extensions.getExtension(RED_HAT_YAML);
    if (registered || !extension) return;
    registered = true;
    try {
      const api: unknown = extension.isActive ? extension.exports : await extension.activate();
      const done = contributeToRedHatYaml(api, (resource) => workspace.textDocuments.find((d) => d.uri.toString() === resource)?.getText());
      log(done ? `Registered with ${RED_HAT_YAML}: Flux files get no schema from it.` : `${RED_HAT_YAML} has no schema contributor API; set "yaml.validate" per file type instead (see the README).`);
    } catch (error) {
      log(`Could not register with ${RED_HAT_YAML}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  void attempt();
  return extensions.onDidChange(() => void attempt());
}
