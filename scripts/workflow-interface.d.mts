export const WORKFLOW_FILES: string[]
export const LEFT_OUT: Record<string, string>
export const SECRET_NAMES: Record<string, string>
export function withConnectionBlocks(text: string, sourceText: string, path?: string): string
export function workflowTables(file: string, workflowText: string): string
export function withWorkflowTables(readme: string, workflows: Record<string, string>): string
export function writeWorkflowConnections(): string[]
export function readWorkflows(): Record<string, string>
export const CONFIG_READING_WORKFLOWS: string[]
export const SETTINGS_STEP_WORKFLOWS: string[]
