export const CONFIG_FOLDER_ACTION: string
export function configFolderAction(rootActionText: string): string
export function writeConfigFolderAction(): Promise<boolean>
