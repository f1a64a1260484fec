// Post Video (via the server): a video straight to the profile, from a URL or a file the server downloads.
import { serverVideoCreate } from '../perform-post';

export const serverPostVideo = serverVideoCreate({
  key: 'post_video',
  noun: 'Video',
  label: 'Post Video',
  description:
    'Posts a video to a TikTok profile through your tokpipe server, from a URL or a file (any size: the server downloads it). Never posted twice.',
  mode: 'direct',
});
