/**
 * Editor navigation over the workspace index: go to definition, find references, rename, completion
 * of names in reference fields, hover on references and document links. Pure functions of the index
 * (and, for completion, of the text being edited); positions are absolute in their files.
 */
export type { NavigationOptions } from './navigation/common';
export { definition, references } from './navigation/locations';
export { invalidNameReason, prepareRename, rename } from './navigation/rename';
export { completeReferenceNames } from './navigation/nameCompletion';
export { documentLinks, hoverReference } from './navigation/hoverAndLinks';
