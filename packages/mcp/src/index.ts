// @tokpipe/mcp: tokpipe as an MCP server (see README.md).
export { createMcpServer, toolError, SERVER_NAME, SERVER_VERSION, type McpServerOptions } from './server';
export {
  createMcpHttpHandler,
  apiKeyVerifier,
  hashApiKey,
  type McpHttpHandler,
  type McpHttpHandlerOptions,
} from './http';
export { tools, type ToolDef } from './tools';
export { explainCode, type Explanation } from './explain';
