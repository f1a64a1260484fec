// Get Creator Info: what TikTok says this creator may post right now (TikTok asks apps to read it
// before every post).
import type { CreatorInfo } from '@tokpipe/core';
import type { Bundle, ZObject } from 'zapier-platform-core';
import { connect } from '../connection';
import { translated } from '../errors';

export function creatorOutput(info: CreatorInfo, openId: string) {
  return {
    id: openId,
    open_id: openId,
    nickname: info.nickname ?? '',
    username: info.username ?? '',
    avatar_url: info.avatarUrl ?? '',
    privacy_level_options: info.privacyLevelOptions,
    comment_disabled: info.commentDisabled,
    duet_disabled: info.duetDisabled,
    stitch_disabled: info.stitchDisabled,
    max_video_post_duration_sec: info.maxVideoPostDurationSec ?? null,
  };
}

async function perform(z: ZObject, bundle: Bundle) {
  const { poster, openId } = connect(z, bundle);
  return translated(z, async () => [creatorOutput(await poster.creatorInfo(), openId)]);
}

export const getCreatorInfo = {
  key: 'get_creator_info',
  noun: 'Creator',
  display: {
    label: 'Get Creator Info',
    description: "Gets the creator's nickname, allowed privacy levels, disabled interactions and longest allowed video.",
  },
  operation: {
    inputFields: [],
    perform,
    outputFields: [
      { key: 'open_id', label: 'Open ID', type: 'string', primary: true },
      { key: 'nickname', label: 'Nickname', type: 'string' },
      { key: 'username', label: 'Username', type: 'string' },
      { key: 'avatar_url', label: 'Avatar URL', type: 'string' },
      { key: 'privacy_level_options[]', label: 'Allowed Privacy Levels', type: 'string' },
      { key: 'comment_disabled', label: 'Comments Disabled', type: 'boolean' },
      { key: 'duet_disabled', label: 'Duet Disabled', type: 'boolean' },
      { key: 'stitch_disabled', label: 'Stitch Disabled', type: 'boolean' },
      { key: 'max_video_post_duration_sec', label: 'Longest Video (s)', type: 'integer' },
    ],
    sample: {
      id: 'afd97af1-b87b-48b9-ac98-410aghda5344',
      open_id: 'afd97af1-b87b-48b9-ac98-410aghda5344',
      nickname: 'TikTok Official',
      username: 'tiktok',
      avatar_url: 'https://lf16-tt4d.tiktokcdn.com/obj/avatar.jpeg',
      privacy_level_options: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
      comment_disabled: false,
      duet_disabled: false,
      stitch_disabled: true,
      max_video_post_duration_sec: 300,
    },
  },
};
