export const DEPLOY_FOLDER_ACTION: string
export function deployFolderAction(rootActionText: string): string
export function writeDeployFolderAction(): boolean
