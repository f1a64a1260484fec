// A SandboxView over the sandbox's admin API (structurally typed: the console does not depend on the
// sandbox package), naming each sandbox user by tokpipe's account id.
import type { SandboxPostRow, SandboxView } from './ports';

interface SandboxAdminPosts {
  posts(): Array<{
    publishId: string;
    openId: string;
    status: string;
    failReason: string | null;
    postIds: string[];
    title: string | null;
    createdAt: number;
  }>;
}

export function sandboxViewOf(
  admin: SandboxAdminPosts,
  accountOfOpenId: (openId: string) => string | undefined,
): SandboxView {
  return {
    posts: (): SandboxPostRow[] =>
      admin.posts().map((p) => ({
        publishId: p.publishId,
        account: accountOfOpenId(p.openId) ?? null,
        status: p.status,
        failReason: p.failReason,
        postIds: [...p.postIds],
        title: p.title,
        createdAt: p.createdAt,
      })),
  };
}
