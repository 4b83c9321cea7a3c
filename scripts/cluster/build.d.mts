export interface Component {
  name: string;
  module: string;
  pkg: string;
}
export const CACHE: string;
export const COMPONENTS: Component[];
export function versionOf(component: Component): string;
export function programPath(component: Component): string;
