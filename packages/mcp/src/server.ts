// Builds the MCP server on a backend: every tool of tools.ts (structured output), the resources and
// the prompts. Failures come back as tool errors carrying class, code, log_id and action, redacted.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isTokpipeError, redact, redactText } from '@tokpipe/core';
import type { ErrorView, PostingService, PostView } from '@tokpipe/core';
import { registerPrompts, registerResources } from './resources';
import { tools, type ToolDef } from './tools';
import { errorView, isFailedPost } from '@tokpipe/core';

export const SERVER_NAME = 'tokpipe';
export const SERVER_VERSION = '0.1.0';

export interface McpServerOptions {
  backend: PostingService;
  /** One line per tool call (stderr in the CLI). Lines are redacted. */
  log?: (line: string) => void;
  /** Literal secrets to scrub from everything returned (e.g. the client secret). */
  secrets?: ReadonlyArray<string | undefined>;
}

/** Something that is not a classified failure (a bug): said plainly, never with its stack. */
function unexpected(error: unknown): ErrorView {
  return {
    class: 'needs_human',
    code: 'tokpipe_unexpected',
    layer: 'application',
    disposition: 'needs_human',
    retryable: false,
    action: 'This is not a TikTok error: report it to the tokpipe maintainers with this message.',
    message: error instanceof Error ? error.message : String(error),
  };
}

function errorText(view: ErrorView): string {
  const head = `${view.class}: ${view.code}${view.failReason ? ` (${view.failReason})` : ''}${view.logId ? ` log_id ${view.logId}` : ''}`;
  return `${head}\n${view.message}\nWhat to do: ${view.action}`;
}

export function toolError(error: unknown, secrets: ReadonlyArray<string | undefined> = []): CallToolResult {
  const view = redact(isTokpipeError(error) ? errorView(error.details) : unexpected(error), secrets);
  // No structuredContent: clients check it against the tool's (success) output schema even on errors.
  // The last line is the error as JSON, for agents that parse.
  return { isError: true, content: [{ type: 'text', text: `${errorText(view)}\n${JSON.stringify({ error: view })}` }] };
}

/** A post the tool made that TikTok refused or failed: a tool error that still carries the post
 * (it matches the output schema), so the agent has the jobId to explain or replay. */
function failedPost(result: object): CallToolResult | undefined {
  if (!isFailedPost(result)) return undefined;
  return {
    isError: true,
    content: [{ type: 'text', text: `${errorText(result.error)}\n${JSON.stringify(result)}` }],
    structuredContent: result as unknown as Record<string, unknown>,
  };
}

function register(server: McpServer, tool: ToolDef, options: McpServerOptions): void {
  const secrets = options.secrets ?? [];
  const log = (line: string): void => options.log?.(redactText(line, secrets));
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      outputSchema: tool.output,
      annotations: { title: tool.title, ...tool.annotations },
    },
    // The SDK's generic typing over zod shapes is too deep for a table of tools: arguments arrive validated.
    (async (
      args: Record<string, unknown>,
      extra: { _meta?: { progressToken?: string | number }; sendNotification: (n: never) => Promise<void> },
    ) => {
      const token = extra._meta?.progressToken;
      const progress = async (step: { progress: number; message: string }): Promise<void> => {
        if (token === undefined) return;
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress: step.progress, message: step.message },
        } as never);
      };
      try {
        const result = redact(await tool.run(args ?? {}, { backend: options.backend, progress }), secrets);
        const failed = tool.reportsFailedPost ? failedPost(result) : undefined;
        log(
          `mcp: ${tool.name} ${failed ? `post failed: ${errorText((result as PostView).error!).split('\n')[0]}` : 'ok'}`,
        );
        if (failed) return failed;
        return {
          content: [{ type: 'text', text: JSON.stringify(result) }],
          structuredContent: result as Record<string, unknown>,
        } satisfies CallToolResult;
      } catch (error) {
        const result = toolError(error, secrets);
        log(
          `mcp: ${tool.name} failed: ${result.content[0]!.type === 'text' ? result.content[0]!.text.split('\n')[0] : ''}`,
        );
        return result;
      }
    }) as never,
  );
}

export function createMcpServer(options: McpServerOptions): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION },
    {
      capabilities: { logging: {} },
      instructions:
        'tokpipe posts to TikTok without losing or doubling a post. Start with list_accounts, check a post with validate_post,' +
        ' then post; a repeated call returns the first post. get_post_status with wait follows a post to its final status;' +
        ' explain_error says what any error means and what to do.',
    },
  );
  for (const tool of tools) register(server, tool, options);
  registerResources(server, options.backend, options.secrets);
  registerPrompts(server);
  return server;
}
